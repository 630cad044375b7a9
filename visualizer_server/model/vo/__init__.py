"""Value objects: the small frozen bodies of notifications and the session record."""
