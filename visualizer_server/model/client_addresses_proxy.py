"""Which network address each connected client came from: sessions are capped per address, not only per connection."""

from __future__ import annotations

from puremvc.patterns.proxy import Proxy


class ClientAddressesProxy(Proxy):
    """sid -> the client's address (``REMOTE_ADDR``), from its connect to its disconnect.

    One client may open many connections; counting sessions per connection alone let one
    address fill the server's whole session cap (8 connections x 4 sessions).
    """

    NAME = "ClientAddressesProxy"

    def __init__(self) -> None:
        super().__init__(self.NAME, {})

    def remember(self, sid: str, address: str | None) -> None:
        if address:
            self.data[sid] = address

    def forget(self, sid: str) -> None:
        self.data.pop(sid, None)

    def address_of(self, sid: str) -> str | None:
        return self.data.get(sid)
