// Audio for the visualizer: a generated demo track, WAV encoding, and a deterministic
// per-frame spectrum (our own FFT over the decoded samples, so the same track always
// gives the same frames, whatever the machine's speed).

export const SAMPLE_RATE = 48000;
export const BANDS = 32;
const WINDOW = 2048;

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

/** In-place radix-2 FFT of (re, im), length a power of two. */
function fft(re, im) {
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

/** BANDS log-spaced band levels (0..1) of the window of `samples` centred on frame `index`. */
export function spectrumAt(samples, index, fps) {
  const centre = Math.round((index / fps) * SAMPLE_RATE);
  const re = new Float32Array(WINDOW), im = new Float32Array(WINDOW);
  for (let i = 0; i < WINDOW; i++) {
    const at = centre - WINDOW / 2 + i;
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WINDOW - 1));
    re[i] = at >= 0 && at < samples.length ? samples[at] * hann : 0;
  }
  fft(re, im);
  const bands = new Float32Array(BANDS);
  const lowest = 30, highest = 12000;
  for (let band = 0; band < BANDS; band++) {
    const from = lowest * (highest / lowest) ** (band / BANDS), to = lowest * (highest / lowest) ** ((band + 1) / BANDS);
    const first = Math.floor((from * WINDOW) / SAMPLE_RATE), last = Math.max(first + 1, Math.ceil((to * WINDOW) / SAMPLE_RATE));
    let energy = 0;
    for (let bin = first; bin < last; bin++) energy += Math.hypot(re[bin], im[bin]);
    bands[band] = Math.min(1, Math.log10(1 + energy / (last - first)) / 2);
  }
  return bands;
}
