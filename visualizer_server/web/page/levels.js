// What a style draws from: the take's raw levels for a frame ({bands, rms, onset}, 0..1), made
// fit for the eye. Fast attack (a kick shows in the frame of its onset), slow release (no
// flicker), a slow automatic gain (quiet masters still move), and a soft limiter instead of a
// clip (a loud passage approaches the edge of the frame, never leaves it).

const ATTACK = 0.85;          // share of a rise taken in one frame
const RELEASE_S = 0.35;       // a level falls to 1/e of itself in this time
const BEAT_RELEASE_S = 0.18;  // the beat pulse's fall
const GAIN_RELEASE_S = 6;     // how fast the automatic gain forgets a loud passage
const ONSET_THRESHOLD = 0.3;  // an onset strength above this is a beat
const KNEE = 0.7;             // below it a level passes unchanged; above it, it bends towards 1

/** Soft limiter: identity below KNEE, then a tanh curve that never reaches 1. */
export function limit(value) {
  if (value <= KNEE) return Math.max(0, value);
  return KNEE + (1 - KNEE) * Math.tanh((value - KNEE) / (1 - KNEE));
}

/** Per-frame smoothing of a take's levels; `step` once per frame, in frame order. */
export class Envelope {
  constructor(fps, bandCount = 32) {
    this.release = Math.exp(-1 / (RELEASE_S * fps));
    this.beatRelease = Math.exp(-1 / (BEAT_RELEASE_S * fps));
    this.gainRelease = Math.exp(-1 / (GAIN_RELEASE_S * fps));
    this.bands = new Float32Array(bandCount);
    this.rms = 0;
    this.beat = 0;        // 1 on the frame of an onset, then falling
    this.beats = 0;       // onsets so far: styles alternate colours on it
    this.peak = 0.25;     // the running loudest level, for the automatic gain
  }

  /** Advance one frame with `levels` ({bands, rms, onset}, or null for silence). */
  step(levels) {
    const bands = levels?.bands ?? this.bands.map(() => 0);
    const loudest = Math.max(levels?.rms ?? 0, ...bands);
    this.peak = Math.max(loudest, this.peak * this.gainRelease, 0.25);
    const gain = 0.9 / this.peak;
    for (let i = 0; i < this.bands.length; i++) this.bands[i] = this.#follow(this.bands[i], limit((bands[i] ?? 0) * gain));
    this.rms = this.#follow(this.rms, limit((levels?.rms ?? 0) * gain));
    const onset = Number(levels?.onset ?? 0);
    if (onset > ONSET_THRESHOLD) {
      this.beat = 1;
      this.beats++;
    } else {
      this.beat *= this.beatRelease;
    }
    return this;
  }

  /** Mean of bands `from`..`to`-1: bass is 0..6 (30 to about 110 Hz). */
  mean(from, to) {
    let sum = 0;
    for (let i = from; i < to; i++) sum += this.bands[i];
    return sum / (to - from);
  }

  #follow(current, target) {
    return target > current ? current + (target - current) * ATTACK : target + (current - target) * this.release;
  }
}
