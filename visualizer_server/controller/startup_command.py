"""STARTUP: prepare the model, then the view (mediators read proxies), then take back old sessions
and watch again the uploads YouTube had not finished processing."""

from __future__ import annotations

from puremvc.patterns.command import MacroCommand

from .prepare_model_command import PrepareModelCommand
from .prepare_view_command import PrepareViewCommand
from .restore_sessions_command import RestoreSessionsCommand
from .watch_processing_again_command import WatchProcessingAgainCommand


class StartupCommand(MacroCommand):
    def initialize_macro_command(self) -> None:
        self.add_subcommand(PrepareModelCommand)
        self.add_subcommand(PrepareViewCommand)
        self.add_subcommand(RestoreSessionsCommand)
        self.add_subcommand(WatchProcessingAgainCommand)
