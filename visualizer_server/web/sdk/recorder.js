// The recorder SDK: record any page's canvas into a video on a visualizer-server, frame-exact,
// with its audio, resumable, encoded in the browser where that is faster.
//
//   import { Recorder } from "http://127.0.0.1:3000/sdk/recorder.js";
//   const recorder = await Recorder.connect("http://127.0.0.1:3000");
//   const { url } = await recorder.recordAnimation(canvas, { seconds: 10 });
//
// docs/sdk.md describes every option and event; recorder.d.ts declares them.
import { io } from "./vendor/socket.io.esm.min.js";
import { analyseAudio } from "./audio_analysis.js";
import { checkReadable, sourceSize } from "./capture.js";
import { chooseEncoding } from "./encode_choice.js";
import { RecorderError, fail } from "./recorder_error.js";
import { forgetTake, saveTake, savedTakes } from "./saved_session.js";
import { encodedSender, imageSender } from "./senders.js";
import { Session } from "./session.js";
import { chooseConfig, describe } from "./video_encoder.js";
import { VirtualClock } from "./virtual_clock.js";

export { RecorderError };

const FORMATS = ["jpeg", "png", "webp", "rgba"];
const ENCODES = ["auto", "browser", "server"];

export class Recorder {
  constructor(socket, server, token) {
    this.socket = socket;
    this.server = server;
    this.token = token;
  }

  /** Resolves once connected to `serverUrl`; rejects with a RecorderError (`unauthorized` for a wrong token). */
  static async connect(serverUrl, { token } = {}) {
    const server = new URL(serverUrl, globalThis.location?.href).origin;
    // Native timers: recordAnimation replaces the page's setTimeout, and the socket's must keep real time.
    const socket = io(server, { transports: ["websocket"], auth: token ? { token } : {}, useNativeTimers: true });
    await new Promise((resolve, reject) => {
      const settle = (error) => {
        socket.off("connect", settle);
        socket.off("connect_error", settle);
        if (!error) return resolve();
        socket.close();
        reject(error.message === "unauthorized"
          ? fail("unauthorized", "the server refused this connection: pass the token it was started with, Recorder.connect(url, { token })")
          : fail("internal", `could not connect to ${server} (${error.message}): is the server running, and is this page's origin allowed (--cors-origin)?`));
      };
      socket.on("connect", settle);
      socket.on("connect_error", settle);
    });
    return new Recorder(socket, server, token);
  }

  /** A new take: a session on the server, its audio analysed and on its way. */
  async start(options) {
    const settings = takeSettings(options);
    const audio = settings.audio === undefined ? null : audioBlob(settings.audio);
    const [encoding, levels] = await Promise.all([
      chooseEncoding(settings.encode, settings.width, settings.height, settings.fps, settings.format),
      audio ? analyseAudio(audio, settings.fps) : null,
    ]);
    const take = new Take(this, { settings: { ...settings, audio: undefined }, encoding: encodingRecord(encoding),
                                  audio: audio && { size: audio.size, name: audio.name ?? null } });
    await take._begin(sessionSpec(settings, encoding, audio), encoding.choice, audio, levels);
    return take;
  }

  /** The takes this origin left unfinished on this server (after a reload); `take.continue()` goes on with one. */
  interrupted() {
    return Object.values(savedTakes()).filter((record) => record.server === this.server && record.settings)
      .map((record) => new Take(this, record));
  }

  /**
   * Record `canvas` on the recording's clock: installed now, synchronously, so that the page's
   * requestAnimationFrame, performance.now, Date.now, setTimeout, setInterval (and media currentTime)
   * run on a time that advances exactly 1000 / fps ms a frame; frame i is captured right after the
   * animation callbacks of time start + i * 1000 / fps. The real clock is back when the promise settles.
   */
  recordAnimation(canvas, options = {}) {
    const fps = options.fps ?? 30;
    const frameCount = options.frameCount ?? Math.round(options.seconds * fps);
    if (!Number.isInteger(frameCount) || frameCount < 1) {
      return Promise.reject(fail("invalid_request", "recordAnimation needs seconds (or frameCount): how long to record"));
    }
    const clock = new VirtualClock(fps);
    clock.install();
    const record = async () => {
      const [width, height] = sourceSize(canvas);
      const take = await this.start({ width, height, ...options, fps, frameCount });
      for (let index = 0; index < frameCount; index++) {
        clock.advanceTo(index);
        await take.addFrame(canvas, index);
      }
      return take.finish();
    };
    return record().finally(() => clock.restore());
  }

  /** Close the connection (takes in progress stay on the server, resumable). */
  close() {
    this.socket.close();
  }
}

export class Take extends EventTarget {
  constructor(recorder, record) {
    super();
    this.recorder = recorder;
    this.record = record; // what localStorage keeps: {id, token, window, upload, server, settings, encoding, audio}
    this.settings = record.settings;
    this.encoding = record.encoding;
    this.nextIndex = 0;
    this.levels = null;
    this.failure = null;
    this.held = () => false;
    this.waiting = false;
    this.video = null;
    this.finished = new Promise((resolve, reject) => { this.resolveFinished = resolve; this.rejectFinished = reject; });
    this.finished.catch(() => {}); // seen by finish(); not an unhandled rejection before that
    this.session = new Session(recorder.socket, this.#sessionEvents());
  }

  get sessionId() {
    return this.session.id ?? this.record.id;
  }

  /** Used by Recorder.start: the session, its saved record, and the audio on its way. */
  async _begin(spec, choice, audio, levels) {
    const ack = await this.session.start(spec);
    this.record = { ...this.record, id: ack.session_id, token: ack.resume_token, window: ack.window,
                    upload: ack.upload, server: this.recorder.server };
    saveTake(this.record);
    this.levels = levels;
    this.#makeSender(choice, 0);
    this.audioSent = audio ? this.session.sendAudio(audio).catch((error) => this.#failed(error)) : Promise.resolve();
  }

  /** The levels of frame `index`'s audio: {bands: Float32Array(32), rms, onset}, 0..1; null without audio. */
  audioAt(index) {
    if (!this.record.audio) return null;
    if (!this.levels) throw fail("invalid_request", "this take's audio is not analysed yet: pass it to take.continue({ audio }) first");
    return this.levels[index] ?? { bands: new Float32Array(32), rms: 0, onset: 0 };
  }

  /** Send what `source` shows now as frame `index` (default: the next); resolves when another frame may come. */
  async addFrame(source, index = this.nextIndex) {
    if (this.failure) throw this.failure;
    if (!this.sender) throw fail("invalid_request", "this take was interrupted: call take.continue() before adding frames");
    this.#checkFrame(source, index);
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    await this.sender.put(index, source); // takes the pixels before its first await
    if (this.failure) throw this.failure;
  }

  /** End the take: resolves with the video once it is built (and uploaded, with upload: true). */
  async finish() {
    if (this.failure) throw this.failure;
    if (!this.sender) throw fail("invalid_request", "this take was interrupted: call take.continue() before finishing it");
    await this.sender.finish();
    await this.audioSent;
    if (this.failure) throw this.failure;
    await this.session.end(this.settings.frameCount ?? this.nextIndex);
    const result = await this.finished;
    this.#over();
    return result;
  }

  /** Stop the take: the server stops encoding and removes its files. */
  async cancel() {
    this.failure ??= fail("conflict", "the take was cancelled: start a new one");
    await this.session.cancel();
    this.#over();
  }

  /** After a reload: take the session over again; resolves with the first frame index the server lacks. */
  async continue({ audio } = {}) {
    const expected = this.record.audio;
    const blob = audio === undefined ? null : audioBlob(audio);
    if (expected && (!blob || blob.size !== expected.size)) {
      throw fail("invalid_request", `this take's audio (${expected.name ?? "the track"}, ${expected.size} bytes) must be given again, for its analysis: take.continue({ audio })`);
    }
    const ack = await this.session.attach(this.record);
    const ranges = ack.frames_received;
    this.held = (index) => ranges.some(([a, b]) => index >= a && index <= b);
    while (this.held(this.nextIndex)) this.nextIndex++;
    this.levels = blob ? await analyseAudio(blob, this.settings.fps) : null;
    const choice = this.encoding.encode === "browser" ? await chooseConfig(this.settings.width, this.settings.height, this.settings.fps) : null;
    this.#makeSender(choice, this.nextIndex);
    this.audioSent = blob ? this.session.sendAudio(blob, ack.audio_received_bytes).catch((error) => this.#failed(error)) : Promise.resolve();
    return this.nextIndex;
  }

  #makeSender(choice, firstIndex) {
    const held = (index) => this.held(index);
    this.sender = this.encoding.encode === "browser"
      ? encodedSender(this.session, choice, this.settings.fps, firstIndex, held, describe)
      : imageSender(this.session, this.settings.format, held);
  }

  #checkFrame(source, index) {
    const [width, height] = sourceSize(source);
    if (width !== this.settings.width || height !== this.settings.height) {
      throw fail("invalid_request", `the frame is ${width}x${height}, the take ${this.settings.width}x${this.settings.height}: draw at the take's size`);
    }
    if (!Number.isInteger(index) || index < 0 || (this.settings.frameCount !== undefined && index >= this.settings.frameCount)) {
      throw fail("invalid_request", `frame index ${index} is outside the take (0 to ${(this.settings.frameCount ?? Infinity) - 1})`);
    }
    if (this.encoding.encode === "browser" && index !== this.nextIndex) {
      throw fail("invalid_request", `frames encoded in the browser go in order: the next is ${this.nextIndex}, not ${index}`);
    }
    if (!this.checked) {
      checkReadable(source);
      this.checked = true;
    }
  }

  #sessionEvents() {
    return {
      onProgress: (p) => {
        this.#emit("progress", { stage: p.stage, percent: p.percent, framesReceived: p.frames_received,
                                 framesEncoded: p.frames_encoded, bytesUploaded: p.bytes_uploaded,
                                 waitingForEncoder: Boolean(p.waiting_for_encoder),
                                 waitingForDisk: Boolean(p.waiting_for_disk) });
        if (Boolean(p.waiting_for_encoder) !== this.waiting) {
          this.waiting = Boolean(p.waiting_for_encoder);
          if (this.waiting) this.#emit("waiting", { framesReceived: p.frames_received });
        }
      },
      onVideo: (v) => {
        this.video = { sessionId: v.session_id, url: this.#absolute(v.url), frames: v.frames, durationS: v.duration_s,
                       width: v.width, height: v.height };
        if (!this.record.upload) this.resolveFinished(this.video);
      },
      onUpload: (u) => this.resolveFinished({ ...this.video, youtube: { videoId: u.video_id, url: u.url } }),
      onFailed: (error) => this.#failed(new RecorderError(error)),
      onResumed: (ack) => this.#emit("resumed", { framesReceived: ack.frames_received, state: ack.state }),
    };
  }

  #absolute(path) {
    const url = new URL(path, this.recorder.server);
    if (this.recorder.token) url.searchParams.set("token", this.recorder.token);
    return url.href;
  }

  #failed(error) {
    if (this.failure) return;
    this.failure = error instanceof RecorderError ? error : fail("internal", String(error?.message ?? error));
    this.session.abort(this.failure);
    this.rejectFinished(this.failure);
    this.#emit("failed", { error: this.failure, code: this.failure.code, message: this.failure.message });
    this.#over();
  }

  #over() {
    if (this.sessionId) forgetTake(this.sessionId);
    this.session.detach();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** The options with their defaults, checked here so that a mistake is a sentence, not a server round trip. */
function takeSettings(options) {
  const settings = { fps: 30, format: "jpeg", encode: "auto", ...options };
  const even = (value) => Number.isInteger(value) && value % 2 === 0 && value >= 16;
  if (!even(settings.width) || !even(settings.height)) {
    throw fail("invalid_request", "width and height must be even integers of at least 16 (the canvas's size)");
  }
  if (!FORMATS.includes(settings.format)) throw fail("invalid_request", `format must be one of ${FORMATS.join(", ")}`);
  if (!ENCODES.includes(settings.encode)) throw fail("invalid_request", `encode must be one of ${ENCODES.join(", ")}`);
  return settings;
}

function audioBlob(audio) {
  if (audio instanceof Blob) return audio;
  if (audio instanceof ArrayBuffer || ArrayBuffer.isView(audio)) return new Blob([audio]);
  throw fail("invalid_request", "audio must be a File, a Blob or an ArrayBuffer");
}

/** start_session's fields, in the contract's snake_case; absent options stay absent (the server's defaults). */
function sessionSpec(settings, encoding, audio) {
  const spec = { width: settings.width, height: settings.height, fps: settings.fps,
                 format: encoding.encode === "browser" ? "h264" : settings.format,
                 frame_count: settings.frameCount, loudness_lufs: settings.loudnessLufs, codec: settings.codec,
                 alpha: settings.alpha, video: settings.video, upload: settings.upload,
                 audio: audio ? { filename: audio.name || "audio", size: audio.size } : undefined };
  return Object.fromEntries(Object.entries(spec).filter(([, value]) => value !== undefined));
}

/** What a reloaded page needs to know of the choice (the WebCodecs configuration is chosen again). */
function encodingRecord({ encode, reason, trial }) {
  return { encode, reason, trial: trial ?? null };
}
