"""YouTube said how processing of an upload went (or the watch ran out of time): record it, tell the owner."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.events import YouTubeProcessed
from ..model.vo.processing_messages import ProcessingResult
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from .pipeline_command import PipelineCommand


class FinishProcessingCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        result: ProcessingResult = notification.body
        # 1. The client library may have refreshed the access token on the way: keep it.
        youtube: YouTubeCredentialsProxy = self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)
        youtube.save()
        session = self.sessions.find(result.session_id)
        if session is None:
            return  # removed after its retention meanwhile
        # 2. In the manifest, so a restart does not ask again and session_status can tell it.
        session.youtube_processing = {**(session.youtube_processing or {}), "status": result.status,
                                      "reason": result.reason}  # fmt: skip
        self.sessions.save_when_room(session)
        self.send_notification(n.YOUTUBE_PROCESSED, YouTubeProcessed(session.owner_sid, session.id, result.video_id,
                                                                     result.status, result.reason))  # fmt: skip
