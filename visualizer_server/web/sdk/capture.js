// A frame source (a 2D or WebGL canvas, an OffscreenCanvas, an ImageBitmap, a VideoFrame) as the
// bytes the server takes: binary blobs or raw RGBA, never base64. What the source shows is taken
// synchronously, when `captureFrame` is called: a WebGL canvas without preserveDrawingBuffer is
// still intact right after drawing, and cleared once the browser has composited it.
import { fail } from "./recorder_error.js";

const MIME = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };
const QUALITY = 0.92;

const isCanvas = (source) =>
  (typeof HTMLCanvasElement !== "undefined" && source instanceof HTMLCanvasElement) ||
  (typeof OffscreenCanvas !== "undefined" && source instanceof OffscreenCanvas);

/** The size a source shows, or a RecorderError for anything that is not a frame source. */
export function sourceSize(source) {
  if (isCanvas(source) || (typeof ImageBitmap !== "undefined" && source instanceof ImageBitmap)) {
    return [source.width, source.height];
  }
  if (typeof VideoFrame !== "undefined" && source instanceof VideoFrame) return [source.displayWidth, source.displayHeight];
  throw fail("invalid_request", "addFrame takes a canvas (2D or WebGL), an OffscreenCanvas, an ImageBitmap or a VideoFrame");
}

/** The source's bytes in `format` (a promise; the pixels are taken before this returns). */
export function captureFrame(source, format) {
  const [width, height] = sourceSize(source);
  if (format !== "rgba" && isCanvas(source)) return blobBytes(toBlob(source, MIME[format]));
  const scratch = drawn(source, width, height);
  if (format === "rgba") return Promise.resolve(new Uint8Array(scratch.getContext("2d").getImageData(0, 0, width, height).data.buffer));
  return blobBytes(scratch.convertToBlob({ type: MIME[format], quality: QUALITY }));
}

function toBlob(canvas, type) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type, quality: QUALITY });
  return new Promise((resolve) => canvas.toBlob(resolve, type, QUALITY));
}

async function blobBytes(promise) {
  return new Uint8Array(await (await promise).arrayBuffer());
}

let scratchCanvas = null;

/** The source drawn on a reused 2D OffscreenCanvas of its size (top row first, as the contract wants). */
function drawn(source, width, height) {
  if (!scratchCanvas || scratchCanvas.width !== width || scratchCanvas.height !== height) {
    scratchCanvas = new OffscreenCanvas(width, height);
  }
  const context = scratchCanvas.getContext("2d", { willReadFrequently: true });
  context.clearRect(0, 0, width, height);
  context.drawImage(source, 0, 0);
  return scratchCanvas;
}

/** The WebGL context of a canvas that already has one, or null (a 2D canvas, a bitmap, a frame). */
function webglContext(source) {
  if (!isCanvas(source)) return null;
  for (const type of ["webgl2", "webgl"]) {
    // getContext of another type than the canvas has returns null; of the same type, the existing one.
    const context = source.getContext(type);
    if (context) return context;
  }
  return null;
}

/**
 * A WebGL canvas made without preserveDrawingBuffer reads back cleared (black or transparent)
 * once the browser has shown it: the peers' most common complaint, silent black videos. Checked on
 * a small copy of the canvas, before its first frame is sent; throws a RecorderError saying what to do.
 */
export function checkReadable(source) {
  const context = webglContext(source);
  if (!context || context.getContextAttributes()?.preserveDrawingBuffer) return;
  const probe = new OffscreenCanvas(32, 32).getContext("2d", { willReadFrequently: true });
  probe.drawImage(source, 0, 0, 32, 32);
  const pixels = probe.getImageData(0, 0, 32, 32).data;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] || pixels[i + 1] || pixels[i + 2]) return;
  throw fail("bad_frame",
    "the WebGL canvas reads back black: it was made without preserveDrawingBuffer, so the browser clears it once it " +
    "is shown. Create its context with { preserveDrawingBuffer: true } (three.js: new WebGLRenderer({ preserveDrawingBuffer: true })), " +
    "or call addFrame right after drawing, in the same task; recordAnimation does that for you");
}
