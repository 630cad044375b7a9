"""Runs on SESSION_CHANGED: a session's work follows from the state it enters, here and only here.

Entering a state acquires what it needs (an encoder, an upload) and entering a final one
releases everything (stops the encoder, which gives its slot back, stops the upload) and
removes the files that are no longer needed. No other command starts or stops work.
"""

from __future__ import annotations

import functools

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import UPLOAD_FAILED, UPLOAD_QUOTA
from ..model.vo.encoder_messages import EncodeJob, FinishEncode
from ..model.vo.events import SessionChange, SessionFailure
from ..model.vo.lifecycle import (
    CANCELLED,
    CREATE,
    DONE,
    ENCODING,
    END,
    EXPIRED,
    FAILED,
    FINAL_STATES,
    BACK_TO_WORK,
    RECEIVING,
    RESUME,
    UPLOAD,
    UPLOADING,
)
from ..model.vo.processing_messages import ProcessingWatch
from ..model.vo.session import Session
from ..model.vo.upload_messages import UploadJob
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from ..model.youtube_metadata import youtube_metadata
from .pipeline_command import PipelineCommand


class SuperviseSessionCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        change: SessionChange = notification.body
        session = self.sessions.find(change.session_id)
        if session is None:
            return
        entered, event = change.after, change.event
        # 1. Acquire what the new state needs.
        if entered == RECEIVING and event in (CREATE, *BACK_TO_WORK):
            self._start_encoder(session)
        elif entered == ENCODING and event == END:
            self._end_encoder_input(session)
        elif entered == ENCODING and event in BACK_TO_WORK:
            self._start_encoder(session)
            self._end_encoder_input(session)
        elif entered == UPLOADING and event in (UPLOAD, *BACK_TO_WORK):
            self._start_upload(session)
        elif entered in FINAL_STATES and change.before not in FINAL_STATES:
            self._release(session)
        if entered == DONE and event != RESUME and session.awaits_processing:
            self._watch_processing(session)  # after the upload, or by the node that took the session in
        # 2. Tell the client where its session is now (a new one is told by its start_session answer).
        if event != CREATE:
            self.sessions.report_progress(session, force=True)

    def _start_encoder(self, session: Session) -> None:
        spec, settings = session.spec, self.settings
        job = EncodeJob(
            session_id=session.id,
            width=spec.width,
            height=spec.height,
            fps=spec.fps,
            format=spec.format,
            preset=settings.x264_preset,
            crf=settings.x264_crf,
            frames=session.frames_received,
            frame_path=functools.partial(self.frames.frame_path, session),
            new_intermediate=functools.partial(self.frames.intermediate_path, session),
            buffer_bytes=settings.encoder_buffer_bytes,
            max_restarts=settings.encoder_restarts,
            codec=spec.codec,
            alpha=spec.alpha,
            hardware_encoder=None if spec.format == "h264" else self.config.hardware_encoder_for(spec.codec),
        )
        self.send_notification(n.START_ENCODER, job)

    def _end_encoder_input(self, session: Session) -> None:
        total = session.total_frames or 0
        audio = self.frames.audio_path(session) if session.spec.audio_size else None
        output = self.videos.partial_path(session.id, session.spec.video_extension)
        finish = FinishEncode(session.id, total, output, audio, total / session.spec.fps, session.spec.loudness_lufs)
        self.send_notification(n.END_ENCODER_INPUT, finish)

    def _start_upload(self, session: Session) -> None:
        video = self.videos.video_path(session.id, session.spec.video_extension)
        session.upload_total_bytes = video.stat().st_size
        youtube: YouTubeCredentialsProxy = self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)
        settings = self.settings
        job = UploadJob(
            session_id=session.id,
            path=video,
            metadata=youtube_metadata(session),
            credentials=youtube.credentials,
            chunk_bytes=settings.youtube_chunk_bytes,
            api_endpoint=settings.youtube_api_endpoint,
            resumable_uri=session.upload_uri,  # a saved upload session is continued, not started again (quota)
            thumbnail_frame=session.spec.video.get("thumbnail_frame"),
            playlist_id=session.spec.video.get("playlist_id"),
        )
        self.send_notification(n.START_UPLOAD, job)

    def _watch_processing(self, session: Session) -> None:
        """Poll YouTube until it says how processing went; the deadline counts from the upload, across restarts."""
        youtube: YouTubeCredentialsProxy = self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)
        settings = self.settings
        deadline = session.youtube_processing["since"] + settings.youtube_processing_timeout_s
        watch = ProcessingWatch(session.id, session.video_id, youtube.credentials, settings.youtube_api_endpoint, deadline,
                                settings.youtube_processing_poll_ms / 1000, settings.youtube_processing_poll_max_ms / 1000)  # fmt: skip
        self.send_notification(n.WATCH_PROCESSING, watch)

    def _release(self, session: Session) -> None:
        # 1. Stop the work first, so nothing writes the files once they are gone.
        self.stop_work(session.id)
        self.videos.discard_partial(session.id)
        # 2. Remove what the final state no longer needs.
        if session.state == CANCELLED:
            self.frames.remove_session(session)
            self.videos.remove(session.id)
            self.sessions.forget(session.id)
        elif session.state in (DONE, EXPIRED) or self._upload_failed(session):
            self.frames.remove_frames(session)  # the video (when built) and the manifest stay for the retention
        # (an encode that failed keeps its spool, for a look at what went wrong, until the retention ends)
        # 3. A failure is announced to the client.
        if session.state in (FAILED, EXPIRED):
            self.send_notification(n.SESSION_FAILED, SessionFailure(session.owner_sid, session.id, session.error or {}))

    @staticmethod
    def _upload_failed(session: Session) -> bool:
        return session.state == FAILED and (session.error or {}).get("code") in (UPLOAD_FAILED, UPLOAD_QUOTA)

