// A track decoded in pieces, its mono samples handed on as they come, so that a one-hour MP3 never
// sits decoded in the tab (decodeAudioData holds the whole track, float32 per channel: gigabytes).
// WAV is read a piece at a time by hand; MP3 goes frame by frame through WebCodecs' AudioDecoder.
// Other formats (FLAC, Ogg, AAC) are decoded whole by decodeAudioData, as a last resort.
import { fail } from "./recorder_error.js";

const PIECE_BYTES = 1 << 20;
const MAX_QUEUED_CHUNKS = 64; // MP3 frames waiting in the decoder
const WHOLE_DECODE_RATE = 48000;

/** Calls `start(sampleRate)` once, then `push(monoSamples)` in order; resolves when the track is done. */
export async function decodeInPieces(blob, start, push) {
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  const text = (from, to) => String.fromCharCode(...head.subarray(from, to));
  if (text(0, 4) === "RIFF" && text(8, 12) === "WAVE") return decodeWav(blob, start, push);
  const mp3 = await mp3Start(blob, head);
  if (mp3 !== null && (await mp3Decodable(blob, mp3))) return decodeMp3(blob, mp3, start, push);
  return decodeWhole(blob, start, push);
}

// --- WAV: integer or float PCM, read a piece at a time ------------------------------------------------
async function decodeWav(blob, start, push) {
  const { format, channels, sampleRate, bits, dataStart, dataEnd } = await wavLayout(blob);
  start(sampleRate);
  const frameBytes = channels * (bits / 8);
  const read = sampleReader(format, bits);
  const pieceBytes = PIECE_BYTES - (PIECE_BYTES % frameBytes);
  for (let offset = dataStart; offset + frameBytes <= dataEnd; offset += pieceBytes) {
    const end = Math.min(dataEnd, offset + pieceBytes);
    const view = new DataView(await blob.slice(offset, end - ((end - offset) % frameBytes)).arrayBuffer());
    const mono = new Float32Array(view.byteLength / frameBytes);
    for (let i = 0; i < mono.length; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += read(view, i * frameBytes + (c * bits) / 8);
      mono[i] = sum / channels;
    }
    push(mono);
  }
}

async function wavLayout(blob) {
  const view = new DataView(await blob.slice(0, Math.min(blob.size, 1 << 16)).arrayBuffer());
  const tag = (at) => String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
  let layout = null;
  for (let at = 12; at + 8 <= view.byteLength; ) {
    const size = view.getUint32(at + 4, true);
    if (tag(at) === "fmt ") {
      let format = view.getUint16(at + 8, true);
      if (format === 0xfffe) format = view.getUint16(at + 32, true); // WAVE_FORMAT_EXTENSIBLE: the sub-format
      layout = { format, channels: view.getUint16(at + 10, true), sampleRate: view.getUint32(at + 12, true), bits: view.getUint16(at + 22, true) };
    } else if (tag(at) === "data" && layout) {
      return { ...layout, dataStart: at + 8, dataEnd: Math.min(blob.size, at + 8 + size) };
    }
    at += 8 + size + (size % 2);
  }
  throw fail("invalid_request", "the WAV file has no fmt and data chunks: give the SDK a whole WAV, MP3, FLAC, Ogg or AAC/M4A file");
}

function sampleReader(format, bits) {
  if (format === 3 && bits === 32) return (view, at) => view.getFloat32(at, true);
  if (format === 3 && bits === 64) return (view, at) => view.getFloat64(at, true);
  if (format === 1 && bits === 8) return (view, at) => (view.getUint8(at) - 128) / 128;
  if (format === 1 && bits === 16) return (view, at) => view.getInt16(at, true) / 32768;
  if (format === 1 && bits === 24) return (view, at) => ((view.getInt8(at + 2) << 16) | (view.getUint16(at, true))) / 8388608;
  if (format === 1 && bits === 32) return (view, at) => view.getInt32(at, true) / 2147483648;
  throw fail("invalid_request", `this WAV file's sample format (${format}, ${bits} bits) is not PCM or float: convert it to 16-bit PCM`);
}

// --- MP3: frame by frame through AudioDecoder -------------------------------------------------------
const MP3_BITRATES = { 1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
                       2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] }; // kbit/s, Layer III
const MP3_RATES = [44100, 48000, 32000];
const MP3_DECODER_DELAY = 529; // samples every MPEG Layer III decoder puts first

/** An MPEG audio Layer III frame header at `at`: {length, sampleRate, channels, samples}, or null. */
function mp3Header(bytes, at) {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1] & 0xe0) !== 0xe0) return null;
  const version = (bytes[at + 1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const layer = (bytes[at + 1] >> 1) & 3; // 1: Layer III
  const bitrateIndex = bytes[at + 2] >> 4, rateIndex = (bytes[at + 2] >> 2) & 3;
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const mpeg1 = version === 3;
  const sampleRate = MP3_RATES[rateIndex] / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const bitrate = MP3_BITRATES[mpeg1 ? 1 : 2][bitrateIndex] * 1000;
  const length = Math.floor(((mpeg1 ? 144 : 72) * bitrate) / sampleRate) + ((bytes[at + 2] >> 1) & 1);
  return { length, sampleRate, channels: bytes[at + 3] >> 6 === 3 ? 1 : 2, samples: mpeg1 ? 1152 : 576 };
}

/** Where the first MP3 frame starts (after an ID3v2 tag), or null when the file is not MP3. */
async function mp3Start(blob, head) {
  let at = 0;
  if (head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) { // "ID3": a syncsafe size follows
    at = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]);
  }
  const bytes = new Uint8Array(await blob.slice(at, at + 8192).arrayBuffer());
  const first = mp3Header(bytes, 0);
  return first && mp3Header(bytes, first.length) ? at : null; // two frames in a row: it is MP3
}

async function mp3Decodable(blob, at) {
  if (typeof AudioDecoder === "undefined") return false;
  const header = mp3Header(new Uint8Array(await blob.slice(at, at + 4).arrayBuffer()), 0);
  const config = { codec: "mp3", sampleRate: header.sampleRate, numberOfChannels: header.channels };
  return (await AudioDecoder.isConfigSupported(config).catch(() => ({ supported: false }))).supported;
}

async function decodeMp3(blob, at, start, push) {
  const first = new Uint8Array(await blob.slice(at, at + 4096).arrayBuffer());
  const header = mp3Header(first, 0);
  start(header.sampleRate);
  // Gapless: an encoder's Info/Xing frame is not sound, and the LAME tag in it says how many samples
  // of delay the encoder put first (plus the decoder's own 529): without them the levels come late.
  const info = infoFrame(first, header);
  let skip = info ? info.delay + MP3_DECODER_DELAY : 0;
  if (info) at += header.length;
  let failure = null;
  const output = (data) => {
    let samples = mixed(data);
    data.close();
    if (skip > 0) {
      const dropped = Math.min(skip, samples.length);
      samples = samples.subarray(dropped);
      skip -= dropped;
    }
    if (samples.length) push(samples);
  };
  const decoder = new AudioDecoder({ output, error: (error) => { failure = error; } });
  decoder.configure({ codec: "mp3", sampleRate: header.sampleRate, numberOfChannels: header.channels });
  let timestamp = 0;
  for (let offset = at; offset < blob.size && !failure; ) {
    const piece = new Uint8Array(await blob.slice(offset, offset + PIECE_BYTES).arrayBuffer());
    let used = 0;
    for (let frame; (frame = mp3Header(piece, used)) && used + frame.length <= piece.length; used += frame.length) {
      decoder.decode(new EncodedAudioChunk({ type: "key", timestamp, data: piece.subarray(used, used + frame.length) }));
      timestamp += Math.round((frame.samples * 1e6) / frame.sampleRate);
      while (decoder.decodeQueueSize > MAX_QUEUED_CHUNKS) await new Promise((resolve) => decoder.addEventListener("dequeue", resolve, { once: true }));
    }
    if (used === 0 && mp3Header(piece, 0)) break; // a last frame cut short
    if (used === 0) used = resyncAt(piece); // a tag or junk between frames: skip to the next frame header
    if (used === 0) break; // nothing more that looks like a frame: the end (an ID3v1 tag, say)
    offset += used;
  }
  if (!failure) await decoder.flush().catch((error) => { failure = error; });
  decoder.close();
  if (failure) throw fail("invalid_request", `the MP3 file could not be decoded (${failure.message}): give a whole, valid file`);
}

/** The Xing/Info frame at the start of an MP3 ({delay}: the encoder's delay in samples), or null. */
function infoFrame(bytes, header) {
  const mpeg1 = header.samples === 1152;
  const sideInfo = mpeg1 ? (header.channels === 1 ? 17 : 32) : (header.channels === 1 ? 9 : 17);
  const tag = String.fromCharCode(...bytes.subarray(4 + sideInfo, 8 + sideInfo));
  if (tag !== "Xing" && tag !== "Info") return null;
  const flags = bytes[11 + sideInfo]; // which of frames (4 bytes), bytes (4), TOC (100), quality (4) follow
  const lame = 12 + sideInfo + (flags & 1 ? 4 : 0) + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
  if (String.fromCharCode(...bytes.subarray(lame, lame + 4)) !== "LAME") return { delay: 0 };
  return { delay: (bytes[lame + 21] << 4) | (bytes[lame + 22] >> 4) };
}

function resyncAt(piece) {
  for (let at = 1; at + 4 <= piece.length; at++) if (mp3Header(piece, at)) return at;
  return 0;
}

/** One AudioData as mono float samples (the average of its channels). */
function mixed(data) {
  const mono = new Float32Array(data.numberOfFrames);
  const plane = new Float32Array(data.numberOfFrames);
  for (let c = 0; c < data.numberOfChannels; c++) {
    data.copyTo(plane, { planeIndex: c, format: "f32-planar" });
    for (let i = 0; i < mono.length; i++) mono[i] += plane[i] / data.numberOfChannels;
  }
  return mono;
}

// --- anything else: decodeAudioData, whole ----------------------------------------------------------
async function decodeWhole(blob, start, push) {
  const context = new OfflineAudioContext(1, 1, WHOLE_DECODE_RATE);
  const decoded = await context.decodeAudioData(await blob.arrayBuffer()).catch(() => {
    throw fail("invalid_request", "this browser cannot decode the audio: give a WAV, MP3, FLAC, Ogg (Vorbis, Opus) or AAC/M4A file");
  });
  start(decoded.sampleRate);
  const mono = new Float32Array(decoded.length);
  for (let c = 0; c < decoded.numberOfChannels; c++) {
    decoded.getChannelData(c).forEach((value, i) => { mono[i] += value / decoded.numberOfChannels; });
  }
  push(mono);
}
