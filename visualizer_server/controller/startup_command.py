"""STARTUP: prepare the model, then the view (mediators read proxies), then take in the work
folder a previous run left (its sessions and, with them, the uploads whose processing YouTube had not reported yet)."""

from __future__ import annotations

from puremvc.patterns.command import MacroCommand

from .prepare_model_command import PrepareModelCommand
from .prepare_view_command import PrepareViewCommand
from .take_in_work_folder_command import TakeInWorkFolderCommand


class StartupCommand(MacroCommand):
    def initialize_macro_command(self) -> None:
        self.add_subcommand(PrepareModelCommand)
        self.add_subcommand(PrepareViewCommand)
        self.add_subcommand(TakeInWorkFolderCommand)
