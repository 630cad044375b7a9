"""Answers CHECK_AUDIO: a quick decode of a session's audio, in the caller's greenlet, off the loop (ffmpeg)."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification
from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..settings import Settings
from ..model.audio_format import refusal
from ..model.vo.audio_messages import AudioCheck
from .components.encoding.audio_probe import AudioProbe
from .components.encoding.ffmpeg_commands import ffmpeg_exe

log = logging.getLogger(__name__)


class AudioCheckMediator(Mediator):
    NAME = "AudioCheckMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, AudioProbe(ffmpeg_exe(), settings.audio_probe_timeout_s))

    def list_notification_interests(self) -> list[str]:
        return [n.CHECK_AUDIO]

    def handle_notification(self, notification: INotification) -> None:
        check: AudioCheck = notification.body
        problem = self.view_component.problem(check.path)
        if problem is not None:
            log.info("session %s: its audio does not decode: %s", check.session_id, problem)
            check.reply.fail(refusal("ffmpeg cannot decode the audio"))
