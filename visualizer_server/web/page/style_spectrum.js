// "Spectrum": mirrored bars rising from a horizon, with a reflection below it and peak caps that
// fall slowly. A kick lifts the horizon's glow and widens every bar in the frame of its onset.
import { accent, fillBackground } from "./palettes.js";

const PEAK_FALL = 0.012; // share of the frame's height a peak cap falls per frame

export class SpectrumStyle {
  static label = "Spectrum bars";

  constructor({ width, height, palette, layout }) {
    Object.assign(this, { width, height, palette, layout });
    this.peaks = new Float32Array(64);
  }

  draw(ctx, env) {
    const { width, height, palette } = this;
    fillBackground(ctx, palette, width, height, env.beat * 0.6);
    const horizon = height * (height > width ? 0.55 : 0.62);
    const count = 64, gap = width * 0.004, barWidth = (width * 0.9 - gap * (count - 1)) / count;
    const tallest = horizon * 0.8, left = width * 0.05;
    ctx.fillStyle = accent(palette, 0.1, 0.25 + 0.6 * env.beat);
    ctx.fillRect(0, horizon - height * 0.002, width, height * (0.004 + 0.01 * env.beat));
    for (let i = 0; i < count; i++) {
      const band = i < count / 2 ? count / 2 - 1 - i : i - count / 2; // the bass in the middle
      const level = env.bands[band];
      const barHeight = Math.max(height * 0.004, level * tallest);
      this.peaks[i] = Math.max(barHeight, this.peaks[i] - PEAK_FALL * height);
      const x = left + i * (barWidth + gap), grow = barWidth * 0.25 * env.beat;
      ctx.fillStyle = accent(palette, band / 32 + env.beats * 0.1);
      ctx.fillRect(x - grow / 2, horizon - barHeight, barWidth + grow, barHeight);
      ctx.fillStyle = accent(palette, band / 32 + env.beats * 0.1, 0.22);
      ctx.fillRect(x - grow / 2, horizon, barWidth + grow, barHeight * 0.45);
      ctx.fillStyle = palette.text;
      ctx.fillRect(x, horizon - this.peaks[i] - height * 0.008, barWidth, height * 0.005);
    }
  }
}
