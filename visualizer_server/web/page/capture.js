// A rendered frame as the bytes the server takes: binary blobs or raw RGBA, never base64.

const MIME = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

export async function captureFrame(canvas, renderer, format) {
  if (format === "rgba") return readRgba(renderer, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, MIME[format], 0.92));
  return new Uint8Array(await blob.arrayBuffer());
}

/** readPixels gives the bottom row first; the contract wants the top row first. */
function readRgba(renderer, width, height) {
  const gl = renderer.getContext();
  const pixels = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  const flipped = new Uint8Array(pixels.length);
  const row = width * 4;
  for (let y = 0; y < height; y++) flipped.set(pixels.subarray(y * row, (y + 1) * row), (height - 1 - y) * row);
  return flipped;
}
