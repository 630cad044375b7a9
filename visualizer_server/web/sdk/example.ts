// The integration of docs/sdk.md, type-checked by the tests (`tsc --noEmit -p visualizer_server/web/sdk`).
import { Recorder, RecorderError, type TakeResult } from "./recorder.js";

export async function recordMyCanvas(canvas: HTMLCanvasElement, track: File): Promise<TakeResult> {
  const recorder = await Recorder.connect("http://127.0.0.1:3000", { token: "secret" });
  const take = await recorder.start({ width: canvas.width, height: canvas.height, fps: 30, audio: track });
  take.addEventListener("progress", (event) => console.log(event.detail.stage, event.detail.percent));
  take.addEventListener("failed", (event) => console.error(event.detail.code, event.detail.message));
  const context = canvas.getContext("2d")!;
  for (let index = 0; index < 300; index++) {
    const bass = take.audioAt(index)?.bands[2] ?? 0;
    context.fillStyle = `rgb(${Math.round(bass * 255)}, 40, 90)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
    await take.addFrame(canvas);
  }
  return take.finish();
}

export async function recordMyAnimation(canvas: HTMLCanvasElement): Promise<string> {
  const recorder = await Recorder.connect("http://127.0.0.1:3000");
  for (const take of recorder.interrupted()) await take.cancel();
  try {
    const { url } = await recorder.recordAnimation(canvas, { seconds: 10, fps: 60, encode: "auto" });
    return url;
  } catch (error) {
    if (error instanceof RecorderError && error.code === "unauthorized") return "wrong token";
    throw error;
  }
}
