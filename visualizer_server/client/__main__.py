"""``python -m visualizer_server.client`` = ``visualizer-client``."""

from visualizer_server.client.cli import main

raise SystemExit(main())
