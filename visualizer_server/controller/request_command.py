"""Base of the commands that answer a client's request through its acknowledgement."""

from __future__ import annotations

from typing import Any

from puremvc.interfaces import INotification
from puremvc.patterns.command import SimpleCommand

from .. import notifications as n
from ..errors import SERVER_BUSY, ServiceError
from ..model.config_proxy import ConfigProxy
from ..model.vo.events import RequestRefused
from ..model.vo.requests import ClientRequest
from ..settings import Settings
from .model_access import ModelAccess


class PipelineCommand(ModelAccess, SimpleCommand):
    """Gives commands typed access to the proxies and settings they share."""

    @property
    def settings(self) -> Settings:
        return self.facade.retrieve_proxy(ConfigProxy.NAME).settings

    def require_disk(self, incoming: int) -> None:
        """Refuse new data before the disk fills, rather than half-write it."""
        if not self.frames.has_room(incoming, self.settings.min_free_disk_bytes):
            raise ServiceError(SERVER_BUSY, "the server is short of disk space; try again later")


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
