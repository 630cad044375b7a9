// "Waveform": an oscilloscope line across the frame, built from the band levels (each band a
// harmonic whose height is its level), with a fading echo of the previous instants behind it.
// A kick makes the line jump and thicken in the frame of its onset.
import { accent, fillBackground } from "./palettes.js";

const POINTS = 240;
const ECHOES = 4;

export class ScopeStyle {
  static label = "Waveform";

  constructor({ width, height, palette, layout }) {
    Object.assign(this, { width, height, palette, layout });
    this.history = []; // the band levels of the last few frames, newest first
  }

  draw(ctx, env, t) {
    const { width, height, palette } = this;
    fillBackground(ctx, palette, width, height, env.beat * 0.3);
    this.#grid(ctx);
    this.history.unshift({ bands: Float32Array.from(env.bands), t, beat: env.beat, rms: env.rms });
    this.history.length = Math.min(this.history.length, ECHOES);
    const centre = this.layout.centre.y;
    this.history.slice().reverse().forEach((instant, age, all) => {
      const fresh = age === all.length - 1;
      const amplitude = height * (0.06 + 0.22 * instant.rms + 0.1 * instant.beat); // at most 0.38 of the height
      ctx.lineJoin = "round";
      for (const [widthShare, alpha] of fresh ? [[0.02, 0.15], [0.006, 1]] : [[0.004, 0.12 * (age + 1)]]) {
        ctx.beginPath();
        for (let p = 0; p <= POINTS; p++) {
          const x = p / POINTS, y = centre + amplitude * this.#wave(instant, x);
          if (p === 0) ctx.moveTo(x * width, y); else ctx.lineTo(x * width, y);
        }
        ctx.strokeStyle = accent(palette, 0.2 + instant.t * 0.05, alpha);
        ctx.lineWidth = this.layout.short * widthShare * (1 + 1.5 * instant.beat);
        ctx.stroke();
      }
    });
  }

  /** The line's height at `x` (0..1), within -1..1: the bands as harmonics, bent by tanh (a
   *  limiter, not a clip), tapered to zero at both edges. */
  #wave({ bands, t }, x) {
    let value = 0;
    for (let k = 0; k < bands.length; k += 2) {
      value += bands[k] * Math.sin(2 * Math.PI * ((k / 2 + 1) * 1.5 * x + t * (0.3 + k * 0.05)));
    }
    return Math.tanh(value / 3) * Math.sin(Math.PI * x);
  }

  #grid(ctx) {
    const { width, height, palette } = this, step = this.layout.short / 8;
    ctx.strokeStyle = accent(palette, 0.6, 0.08);
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = step / 2; x < width; x += step) { ctx.moveTo(x, 0); ctx.lineTo(x, height); }
    for (let y = step / 2; y < height; y += step) { ctx.moveTo(0, y); ctx.lineTo(width, y); }
    ctx.stroke();
  }
}
