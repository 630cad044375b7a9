import os

import pytest
from eventlet.websocket import RFC6455WebSocket

from visualizer_server.view.components.transport.fast_websocket import bulk_unmask


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 5, 7, 8, 9, 1000, 65537])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 6])
def test_bulk_unmask_matches_eventlets_byte_by_byte_unmask(length, offset):
    data, mask = os.urandom(length), tuple(os.urandom(4))
    expected = RFC6455WebSocket._apply_mask(data, mask, length=length, offset=offset)
    assert bulk_unmask(data, mask, length=length, offset=offset) == expected


def test_unmasking_twice_gives_the_payload_back():
    data, mask = os.urandom(4099), tuple(os.urandom(4))
    assert bulk_unmask(bulk_unmask(data, mask), mask) == data
