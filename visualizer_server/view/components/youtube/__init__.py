"""YouTube's side: the resumable uploader, the processing watcher, the reporter that saves an
upload's session address as soon as YouTube opens it, and the one place that builds the Google
client and reads its errors (``youtube_client``)."""

from .processing_watcher import ProcessingWatcher
from .youtube_uploader import YouTubeUploader

__all__ = ["ProcessingWatcher", "YouTubeUploader"]
