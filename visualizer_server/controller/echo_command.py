"""The original service's echo: ``test`` is answered with ``Cheers, <sid>``."""

from __future__ import annotations

from typing import Any

from .. import notifications as n
from ..model.vo.events import Echo
from ..model.vo.requests import EchoRequest
from .request_command import RequestCommand


class EchoCommand(RequestCommand):
    def handle(self, request: EchoRequest) -> dict[str, Any]:
        self.send_notification(n.ECHOED, Echo(request.sid, f"Cheers, {request.sid}"))
        return {}
