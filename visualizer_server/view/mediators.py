"""The mediators, in the order they start; a shutdown walks the same list back.

Each is built from the settings and makes its own component (EmployeeAdmin:
``super(NAME, new UserList())``). The order matters both ways: metrics first (everything
reports to them), the cluster's link before the work it fences, encoders before anything can
ask for an encode, the socket last (no request arrives before there is someone to do it).
Backwards, the socket stops taking requests first, and the cluster gives its leases back only
once the encodes and uploads it fenced have stopped.
"""

from __future__ import annotations

from puremvc.patterns.mediator import Mediator

from ..settings import Settings
from .audio_check_mediator import AudioCheckMediator
from .cluster_mediator import ClusterMediator
from .encoder_mediator import EncoderMediator
from .housekeeping_mediator import HousekeepingMediator
from .metrics_mediator import MetricsMediator
from .processing_mediator import ProcessingMediator
from .socket_mediator import SocketMediator
from .upload_mediator import UploadMediator

MEDIATORS: tuple[type[Mediator], ...] = (
    MetricsMediator,
    ClusterMediator,
    EncoderMediator,
    AudioCheckMediator,
    UploadMediator,
    ProcessingMediator,
    HousekeepingMediator,
    SocketMediator,
)


def mediators_for(settings: Settings) -> list[type[Mediator]]:
    """The mediators this server runs: a node alone (no ``--redis-url``) has no cluster link."""
    return [mediator for mediator in MEDIATORS if mediator is not ClusterMediator or settings.redis_url]
