"""``visualizer-client send --encode``: the folder's frames encoded here, sent as an ``h264`` session.

Where the link is thin, H.264 access units are 10 to 100 times smaller than the images; the
server then only copies them into the MP4. The encode uses the ffmpeg the package already
ships, with the settings the server would use (H.264 High, yuv420p limited range, BT.709), a
key frame every second and no B-frames (the server copies streams without them).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

from ..model.h264 import split_access_units
from .folder import FolderError, FrameFolder

PIPE_DECODERS = {"png": "png", "jpeg": "mjpeg", "webp": "webp"}
PRESET, CRF = "veryfast", "20"


def encode_folder(folder: FrameFolder, fps: int, scratch: Path) -> FrameFolder:
    """The folder as one access unit a file in ``scratch`` (``00000042.h264``), in decode order."""
    stream = scratch / "stream.h264"
    _run_x264(folder, fps, stream)
    units = split_access_units(stream.read_bytes())
    if len(units) != len(folder.paths):
        raise FolderError(f"ffmpeg made {len(units)} pictures of {len(folder.paths)} frames; check the frames decode")
    paths = []
    for index, unit in enumerate(units):
        path = scratch / f"{index:08d}.h264"
        path.write_bytes(unit)
        paths.append(path)
    stream.unlink()
    return FrameFolder(tuple(paths), "h264", folder.width, folder.height)


def _run_x264(folder: FrameFolder, fps: int, output: Path) -> None:
    command = [
        # imageio-ffmpeg's binary, named here rather than through the server's encoding package,
        # whose import brings in eventlet (and its deprecation notice) to a command line that needs none.
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "image2pipe", "-c:v", PIPE_DECODERS[folder.format], "-framerate", str(fps), "-i", "pipe:0",
        "-vf", "scale=out_range=tv:out_color_matrix=bt709,format=yuv420p",
        "-c:v", "libx264", "-preset", PRESET, "-crf", CRF, "-profile:v", "high", "-bf", "0", "-g", str(fps),
        "-x264-params", "colorprim=bt709:transfer=bt709:colormatrix=bt709", "-f", "h264", str(output),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for path in folder.paths:
            process.stdin.write(path.read_bytes())
        process.stdin.close()
    except BrokenPipeError:
        pass  # ffmpeg stopped early: its exit code and message say why
    errors = process.stderr.read().decode(errors="replace").strip()
    if process.wait() != 0:
        raise FolderError(f"ffmpeg could not encode the frames: {errors or 'no message'}")
