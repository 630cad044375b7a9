"""Startup, step 2: the mediators (``view/mediators.py`` lists them in order), which open the port and own the work."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification
from puremvc.patterns.command import SimpleCommand

from ..model.config_proxy import ConfigProxy
from ..settings import Settings
from ..view.components.encoding.ffmpeg_commands import ffmpeg_exe
from ..view.components.encoding.hardware_probe import HardwareProbe
from ..view.components.encoding.video_encoders import HARDWARE_CODECS
from ..view.mediators import mediators_for

log = logging.getLogger(__name__)


class PrepareViewCommand(SimpleCommand):
    def execute(self, notification: INotification) -> None:
        settings: Settings = notification.body
        # 1. Find the hardware encoders before any session can ask for an encode.
        self._probe_hardware(self.facade.retrieve_proxy(ConfigProxy.NAME), settings.hardware_encoder)
        # 2. Make every mediator first: the socket's binds the port, so a busy port fails the start
        #    before anything runs.
        mediators = [mediator(settings) for mediator in mediators_for(settings)]
        # 3. Register them in their order (the socket last: it starts serving).
        for mediator in mediators:
            self.facade.register_mediator(mediator)

    @staticmethod
    def _probe_hardware(config: ConfigProxy, choice: str) -> None:
        """Keep the hardware encoders that open here. One asked for by name that does not open is a warning,
        not a failed start: sessions are still encoded (in software), and /healthz shows it."""
        probe = HardwareProbe(ffmpeg_exe())
        config.hardware_encoders = probe.choose(choice)
        for encoder, reason in probe.refused.items():
            log.debug("hardware encoder %s does not open here: %s", encoder, reason)
        if choice not in ("auto", "off") and not config.hardware_encoders:
            reasons = "; ".join(f"{encoder}: {reason}" for encoder, reason in probe.refused.items())
            log.warning("--hardware-encoder %s does not open on this machine (%s); encoding in software",
                        choice, reasons)
        software = [codec for codec in HARDWARE_CODECS if config.hardware_encoder_for(codec) is None]
        log.info("hardware encoder: %s (--hardware-encoder %s)%s", config.hardware_encoder_in_use, choice,
                 f"; {', '.join(software)} in software" if software else "")
