// Where a take's frames are encoded: in this browser (WebCodecs H.264, sent as access units) or on
// the server (sent as images). "auto" takes the browser's encoder when it runs on the GPU, or when
// a short trial on this machine shows it faster than making the images: a software encoder often
// is not (measured: 4.6 frames/s encoding in Chromium's OpenH264 against 7.4 sending JPEG, at 720p).
import { fail } from "./recorder_error.js";
import { realNow } from "./real_time.js";
import { BrowserEncoder, chooseConfig } from "./video_encoder.js";
import { captureFrame } from "./capture.js";

const TRIAL_FRAMES = 8;

/** {encode: "browser" | "server", choice (the WebCodecs configuration, or null), reason, trial?} */
export async function chooseEncoding(encode, width, height, fps, format) {
  if (encode === "server") return { encode, choice: null, reason: "asked for" };
  const choice = await chooseConfig(width, height, fps);
  if (encode === "browser") {
    if (!choice) throw fail("invalid_request", 'this browser has no WebCodecs H.264 encoder for that size: use encode: "server" (or "auto")');
    return { encode, choice, reason: "asked for" };
  }
  if (!choice) return { encode: "server", choice, reason: "no WebCodecs H.264 encoder here" };
  if (choice.hardware) return { encode: "browser", choice, reason: "a hardware H.264 encoder" };
  const trial = await measure(choice, width, height, fps, format);
  const faster = trial.browserMsPerFrame < trial.imageMsPerFrame;
  return { encode: faster ? "browser" : "server", choice, trial,
           reason: `a trial: ${trial.browserMsPerFrame.toFixed(1)} ms a frame encoding here, ${trial.imageMsPerFrame.toFixed(1)} ms making ${format} images` };
}

/** Milliseconds a frame for each path, on the same moving picture of the take's size. */
async function measure(choice, width, height, fps, format) {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d");
  const paint = (i) => {
    const gradient = context.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, `hsl(${(i * 37) % 360} 80% 50%)`);
    gradient.addColorStop(1, `hsl(${(i * 37 + 180) % 360} 80% 30%)`);
    context.fillStyle = gradient;
    context.fillRect(0, 0, width, height);
    for (let k = 0; k < 40; k++) {
      context.fillStyle = `hsl(${(k * 53 + i * 11) % 360} 90% 60%)`;
      context.fillRect(((k * 97 + i * 13) % width), ((k * 61 + i * 7) % height), width / 10, height / 10);
    }
  };
  // Each path does one frame first, untimed: starting an encoder (or the image codec) is paid once a take.
  const encoder = new BrowserEncoder({ ...choice }, fps, 0);
  paint(0);
  encoder.encode(canvas, 0);
  await encoder.flush();
  let started = realNow();
  for (let i = 1; i <= TRIAL_FRAMES; i++) {
    paint(i);
    encoder.encode(canvas, i);
  }
  await encoder.flush();
  encoder.close();
  const browserMsPerFrame = (realNow() - started) / TRIAL_FRAMES;
  paint(0);
  await captureFrame(canvas, format);
  started = realNow();
  for (let i = 1; i <= TRIAL_FRAMES; i++) {
    paint(i);
    await captureFrame(canvas, format);
  }
  const imageMsPerFrame = (realNow() - started) / TRIAL_FRAMES;
  return { browserMsPerFrame, imageMsPerFrame };
}
