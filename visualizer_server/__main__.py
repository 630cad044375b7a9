"""``python -m visualizer_server`` and the ``visualizer-server`` script.

eventlet must patch the standard library before puremvc, socketio or anything
else that takes locks or opens sockets is imported.
"""

import warnings

with warnings.catch_warnings():
    # eventlet announces its bugfix-only maintenance on import: a known, accepted choice, not news for users.
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()

from visualizer_server.app import main  # noqa: E402


def run() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    run()
