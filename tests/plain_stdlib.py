"""Keeps the test process's standard library plain while the product's eventlet modules are imported in it.

eventlet builds its green copies of ``http.server`` and ``urllib.request`` (imported by ``eventlet.wsgi``,
which the server's modules import) with ``patcher.inject``: it re-imports the standard module with green
``socket``/``threading`` in place, then puts ``sys.modules`` back, but not the attribute on the package
(eventlet issue #316). After that, ``import urllib.request; urllib.request.urlopen(...)`` in a test runs
eventlet's green copy: its waits switch to an eventlet hub in the test's own thread, beside Playwright's
greenlets, and a ``http.server.ThreadingHTTPServer`` answers on green threads that nothing runs. In one
pytest process this made the echo page's load time out and the next test hang for good, but only when
the run had imported the product's server modules (any unit test does), never with one file alone.

The server itself is unaffected: it monkey-patches everything before importing anything.
"""

from __future__ import annotations

import sys
import warnings

# The standard modules eventlet re-imports under a package (eventlet/green/*.py, patcher.inject).
INJECTED = ("http.server", "urllib.request", "urllib.response", "urllib.error", "urllib.parse")


def import_eventlet_modules() -> None:
    """Imports what re-binds the packages now, so that the repair below sees every rebinding."""
    with warnings.catch_warnings():
        # eventlet announces its bugfix-only maintenance once, on first import; the project chose it knowingly.
        warnings.simplefilter("ignore")
        import eventlet.green.urllib.request  # noqa: F401
        import eventlet.wsgi  # noqa: F401


def rebound() -> list[str]:
    """The injected modules whose package attribute is not the module ``sys.modules`` holds."""
    found = []
    for name in INJECTED:
        package, _, child = name.rpartition(".")
        module = sys.modules.get(name)
        if module is not None and package in sys.modules and getattr(sys.modules[package], child, module) is not module:
            found.append(name)
    return found


def restore() -> None:
    """Points each package back at its standard module."""
    for name in rebound():
        package, _, child = name.rpartition(".")
        setattr(sys.modules[package], child, sys.modules[name])
