"""The error of a setting that cannot work: one sentence naming the flag, and exit code 2."""


class SettingsError(ValueError):
    """A bad setting; ``visualizer-server`` prints the sentence and exits with code 2 (a usage error)."""

    EXIT_CODE = 2
