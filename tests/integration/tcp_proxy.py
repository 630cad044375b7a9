"""A loopback TCP proxy that cuts its first connection: a dropped network, made to order.

It cuts after ``cut_after_bytes`` from the client, or when the server's reply carries
``cut_at_reply`` (that chunk is not delivered); with ``refuse_after_cut`` the network stays
down afterwards (new connections are refused).
"""

from __future__ import annotations

import socket
import threading


class CuttingProxy:
    def __init__(
        self, target_port: int, cut_after_bytes: int | None = None, cut_at_reply: bytes | None = None,
        refuse_after_cut: bool = False,
    ) -> None:  # fmt: skip
        self.target_port = target_port
        self.cut_after_bytes = cut_after_bytes
        self.cut_at_reply = cut_at_reply
        self.refuse_after_cut = refuse_after_cut
        self.connections = 0
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            server = socket.create_connection(("127.0.0.1", self.target_port))
            # Only the first websocket connection is cut; the reconnect goes through untouched.
            first = self.cuts == 0
            limit, marker = (self.cut_after_bytes, self.cut_at_reply) if first else (None, None)
            threading.Thread(target=self._pump, args=(client, server, limit, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, None, marker), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, limit: int | None, marker: bytes | None) -> None:
        forwarded = 0
        try:
            while data := source.recv(65536):
                if marker is not None and marker in data:
                    self._cut()
                    break
                sink.sendall(data)
                forwarded += len(data)
                if limit is not None and forwarded >= limit:
                    self._cut()
                    break
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def _cut(self) -> None:
        self.cuts += 1
        if self.refuse_after_cut:
            self.close()

    def close(self) -> None:
        """Stop listening; shutdown() first, as close() alone leaves a blocked accept() accepting."""
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
