"""Startup, step 3: take in the work folder a previous run left: alone, discard its half-made
videos; then adopt its sessions and sweep.

Adopting a session only reads its manifest and lists its spool; its encode and upload
start again in their own greenlets. Alone, every half-made video in the output folder is a
crash's leftover; in a cluster another node may be making one right now, so they stay.
"""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.cluster_proxy import ClusterProxy
from .pipeline_command import PipelineCommand
from .sweep_command import STARTUP_SWEEP


class TakeInWorkFolderCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        if not cluster.enabled:
            self.videos.discard_all_partials()
        self.send_notification(n.ADOPT_SESSIONS)
        self.send_notification(n.SWEEP, STARTUP_SWEEP)
