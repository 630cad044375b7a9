// H.264 in the browser with WebCodecs: the canvas becomes Annex B access units, one per frame, in
// decode order, so the server only copies them into the MP4 (format "h264").
//
// Bitrate: YouTube's recommended upload bitrates for SDR (1 Mbit/s at 360p, 2.5 at 480p, 5 at 720p,
// 8 at 1080p, 16 at 1440p, 45 at 2160p; half as much again above 30 fps). YouTube encodes every
// upload again, so more buys nothing there, and this is still 10 to 100 times fewer bytes than
// sending images. A key frame every second: a reloaded page starts a fresh encoder at any frame
// and the stream stays cleanly decodable; seeking in the finished video stays cheap too.

const BITRATES = [[360, 1e6], [480, 2.5e6], [720, 5e6], [1080, 8e6], [1440, 16e6], [Infinity, 45e6]];
// H.264 levels (Table A-1): [level_idc, max macroblocks per second, max frame size in macroblocks].
const LEVELS = [[0x1f, 108000, 3600], [0x20, 216000, 5120], [0x28, 245760, 8192], [0x2a, 522240, 8704],
                [0x33, 983040, 36864], [0x34, 2073600, 36864]];
const PROFILES = [["64", "High"], ["42e0", "Constrained Baseline"]]; // profile_idc (and constraints) in hex
const PROFILE_NAMES = { 66: "Baseline", 77: "Main", 100: "High" };

export function bitrateFor(width, height, fps) {
  const [, bitrate] = BITRATES.find(([lines]) => Math.min(width, height) <= lines);
  return fps > 30 ? bitrate * 1.5 : bitrate;
}

function levelFor(width, height, fps) {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = LEVELS.find(([, perSecond, perFrame]) => macroblocks <= perFrame && macroblocks * fps <= perSecond);
  return (level ?? LEVELS.at(-1))[0].toString(16).padStart(2, "0");
}

/** The first configuration this browser supports, hardware first; null without WebCodecs' H.264. */
export async function chooseConfig(width, height, fps) {
  if (typeof VideoEncoder === "undefined") return null;
  const level = levelFor(width, height, fps);
  for (const acceleration of ["prefer-hardware", "prefer-software"]) {
    for (const [profile, name] of PROFILES) {
      const config = { codec: `avc1.${profile}${profile.length === 2 ? "00" : ""}${level}`, width, height,
                       framerate: fps, bitrate: bitrateFor(width, height, fps), hardwareAcceleration: acceleration,
                       latencyMode: "quality", avc: { format: "annexb" } };
      const { supported } = await VideoEncoder.isConfigSupported(config).catch(() => ({ supported: false }));
      if (supported) return { config, profile: name, hardware: acceleration === "prefer-hardware" };
    }
  }
  return null;
}

/** What the page shows: the codec string asked for, the profile the stream really has, and where it runs. */
export function describe(choice, streamProfile) {
  const where = choice.hardware ? "hardware" : "software";
  const profile = streamProfile ?? choice.profile;
  return `H.264 ${profile} (${choice.config.codec}), ${(choice.config.bitrate / 1e6).toFixed(1)} Mbit/s, ${where} encoder`;
}

export class BrowserEncoder {
  /** `firstIndex`: the frame this encoder starts at; its first output is a key frame there. */
  constructor(choice, fps, firstIndex = 0) {
    this.fps = fps;
    this.firstIndex = firstIndex;
    this.nextIndex = firstIndex;
    this.units = [];
    this.streamProfile = null;
    this.error = null;
    this.encoder = new VideoEncoder({ output: (chunk) => this.#output(chunk), error: (error) => { this.error = error; } });
    this.encoder.configure(choice.config);
  }

  /** Encode what `source` (a canvas, OffscreenCanvas, ImageBitmap or VideoFrame) shows now as frame `index`. */
  encode(source, index) {
    if (this.error) throw this.error;
    const frame = new VideoFrame(source, { timestamp: Math.round((index * 1e6) / this.fps), duration: Math.round(1e6 / this.fps) });
    this.encoder.encode(frame, { keyFrame: index === this.firstIndex || index % this.fps === 0 });
    frame.close();
  }

  /** The access units made so far, oldest first: [{index, data}]. */
  take() {
    const units = this.units;
    this.units = [];
    return units;
  }

  get queued() {
    return this.encoder.encodeQueueSize;
  }

  /** Resolves when the encoder has taken a frame off its queue. */
  dequeued() {
    return new Promise((resolve) => this.encoder.addEventListener("dequeue", resolve, { once: true }));
  }

  async flush() {
    await this.encoder.flush();
    if (this.error) throw this.error;
  }

  close() {
    if (this.encoder.state !== "closed") this.encoder.close();
  }

  #output(chunk) {
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    if (chunk.type === "key") this.streamProfile ??= profileOf(data);
    this.units.push({ index: this.nextIndex++, data });
  }
}

/** The profile named by the SPS in a key unit (the byte after the NAL header is profile_idc). */
function profileOf(unit) {
  for (let i = 0; i + 4 < unit.length; i++) {
    if (unit[i] === 0 && unit[i + 1] === 0 && unit[i + 2] === 1 && (unit[i + 3] & 0x1f) === 7) {
      const idc = unit[i + 4];
      return idc === 66 && unit[i + 5] & 0x40 ? "Constrained Baseline" : PROFILE_NAMES[idc] ?? `profile ${idc}`;
    }
  }
  return null;
}
