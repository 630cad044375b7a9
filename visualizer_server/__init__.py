"""visualizer-server: browser-rendered frames in, a finished MP4 (and YouTube upload) out."""

__version__ = "0.1.0"
