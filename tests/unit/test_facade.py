"""The facade built for real: startup binds a port, shutdown frees it, cores stay apart."""

import json
from eventlet.green.urllib import request as green_request

from puremvc.patterns.facade import Facade

from visualizer_server.facade import get_facade
from visualizer_server.model.session_proxy import SessionProxy
from visualizer_server.view.socket_mediator import SocketMediator


def test_two_servers_live_in_one_process_and_shut_down(core_key, settings, tmp_path):
    import dataclasses

    first = get_facade(core_key)
    second_key = core_key + "-second"
    second = get_facade(second_key)
    try:
        first.startup(dataclasses.replace(settings, port=0))
        second.startup(dataclasses.replace(settings, port=0, work_dir=tmp_path / "other"))
        assert first.retrieve_proxy(SessionProxy.NAME).work_dir != second.retrieve_proxy(SessionProxy.NAME).work_dir
        server = first.retrieve_mediator(SocketMediator.NAME).server
        host, port = server._listener.getsockname()[:2]
        with green_request.urlopen(f"http://{host}:{port}/healthz") as response:
            health = json.load(response)
            assert (health["status"], health["sessions"], health["encoders"], health["redis"]) == ("ok", 0, 0, "off")
    finally:
        first.shutdown()
        second.shutdown()
    assert not Facade.has_core(core_key) and not Facade.has_core(second_key)
