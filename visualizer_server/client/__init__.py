"""``visualizer-client``: the command-line client of the service (ping, send). No eventlet here."""
