"""YouTube's side: the resumable uploader, the processing watcher and the reporter that saves an
upload's session address as soon as YouTube opens it."""

from .processing_watcher import ProcessingWatcher
from .youtube_uploader import YouTubeUploader

__all__ = ["ProcessingWatcher", "YouTubeUploader"]
