// The test page: the original echo, and the visualizer that renders a track frame by frame,
// sends the frames to the server, and shows the finished video.
import { demoTrack, decodeFile, encodeWav, spectrumAt } from "../sdk/audio.js";
import { VisualizerScene } from "./scene.js";
import { Session } from "../sdk/session.js";
import { encodedSender, imageSender } from "../sdk/senders.js";
import { chooseConfig, describe } from "../sdk/video_encoder.js";
import { forgetTake, saveTake, savedTakes } from "../sdk/saved_session.js";

// The page keeps one render in progress at a time, with its form, among the SDK's saved takes.
const savedSession = () => Object.values(savedTakes()).find((take) => take.form) ?? null;
const forgetSession = () => { const saved = savedSession(); if (saved) forgetTake(saved.id); };
const saveSession = (session, form, frames, audioName) =>
  saveTake({ id: session.id, token: session.token, window: session.window, upload: session.upload, form, frames, audioName });

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

// --- the encoder: WebCodecs where it has H.264, images otherwise ---------------------------------
let encoderChoice = null;

async function showEncoder() {
  const [width, height] = $("resolution").value.split("x").map(Number);
  encoderChoice = await chooseConfig(width, height, Number($("fps").value));
  $("browser-encode").disabled = !encoderChoice;
  if (!encoderChoice) $("browser-encode").checked = false;
  $("encoder").textContent = encoderChoice ? describe(encoderChoice)
    : "WebCodecs has no H.264 encoder here: frames are sent as images";
  window.visualizer.encoder = $("encoder").textContent;
}
["resolution", "fps"].forEach((id) => $(id).addEventListener("change", showEncoder));
const encoderReady = showEncoder().then(() => { $("browser-encode").checked = Boolean(encoderChoice); });

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
           upload: $("upload").checked, video, encode: $("browser-encode").checked && Boolean(encoderChoice) };
}

function sessionEvents(frames, getSession) {
  let encodeStarted = null, uploadStarted = null, videoBytes = 0;
  return {
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
      forgetSession();
      const player = $("result");
      player.src = v.url + (token ? `?token=${encodeURIComponent(token)}` : "");
      player.hidden = false;
      $("video-link").href = player.src;
      $("video-link").textContent = `${v.frames} frames, ${v.duration_s} s, ${v.width}x${v.height}, ${(v.bytes / 1e6).toFixed(1)} MB`;
      if (!getSession().upload) setState("done");
    },
    onUpload: (u) => {
      u.warnings.forEach((warning) => say(`WARNING: ${warning}`, "error"));
      $("youtube").href = u.url;
      $("youtube").textContent = `On YouTube: ${u.url}`;
      $("youtube").hidden = false;
      setState("done");
    },
    onFailed: (error) => { forgetSession(); fail(`${error.message} (${error.code})`); },
    onResumed: (ack) => say(`RESUMED: the server holds ${ack.frames_received.map(([a, b]) => `${a}-${b}`).join(", ") || "no frames"}`),
  };
}

function clearResult() {
  $("error").textContent = "";
  $("result").hidden = true;
  $("youtube").hidden = true;
  setState("rendering");
}

async function render() {
  await encoderReady;
  const form = readForm();
  clearResult();
  const audio = await loadAudio(form.seconds);
  const seconds = $("audio-file").files[0] ? audio.samples.length / 48000 : form.seconds;
  const frames = Math.round(seconds * form.fps);
  const session = new Session(socket, sessionEvents(frames, () => session));
  current = session;
  await session.start({ width: form.width, height: form.height, fps: form.fps, format: form.encode ? "h264" : form.format,
                        frame_count: frames, audio: { filename: audio.filename, size: audio.bytes.length },
                        video: form.video, upload: form.upload });
  saveSession(session, form, frames, $("audio-file").files[0]?.name ?? null);
  await session.sendAudio(audio.bytes);
  await produce(session, form, audio, frames, 0, () => false);
}

/** After a reload: the saved session continues from the first frame the server lacks. */
async function continueSaved() {
  const saved = savedSession();
  $("continue").hidden = true;
  if (saved.audioName && $("audio-file").files[0]?.name !== saved.audioName) {
    throw new Error(`choose the audio file ${saved.audioName} again to continue its render`);
  }
  clearResult();
  const { form, frames } = saved;
  const audio = await loadAudio(form.seconds);
  const session = new Session(socket, sessionEvents(frames, () => session));
  current = session;
  const ack = await session.attach(saved);
  say(`RESUMED: the server holds ${ack.frames_received.map(([a, b]) => `${a}-${b}`).join(", ") || "no frames"}`);
  await session.sendAudio(audio.bytes, ack.audio_received_bytes);
  const held = (index) => ack.frames_received.some(([a, b]) => index >= a && index <= b);
  let first = 0;
  while (held(first)) first++;
  await produce(session, form, audio, frames, first, held);
}

/** Render frames `first`..`frames`-1 and send what the server does not hold, then end the session. */
async function produce(session, form, audio, frames, first, held) {
  const canvas = $("preview");
  const scene = new VisualizerScene(canvas, form.width, form.height);
  const sender = form.encode
    ? encodedSender(session, await chooseConfig(form.width, form.height, form.fps), form.fps, first, held, describe)
    : imageSender(session, form.format, held);
  const started = performance.now();
  try {
    for (let index = first; index < frames && !session.cancelled; index++) {
      scene.render(index, form.fps, spectrumAt(audio.samples, index, form.fps));
      await sender.put(index, canvas);
      showBar("send", session.ackedCount, frames - first, started);
      $("encoder").textContent = sender.describe();
    }
    await sender.finish();
    if (session.cancelled) return;
    await session.end(frames);
    showBar("send", frames - first, frames - first, started);
    if ($("state").textContent === "rendering") setState("encoding");
  } finally {
    scene.dispose();
  }
}

const run = (task) => () => task().catch((error) => fail(error.message));
$("render").addEventListener("click", run(render));
$("continue").addEventListener("click", run(continueSaved));
$("continue").hidden = !savedSession();
$("cancel").addEventListener("click", async () => {
  if (!current) return;
  await current.cancel();
  forgetSession();
  setState("cancelled");
  say("CANCELLED: the session and its files were removed");
});
