"""Opens a session: settles its defaults, checks it against the limits, makes its folder."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import INVALID_REQUEST, LIMIT_EXCEEDED, ServiceError
from ..model.client_addresses_proxy import ClientAddressesProxy
from ..model.cluster_proxy import ClusterProxy
from ..model.vo.requests import StartSessionRequest
from ..model.vo.session import SessionSpec
from .request_command import RequestCommand


class StartSessionCommand(RequestCommand):
    def handle(self, request: StartSessionRequest) -> dict[str, Any]:
        spec = self._settle_upload(request.spec)
        self._check_frame_limit(spec)
        self._check_capacity(spec, request.sid)
        session = self.sessions.create(spec, request.sid)
        session.client_address = self._addresses.address_of(request.sid)
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        if cluster.enabled:
            self.sessions.take_in(session, cluster.claim_new(session.id))
        return {
            "session_id": session.id,
            "resume_token": session.resume_token,
            "max_frame_bytes": spec.max_frame_bytes(self.settings.max_frame_bytes),
            "window": self.settings.window,
            "upload": spec.upload,  # what the server settled: a client that left it out learns whether to wait for YouTube
        }

    @property
    def _addresses(self) -> ClientAddressesProxy:
        return self.facade.retrieve_proxy(ClientAddressesProxy.NAME)

    def _settle_upload(self, spec: SessionSpec) -> SessionSpec:
        """Upload defaults to 'when credentials exist'; asking for it without them is an error."""
        has_credentials = self.settings.youtube_token_file is not None
        if spec.upload and not has_credentials:
            raise ServiceError(
                INVALID_REQUEST,
                "upload was asked for but the server has no YouTube credentials; "
                "start the server with --youtube-token-file or send upload: false",
            )
        upload = has_credentials if spec.upload is None else spec.upload
        return dataclasses.replace(spec, upload=upload)

    def _check_capacity(self, spec: SessionSpec, sid: str) -> None:
        settings = self.settings
        if len(self.sessions.live()) >= settings.max_sessions:
            raise ServiceError(LIMIT_EXCEEDED, f"the server has its maximum of {settings.max_sessions} sessions; try later")
        if len(self.sessions.live_owned_by(sid)) >= settings.max_sessions_per_connection:
            raise ServiceError(
                LIMIT_EXCEEDED,
                f"this connection already has {settings.max_sessions_per_connection} sessions going on; "
                "wait for one to finish or cancel one",
            )
        address = self._addresses.address_of(sid)
        if address and settings.max_sessions_per_address and \
                len(self.sessions.live_from(address)) >= settings.max_sessions_per_address:  # fmt: skip
            raise ServiceError(
                LIMIT_EXCEEDED,
                f"your address already has {settings.max_sessions_per_address} sessions going on; "
                "wait for one to finish or cancel one",
            )
        if (spec.frame_count or 0) > settings.max_frames_per_session:
            raise ServiceError(LIMIT_EXCEEDED, f"frame_count is above this server's {settings.max_frames_per_session}")
        if (spec.audio_size or 0) > settings.max_audio_bytes:
            raise ServiceError(LIMIT_EXCEEDED, f"the audio is above this server's {settings.max_audio_bytes} bytes")
        self.require_disk(spec.audio_size or 0)

    def _check_frame_limit(self, spec: SessionSpec) -> None:
        raw, limit = spec.raw_frame_bytes, self.settings.max_frame_bytes
        if spec.format == "rgba" and raw > limit:
            raise ServiceError(
                LIMIT_EXCEEDED,
                f"an rgba frame of {spec.width}x{spec.height} is {raw} bytes, above this server's "
                f"max_frame_bytes of {limit}; send png, jpeg or webp, or raise --max-frame-bytes",
            )
