"""The application facade: one PureMVC core per server instance, keyed so several can share a process."""

from __future__ import annotations

from puremvc.patterns.facade import Facade

from . import notifications as n
from .controller.adopt_sessions_command import AdoptSessionsCommand
from .controller.build_video_command import BuildVideoCommand
from .controller.cancel_session_command import CancelSessionCommand
from .controller.cleanup_command import CleanupCommand
from .controller.detach_sessions_command import DetachSessionsCommand
from .controller.echo_command import EchoCommand
from .controller.encoder_progress_command import EncoderProgressCommand
from .controller.end_session_command import EndSessionCommand
from .controller.fail_session_command import FailSessionCommand
from .controller.finish_processing_command import FinishProcessingCommand
from .controller.finish_upload_command import FinishUploadCommand
from .controller.finish_video_command import FinishVideoCommand
from .controller.keep_segment_command import KeepSegmentCommand
from .controller.let_go_session_command import LetGoSessionCommand
from .controller.receive_audio_command import ReceiveAudioCommand
from .controller.receive_frame_command import ReceiveFrameCommand
from .controller.resume_session_command import ResumeSessionCommand
from .controller.session_status_command import SessionStatusCommand
from .controller.start_session_command import StartSessionCommand
from .controller.startup_command import StartupCommand
from .controller.supervise_session_command import SuperviseSessionCommand
from .controller.sweep_command import SweepCommand
from .controller.upload_command import UploadCommand
from .controller.upload_progress_command import UploadProgressCommand
from .settings import Settings
from .view.encoder_mediator import EncoderMediator
from .view.mediators import MEDIATORS
from .view.socket_mediator import SocketMediator

COMMANDS = {
    n.STARTUP: StartupCommand,
    # A client's requests.
    n.ECHO: EchoCommand,
    n.START_SESSION: StartSessionCommand,
    n.RECEIVE_AUDIO: ReceiveAudioCommand,
    n.RECEIVE_FRAME: ReceiveFrameCommand,
    n.END_SESSION: EndSessionCommand,
    n.CANCEL_SESSION: CancelSessionCommand,
    n.GET_SESSION_STATUS: SessionStatusCommand,
    n.RESUME_SESSION: ResumeSessionCommand,
    n.CLIENT_DISCONNECTED: DetachSessionsCommand,
    # A session's life: every change of state requests its action, in one place, and the card's commands do it.
    n.SESSION_CHANGED: SuperviseSessionCommand,
    n.BUILD_VIDEO: BuildVideoCommand,
    n.UPLOAD_VIDEO: UploadCommand,
    n.CLEAN_UP_SESSION: CleanupCommand,
    n.FAIL_SESSION: FailSessionCommand,
    # What the encoder and the upload report.
    n.ENCODER_PROGRESSED: EncoderProgressCommand,
    n.ENCODER_FINISHED: FinishVideoCommand,
    n.SEGMENT_ENCODED: KeepSegmentCommand,
    n.UPLOAD_PROGRESSED: UploadProgressCommand,
    n.UPLOAD_FINISHED: FinishUploadCommand,
    n.PROCESSING_FINISHED: FinishProcessingCommand,
    n.SWEEP: SweepCommand,
    # Sessions that change hands: taken in from the work folder, let go to another node.
    n.ADOPT_SESSIONS: AdoptSessionsCommand,
    n.LET_GO_OF_SESSION: LetGoSessionCommand,
}


class ApplicationFacade(Facade):
    def initialize_controller(self) -> None:
        """Register commands while the core is built; sending anything here would deadlock.

        puremvc's ``get_instance`` holds a non-reentrant lock while this runs.
        """
        super().initialize_controller()
        for name, command in COMMANDS.items():
            self.register_command(name, command)

    def startup(self, settings: Settings) -> None:
        """Called after ``get_instance`` has returned, when notifications are safe to send."""
        self.send_notification(n.STARTUP, settings)

    def shutdown(self, grace_s: float = 0) -> None:
        """Stop accepting, let ending encodes finish (at most ``grace_s``), then stop everything and
        drop the core (which calls no ``on_remove`` by itself). Every session stays resumable."""
        socket: SocketMediator | None = self.retrieve_mediator(SocketMediator.NAME)
        encoders: EncoderMediator | None = self.retrieve_mediator(EncoderMediator.NAME)
        if socket is not None:
            socket.stop_accepting()
        if encoders is not None and grace_s > 0:
            encoders.drain(grace_s)
        for mediator in reversed(MEDIATORS):
            self.remove_mediator(mediator.NAME)
        Facade.remove_core(self.multitonKey)


def get_facade(key: str) -> ApplicationFacade:
    return ApplicationFacade.get_instance(key, ApplicationFacade)
