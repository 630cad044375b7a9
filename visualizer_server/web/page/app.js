// The page at /: a musician's track becomes a video. Built on the recorder SDK's public API only
// (/sdk/recorder.js): the take analyses the audio (audioAt), takes the frames (addFrame), and
// finishes, cancels or continues a render after a reload. This module wires the form, the live
// preview, the offline render and the result together.
import { demoTrack } from "./demo_track.js";
import { startEcho } from "./echo.js";
import { FormError, SHORTS_MAX_S, applyQuery, formValues, readForm, restore, sizeFor } from "./form.js";
import { LiveLevels } from "./live_levels.js";
import { PALETTES } from "./palettes.js";
import { forgetRender, saveRender, savedRender } from "./saved_render.js";
import { STYLES, Visual } from "./visual.js";

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const token = query.get("token");
const DEMO_SECONDS = 10;

Object.entries(STYLES).forEach(([value, Style]) => $("style").add(new Option(Style.label, value)));
Object.entries(PALETTES).forEach(([value, palette]) => $("palette").add(new Option(palette.label, value)));
const autostart = applyQuery(query);
window.visualizer = { socket: startEcho(token) }; // for tests and the curious

// --- state and messages -------------------------------------------------------------------------
function setState(state) {
  $("state").textContent = state;
  document.body.dataset.state = state;
}

function fail(message) {
  setState("failed");
  $("error").textContent = message;
}

function showSize() {
  const [width, height] = sizeFor($("aspect").value, $("resolution").value) ?? [];
  const shorts = $("aspect").value === "9:16" ? ` A vertical video of up to ${SHORTS_MAX_S / 60} minutes is a YouTube Short: longer tracks are cut there.` : "";
  $("size-note").textContent = width ? `${width} x ${height} pixels.${shorts}` : "";
}
["aspect", "resolution"].forEach((id) => $(id).addEventListener("change", showSize));

// --- YouTube: offered only when the server can upload ---------------------------------------------
async function checkYouTube() {
  const health = await fetch("/healthz").then((response) => response.json());
  const available = health.youtube === true;
  ["upload", "privacy", "description"].forEach((id) => { $(id).disabled = !available; });
  if (!available) $("upload").checked = false;
  $("upload-note").textContent = available
    ? "This server uploads to the YouTube channel it was authorised for."
    : "Uploading is off: this server has no YouTube credentials (its operator runs 'visualizer-server authorize' "
      + "and starts it with --youtube-token-file). You can still download the video.";
}

// --- the track ----------------------------------------------------------------------------------
/** The audio to use: the chosen file, else the address, else the demo track. */
async function audioSource(form) {
  const file = $("audio-file").files[0];
  if (file) return { blob: file, fileName: file.name };
  const address = $("audio-url").value.trim();
  if (address) {
    const response = await fetch(address).catch(() => null);
    if (!response?.ok) throw new FormError(`the audio address could not be read (${response ? `HTTP ${response.status}` : "no answer, or CORS"})`);
    return { blob: await response.blob(), fileName: null };
  }
  return { blob: demoTrack(form.seconds ?? DEMO_SECONDS), fileName: null };
}

/** The track's length in seconds, from its metadata (no decoding of the whole file). */
function durationOf(blob) {
  const audio = new Audio(), url = URL.createObjectURL(blob);
  return new Promise((resolve, reject) => {
    audio.onloadedmetadata = () => resolve(audio.duration);
    audio.onerror = () => reject(new FormError("this browser cannot play the audio: choose an MP3, WAV, FLAC, Ogg or M4A file"));
    audio.preload = "metadata";
    audio.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}

async function trackFor(form) {
  const file = $("artwork").files[0];
  const artwork = file ? await createImageBitmap(file).catch(() => { throw new FormError("the artwork is not an image this browser can read"); }) : null;
  return { title: form.title, artist: form.artist, artwork };
}

function frameCountFor(form, duration) {
  const seconds = Math.min(duration, form.seconds ?? Infinity, form.aspect === "9:16" ? SHORTS_MAX_S : Infinity);
  return Math.max(1, Math.floor(seconds * form.fps));
}

// --- the preview: real time, audio playing, levels from an analyser ---------------------------
let preview = null;

async function startPreview() {
  stopPreview();
  const form = readForm(), audio = await audioSource(form), track = await trackFor(form);
  const player = new Audio(URL.createObjectURL(audio.blob));
  const live = new LiveLevels(player);
  const visual = new Visual($("stage"), { ...form, fps: 60, track });
  preview = { player, live };
  await player.play();
  setState("previewing");
  $("preview").textContent = "Stop preview";
  const limit = Math.min(form.seconds ?? Infinity, form.aspect === "9:16" ? SHORTS_MAX_S : Infinity);
  const tick = () => {
    if (preview?.player !== player) return;
    visual.draw(live.now());
    if (player.ended || player.currentTime >= limit) stopPreview(); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopPreview() {
  if (!preview) return;
  preview.player.pause();
  URL.revokeObjectURL(preview.player.src);
  preview.live.close();
  preview = null;
  $("preview").textContent = "Preview";
  if ($("state").textContent === "previewing") setState("idle");
}

// --- the render: offline, frame by frame, through a take -------------------------------------------
const recorderReady = import("/sdk/recorder.js").then(({ Recorder }) => Recorder.connect(location.origin, token ? { token } : {}));
let current = null; // {take, cancelled}

function takeOptions(form, audio, frameCount, track) {
  const options = { width: form.width, height: form.height, fps: form.fps, format: "jpeg", encode: form.encode,
                    audio, frameCount, upload: form.upload };
  if (form.upload) {
    const name = [form.artist, form.title].filter(Boolean).join(" - ") || "Visualizer render";
    options.video = { title: name, privacy: form.privacy, description: form.description };
    // The artwork is on every frame; one second in, the style is up to speed: that frame is the thumbnail.
    if (track.artwork) options.video.thumbnail_frame = Math.min(frameCount - 1, form.fps);
  }
  return options;
}

async function render() {
  stopPreview();
  const form = readForm(), audio = await audioSource(form), track = await trackFor(form);
  const frameCount = frameCountFor(form, await durationOf(audio.blob));
  const recorder = await recorderReady;
  clearResult();
  const take = await recorder.start(takeOptions(form, audio.blob, frameCount, track));
  saveRender(take.sessionId, { form: formValues(), fileName: audio.fileName, frameCount });
  await produce(take, form, track, frameCount, 0);
}

/** Draw every frame (the styles carry state from frame to frame) and send those from `first` on. */
async function produce(take, form, track, frameCount, first) {
  const run = { take, cancelled: false };
  current = run;
  $("cancel").disabled = false;
  $("interrupted").hidden = true;
  take.addEventListener("progress", ({ detail }) => {
    if (!run.cancelled && detail.stage === "uploading") setState("uploading");
    $("render-text").textContent = `${detail.stage}: ${detail.framesEncoded ?? 0} of ${frameCount} frames encoded`;
  });
  take.addEventListener("waiting", () => { $("render-text").textContent = "waiting for the server (a free encoder, or the connection)"; });
  take.addEventListener("failed", ({ detail }) => { if (!run.cancelled) fail(detail?.message ?? String(detail)); });
  const visual = new Visual($("stage"), { ...form, track });
  const bar = $("render-bar");
  bar.max = frameCount;
  setState("rendering");
  try {
    for (let index = 0; index < frameCount && !run.cancelled; index++) {
      visual.draw(take.audioAt(index));
      if (index < first) continue;
      await take.addFrame($("stage"), index);
      bar.value = index + 1;
    }
    if (run.cancelled) return;
    setState("encoding");
    const result = await take.finish();
    forgetRender(take.sessionId);
    showResult(result, form);
  } catch (error) {
    if (!run.cancelled) throw error;
  } finally {
    $("cancel").disabled = true;
  }
}

async function cancel() {
  const run = current;
  if (!run || run.cancelled) return;
  run.cancelled = true;
  await run.take.cancel().catch(() => null); // a take already gone on the server is cancelled too
  forgetRender(run.take.sessionId);
  $("error").textContent = "";
  setState("cancelled");
}

function clearResult() {
  $("error").textContent = "";
  ["result", "download", "youtube"].forEach((id) => { $(id).hidden = true; });
  $("render-bar").value = 0;
}

function showResult(result, form) {
  const url = result.url; // absolute, with the token when the server needs one (the SDK adds it)
  $("result").src = url;
  $("result").hidden = false;
  $("download").href = url;
  $("download").download = `${(form.title || "visualizer").replace(/[^\p{L}\p{N} _-]+/gu, "")}.mp4`;
  $("download").hidden = false;
  $("video-facts").textContent = `${result.width} x ${result.height}, ${result.frames} frames, ${result.durationS} s`;
  if (result.youtube) {
    $("youtube").href = result.youtube.url;
    $("youtube").textContent = `On YouTube: ${result.youtube.url}`;
    $("youtube").hidden = false;
  }
  setState("done");
}

// --- after a reload: the render the server still holds ------------------------------------------
let interrupted = null; // {take, saved}

async function offerInterrupted(recorder) {
  const [take] = await recorder.interrupted();
  if (!take) return;
  const saved = savedRender(take.sessionId);
  if (saved) restore(saved.form); // the session's settings, not the page's defaults
  showSize();
  interrupted = { take, saved };
  $("interrupted").hidden = false;
  updateContinue();
}

/** The button is offered once the audio the render needs is there (the same file chosen again). */
function updateContinue() {
  if (!interrupted) return;
  const needed = interrupted.saved?.fileName, chosen = $("audio-file").files[0];
  const ready = !needed || chosen?.name === needed;
  $("continue").disabled = !ready;
  $("interrupted-text").textContent = ready
    ? "A render was interrupted: it can go on from the first frame the server does not have."
    : `A render of ${needed} was interrupted: choose ${needed} again to continue it.`;
}
$("audio-file").addEventListener("change", updateContinue);

async function continueInterrupted() {
  const { take, saved } = interrupted;
  const form = readForm(), audio = await audioSource(form), track = await trackFor(form);
  clearResult();
  const from = await take.continue({ audio: audio.blob });
  const first = Number.isInteger(from) ? from : take.nextIndex ?? 0;
  await produce(take, form, track, saved?.frameCount ?? take.frameCount, first);
}

/** A link may start a render, never an upload to the operator's channel: that takes a click here. */
function autostartRender() {
  if ($("upload").checked) {
    $("upload").checked = false;
    $("upload-note").textContent = "A link started this render without uploading: tick the box and press Render to upload.";
  }
  return render();
}

// --- wiring ---------------------------------------------------------------------------------------
// A cancelled render's own errors never get here: produce() drops them.
const guarded = (task) => () => task().catch((error) => fail(error.message));
$("preview").addEventListener("click", guarded(() => (preview ? Promise.resolve(stopPreview()) : startPreview())));
$("render").addEventListener("click", guarded(render));
$("cancel").addEventListener("click", guarded(cancel));
$("continue").addEventListener("click", guarded(continueInterrupted));
showSize();
const ready = Promise.all([checkYouTube(), recorderReady.then(offerInterrupted)]);
ready.then(() => { document.body.dataset.ready = "true"; if (autostart) guarded(autostartRender)(); },
           (error) => fail(`the recorder could not connect: ${error.message}`));
