import io

import pytest
from PIL import Image

from visualizer_server.errors import ServiceError
from visualizer_server.model.frame_check import check_frame


def _image(image_format: str, size=(64, 32), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, image_format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("image_format, pil", [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_complete_images_of_the_right_size_pass(image_format, pil):
    check_frame(_image(pil), image_format, 64, 32)


@pytest.mark.parametrize("options", [{"lossless": True}, {"quality": 80}])
def test_both_webp_flavours_are_read(options):
    check_frame(_image("WEBP", **options), "webp", 64, 32)


def test_progressive_jpeg_passes():
    check_frame(_image("JPEG", progressive=True), "jpeg", 64, 32)


@pytest.mark.parametrize(
    "data, image_format, fragment",
    [
        (b"", "png", "empty"),
        (_image("PNG")[:-6], "png", "truncated"),
        (_image("JPEG")[:-10], "jpeg", "truncated"),
        (_image("WEBP")[:-3], "webp", "RIFF length"),
        (_image("PNG"), "jpeg", "not a JPEG"),
        (_image("JPEG"), "png", "not a PNG"),
        (b"garbage" * 100, "webp", "not a WebP"),
        (_image("PNG", size=(66, 32)), "png", "66x32"),
        (_image("JPEG", size=(64, 34)), "jpeg", "64x34"),
        (bytes(64 * 32 * 4 - 1), "rgba", "8192 bytes"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(data, image_format, fragment):
    with pytest.raises(ServiceError) as raised:
        check_frame(data, image_format, 64, 32)
    assert raised.value.code == "bad_frame" and fragment in raised.value.message
