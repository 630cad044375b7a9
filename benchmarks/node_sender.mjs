// Sends a folder of frames through one session with the official socket.io-client, as a
// browser would: at most `window` frames in flight. Prints one JSON line of timings (ms).
// usage: node node_sender.mjs URL DIR FORMAT WIDTH HEIGHT FPS AUDIO|- [--ingest-only | --repeat N] [--flood]
// --repeat N sends the folder's frames N times over (frame i carries file i mod count): a long
// session without a long folder.
// --ingest-only sends every frame but frame 0 and does not end the session: no frame is ever
// next in order, so the acks time receiving, checking and storing alone, not the encoder
// (whose back-pressure otherwise paces the acks, by design).
// --flood ignores `window`: every frame is emitted at once, as a client that does not play by
// the rules would (the server must slow it down by not reading, not buffer it).
import { io } from "socket.io-client";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [url, dir, format, width, height, fps, audioPath, ...options] = process.argv.slice(2);
const ingestOnly = options.includes("--ingest-only");
const repeat = options.includes("--repeat") ? Number(options[options.indexOf("--repeat") + 1]) : 1;
const flood = options.includes("--flood");
const audio = audioPath !== "-" ? readFileSync(audioPath) : null;
const files = readdirSync(dir).filter((name) => !name.startsWith(".")).sort().map((name) => readFileSync(join(dir, name)));
const frames = Array.from({ length: files.length * repeat }, (_, index) => files[index % files.length]);

const socket = io(url, { transports: ["websocket"] });
await new Promise((resolve, reject) => { socket.once("connect", resolve); socket.once("connect_error", reject); });
const ready = new Promise((resolve) => socket.on("video_ready", resolve));
const failed = new Promise((resolve) => socket.on("session_failed", resolve));

const spec = { width: Number(width), height: Number(height), fps: Number(fps), format };
if (audio) spec.audio = { filename: "audio.wav", size: audio.length };
const started = await socket.emitWithAck("start_session", spec);
if (!started.ok) throw new Error(JSON.stringify(started.error));
const sessionId = started.session_id;
for (let offset = 0; audio && offset < audio.length; offset += 1 << 20) {
  const ack = await socket.emitWithAck("audio_chunk", { session_id: sessionId, offset, data: audio.subarray(offset, offset + (1 << 20)) });
  if (!ack.ok) throw new Error(JSON.stringify(ack.error));
}

const firstSent = performance.now();
let lastAck = firstSent;
await new Promise((resolve, reject) => {
  const first = ingestOnly ? 1 : 0;
  let next = first, acked = first, inFlight = 0;
  const pump = () => {
    while ((flood || inFlight < started.window) && next < frames.length) {
      const index = next++;
      inFlight++;
      socket.emit("frame", { session_id: sessionId, index, data: frames[index] }, (ack) => {
        if (!ack.ok) return reject(new Error(JSON.stringify(ack.error)));
        inFlight--; acked++;
        lastAck = performance.now();
        if (acked === frames.length) resolve(); else pump();
      });
    }
  };
  pump();
});

let readyAt = null;
if (!ingestOnly) {
  const ended = await socket.emitWithAck("end_session", { session_id: sessionId, frame_count: frames.length });
  if (!ended.ok) throw new Error(JSON.stringify(ended.error));
  const outcome = await Promise.race([ready, failed.then((event) => { throw new Error(JSON.stringify(event.error)); })]);
  readyAt = performance.now();
}
const sent = ingestOnly ? frames.slice(1) : frames;
const bytes = sent.reduce((sum, frame) => sum + frame.length, 0);
console.log(JSON.stringify({ frames: sent.length, bytes, first_sent_ms: 0, last_ack_ms: lastAck - firstSent,
  ready_ms: readyAt === null ? null : readyAt - firstSent }));
socket.close();
