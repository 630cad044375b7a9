"""Base of the commands that answer a client's request through its acknowledgement."""

from __future__ import annotations

from typing import Any

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import ServiceError
from ..model.vo.events import RequestRefused
from ..model.vo.requests import ClientRequest
from .pipeline_command import PipelineCommand


class RequestCommand(PipelineCommand):
    """``handle`` returns the acknowledgement's fields or raises the contract's ``ServiceError``."""

    def execute(self, notification: INotification) -> None:
        request: ClientRequest = notification.body
        try:
            request.reply.succeed(**self.handle(request))
        except ServiceError as error:
            request.reply.fail(error)
            self.send_notification(n.REQUEST_REFUSED, RequestRefused(error.code))

    def handle(self, request: Any) -> dict[str, Any]:
        raise NotImplementedError
