// Audio for the page: a generated demo track, WAV encoding, whole-file decoding, and the
// per-frame spectrum of decoded samples (audio_levels.js: the same track always gives the
// same frames, whatever the machine's speed).

import { bandLevels, windowSize } from "./audio_levels.js";

export const SAMPLE_RATE = 48000;
const WINDOW = windowSize(SAMPLE_RATE);

/** A few seconds of music-like sound: a chord whose notes swell in turn, and a kick drum. */
export function demoTrack(seconds) {
  const samples = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  const notes = [110, 164.81, 220, 277.18, 329.63, 440];
  for (let i = 0; i < samples.length; i++) {
    const t = i / SAMPLE_RATE;
    let value = 0;
    notes.forEach((frequency, n) => {
      const swell = 0.5 + 0.5 * Math.sin(2 * Math.PI * (0.25 * t + n / notes.length));
      value += 0.12 * swell * Math.sin(2 * Math.PI * frequency * (1 + 0.002 * Math.sin(t * 3)) * t);
    });
    const beat = t % 0.5;
    value += 0.6 * Math.exp(-beat * 18) * Math.sin(2 * Math.PI * (60 - 40 * beat) * beat);
    samples[i] = Math.max(-1, Math.min(1, value));
  }
  return samples;
}

/** 16-bit mono PCM WAV bytes of `samples`. */
export function encodeWav(samples, sampleRate = SAMPLE_RATE) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (offset, value) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true); view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, "data"); view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.round(s * 32767), true));
  return new Uint8Array(buffer);
}

/** Decode any audio file the browser can play into mono samples at SAMPLE_RATE. */
export async function decodeFile(bytes) {
  const context = new OfflineAudioContext(1, 1, SAMPLE_RATE);
  const decoded = await context.decodeAudioData(bytes.slice(0).buffer);
  const mono = new Float32Array(decoded.length);
  for (let channel = 0; channel < decoded.numberOfChannels; channel++) {
    decoded.getChannelData(channel).forEach((v, i) => { mono[i] += v / decoded.numberOfChannels; });
  }
  return mono;
}

/** BANDS log-spaced band levels (0..1) of the window of `samples` centred on frame `index`. */
export function spectrumAt(samples, index, fps) {
  const first = Math.round((index / fps) * SAMPLE_RATE) - WINDOW / 2;
  const at = (i) => (first + i >= 0 && first + i < samples.length ? samples[first + i] : 0);
  return bandLevels(at, WINDOW, SAMPLE_RATE);
}
