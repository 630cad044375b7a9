// Per-frame levels of a track, computed offline from its samples (our own FFT, in order), so the
// same track gives the same levels whatever the machine's speed: what an AnalyserNode, which runs
// in real time, cannot give a recording that runs slower or faster than real time.
//
// For frame i (centred on i / fps seconds): 32 band levels log-spaced from 30 Hz to 12 kHz, the
// RMS of the window, and an onset strength (how much the bands rose since the frame before), each
// 0..1. Samples arrive in pieces and are dropped once no frame needs them, so a long track never
// sits whole in memory; only the levels (34 numbers a frame) are kept.

export const BANDS = 32;
const LOWEST_HZ = 30;
const HIGHEST_HZ = 12000;
const ONSET_GAIN = 4; // a rise of a quarter of the full scale, averaged over the bands, is a full onset

/** The FFT length for a sample rate: about 43 ms of sound at 44.1 and 48 kHz. */
export const windowSize = (sampleRate) => (sampleRate > 32000 ? 2048 : 1024);

/** In-place radix-2 FFT of (re, im), length a power of two. */
export function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j], re[i]]; [im[i], im[j]] = [im[j], im[i]]; }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = -2 * Math.PI / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const cos = Math.cos(angle * k), sin = Math.sin(angle * k);
        const a = start + k, b = a + size / 2;
        const tre = re[b] * cos - im[b] * sin, tim = re[b] * sin + im[b] * cos;
        re[b] = re[a] - tre; im[b] = im[a] - tim; re[a] += tre; im[a] += tim;
      }
    }
  }
}

/** BANDS log-spaced levels (0..1) of one window of samples (`at(i)`: sample i of the window, 0 outside the track). */
export function bandLevels(at, size, sampleRate) {
  const re = new Float32Array(size), im = new Float32Array(size);
  for (let i = 0; i < size; i++) re[i] = at(i) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
  fft(re, im);
  const bands = new Float32Array(BANDS);
  for (let band = 0; band < BANDS; band++) {
    const from = LOWEST_HZ * (HIGHEST_HZ / LOWEST_HZ) ** (band / BANDS);
    const to = LOWEST_HZ * (HIGHEST_HZ / LOWEST_HZ) ** ((band + 1) / BANDS);
    const first = Math.floor((from * size) / sampleRate), last = Math.max(first + 1, Math.ceil((to * size) / sampleRate));
    let energy = 0;
    for (let bin = first; bin < last; bin++) energy += Math.hypot(re[bin], im[bin]);
    bands[band] = Math.min(1, Math.log10(1 + energy / (last - first)) / 2);
  }
  return bands;
}

/** Takes mono samples in order (`push`), gives each frame's levels as soon as its window is complete. */
export class LevelAnalyser {
  constructor(sampleRate, fps) {
    this.sampleRate = sampleRate;
    this.fps = fps;
    this.size = windowSize(sampleRate);
    this.buffer = new Float32Array(0);
    this.bufferStart = 0; // the track position of buffer[0]
    this.frames = []; // [{bands, rms, onset}] by frame index
  }

  /** The window of frame `index` starts here (may be negative: the track starts mid-window). */
  #windowStart(index) {
    return Math.round((index / this.fps) * this.sampleRate) - this.size / 2;
  }

  push(samples) {
    const joined = new Float32Array(this.buffer.length + samples.length);
    joined.set(this.buffer);
    joined.set(samples, this.buffer.length);
    this.buffer = joined;
    this.#analyse(false);
  }

  /** The track ended: the frames whose window reaches past its end are analysed with silence there. */
  finish() {
    this.#analyse(true);
    return this.frames;
  }

  #analyse(ended) {
    const end = this.bufferStart + this.buffer.length;
    for (;;) {
      const start = this.#windowStart(this.frames.length);
      if (ended ? start + this.size / 2 >= end : start + this.size > end) break;
      this.frames.push(this.#levels(start, end));
    }
    const keepFrom = Math.max(this.bufferStart, this.#windowStart(this.frames.length));
    this.buffer = this.buffer.slice(keepFrom - this.bufferStart);
    this.bufferStart = keepFrom;
  }

  #levels(start, end) {
    const at = (i) => {
      const position = start + i;
      return position >= this.bufferStart && position < end ? this.buffer[position - this.bufferStart] : 0;
    };
    const bands = bandLevels(at, this.size, this.sampleRate);
    let squares = 0;
    for (let i = 0; i < this.size; i++) squares += at(i) ** 2;
    const previous = this.frames.at(-1)?.bands;
    let rise = 0;
    if (previous) for (let band = 0; band < BANDS; band++) rise += Math.max(0, bands[band] - previous[band]);
    return { bands, rms: Math.min(1, Math.SQRT2 * Math.sqrt(squares / this.size)), onset: Math.min(1, (ONSET_GAIN * rise) / BANDS) };
  }
}
