// The test page: the original echo, and the visualizer that renders a track frame by frame,
// sends the frames to the server, and shows the finished video.
import { demoTrack, decodeFile, encodeWav, spectrumAt } from "./audio.js";
import { VisualizerScene } from "./scene.js";
import { captureFrame } from "./capture.js";
import { Session } from "./session.js";

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token");

function say(text, kind = "") {
  const line = document.createElement("div");
  line.textContent = text;
  if (kind) line.className = kind;
  $("log").appendChild(line);
}

// --- the original service's echo ------------------------------------------------------------
const socket = io({ transports: ["websocket"], auth: token ? { token } : {} });
window.visualizer = { socket }; // for tests and the curious: window.visualizer.socket
function sendTest() {
  socket.emit("test", "Allo?");
  say("SENT");
}
socket.on("connect", () => { say("CONNECTED"); sendTest(); });
socket.on("disconnect", (reason) => say(`DISCONNECTED (${reason})`));
socket.on("connect_error", (error) => say(`ERROR: ${error.message}`, "error"));
socket.on("test", (message) => say(`RESPONSE: ${message}`));
$("send-test").addEventListener("click", sendTest);

// --- progress ---------------------------------------------------------------------------------
function setState(state) {
  $("state").textContent = state;
  document.body.dataset.state = state;
}

function showBar(name, done, total, started) {
  const bar = $(`${name}-bar`);
  bar.max = total || 1;
  bar.value = done;
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const left = rate > 0 && total ? (total - done) / rate : null;
  $(`${name}-text`).textContent = `${done} / ${total} (${rate.toFixed(1)}/s${left !== null ? `, ${left.toFixed(0)} s left` : ""})`;
}

function fail(message) {
  setState("failed");
  $("error").textContent = message;
  say(`ERROR: ${message}`, "error");
}

// --- the visualizer ---------------------------------------------------------------------------
let current = null;

async function loadAudio(seconds) {
  const file = $("audio-file").files[0];
  if (!file) {
    const samples = demoTrack(seconds);
    return { samples, bytes: encodeWav(samples), filename: "demo-tone.wav" };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { samples: await decodeFile(bytes), bytes, filename: file.name };
}

function readForm() {
  const [width, height] = $("resolution").value.split("x").map(Number);
  const video = { title: $("title").value || "Visualizer render", privacy: $("privacy").value };
  if ($("description").value) video.description = $("description").value;
  return { width, height, fps: Number($("fps").value), format: $("format").value, seconds: Number($("seconds").value),
           upload: $("upload").checked, video };
}

async function render() {
  const form = readForm();
  $("error").textContent = "";
  $("result").hidden = true;
  $("youtube").hidden = true;
  setState("rendering");
  const audio = await loadAudio(form.seconds);
  const seconds = $("audio-file").files[0] ? audio.samples.length / 48000 : form.seconds;
  const frames = Math.round(seconds * form.fps);
  const canvas = $("preview");
  const scene = new VisualizerScene(canvas, form.width, form.height);
  const started = performance.now();
  let encodeStarted = null, uploadStarted = null, videoBytes = 0;
  const session = new Session(socket, {
    onProgress: (p) => {
      encodeStarted ??= performance.now();
      showBar("encode", p.frames_encoded, frames, encodeStarted);
      if (p.stage === "encoding" && $("state").textContent === "rendering") setState("encoding");
      if (p.stage === "uploading") {
        setState("uploading");
        uploadStarted ??= performance.now();
        showBar("upload", p.bytes_uploaded, videoBytes, uploadStarted);
      }
      if (p.waiting_for_encoder) $("encode-text").textContent = "waiting for a free encoder";
    },
    onVideo: (v) => {
      videoBytes = v.bytes;
      const player = $("result");
      player.src = v.url + (token ? `?token=${encodeURIComponent(token)}` : "");
      player.hidden = false;
      $("video-link").href = player.src;
      $("video-link").textContent = `${v.frames} frames, ${v.duration_s} s, ${v.width}x${v.height}, ${(v.bytes / 1e6).toFixed(1)} MB`;
      if (!session.upload) setState("done");
    },
    onUpload: (u) => {
      u.warnings.forEach((warning) => say(`WARNING: ${warning}`, "error"));
      $("youtube").href = u.url;
      $("youtube").textContent = `On YouTube: ${u.url}`;
      $("youtube").hidden = false;
      setState("done");
    },
    onFailed: (error) => fail(`${error.message} (${error.code})`),
    onResumed: (ack) => say(`RESUMED: the server holds ${ack.frames_received.map(([a, b]) => `${a}-${b}`).join(", ") || "no frames"}`),
  });
  current = session;
  try {
    await session.start({ width: form.width, height: form.height, fps: form.fps, format: form.format, frame_count: frames,
                          audio: { filename: audio.filename, size: audio.bytes.length }, video: form.video, upload: form.upload });
    await session.sendAudio(audio.bytes);
    for (let index = 0; index < frames && !session.cancelled; index++) {
      scene.render(index, form.fps, spectrumAt(audio.samples, index, form.fps));
      await session.sendFrame(index, await captureFrame(canvas, scene.renderer, form.format));
      showBar("send", session.ackedCount, frames, started);
    }
    if (session.cancelled) return;
    await session.end(frames);
    showBar("send", frames, frames, started);
    if ($("state").textContent === "rendering") setState("encoding");
  } catch (error) {
    fail(error.message);
  } finally {
    scene.dispose();
  }
}

$("render").addEventListener("click", () => render().catch((error) => fail(error.message)));
$("cancel").addEventListener("click", async () => {
  if (!current) return;
  await current.cancel();
  setState("cancelled");
  say("CANCELLED: the session and its files were removed");
});
