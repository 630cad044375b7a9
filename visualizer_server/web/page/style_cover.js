// "Cover": the artwork large in the middle, pulsing with the kick, a circular analyser around it
// and a ring that flies outwards from each beat, over a blurred, darkened copy of the artwork.
// Without artwork a disc in the palette's colours stands in for it.
import { drawSquare } from "./overlay.js";
import { accent, fillBackground } from "./palettes.js";

const SPOKES = 96;

export class CoverStyle {
  static label = "Cover";
  static showsArtwork = true;

  constructor({ width, height, palette, layout, track, fps }) {
    Object.assign(this, { width, height, palette, layout, track, fps });
    this.backdrop = track.artwork ? this.#backdrop(track.artwork) : null; // blurred once, not per frame
    this.sinceBeat = Infinity;
    this.turn = 0;
  }

  draw(ctx, env) {
    const { width, height, palette, layout } = this;
    this.sinceBeat = env.beat === 1 ? 0 : this.sinceBeat + 1 / this.fps;
    this.turn += (0.05 + 0.3 * env.rms) / this.fps;
    if (this.backdrop) ctx.drawImage(this.backdrop, 0, 0, width, height);
    else fillBackground(ctx, palette, width, height, 0);
    ctx.fillStyle = `rgba(0, 0, 0, ${0.45 - 0.25 * env.beat})`;
    ctx.fillRect(0, 0, width, height);
    const { x: cx, y: cy } = layout.centre, size = layout.cover * (1 + 0.06 * env.beat), inner = size * 0.58;
    this.#spokes(ctx, env, cx, cy, inner);
    if (this.sinceBeat < 0.6) {
      ctx.beginPath();
      ctx.arc(cx, cy, inner * (1 + this.sinceBeat * 1.6), 0, 2 * Math.PI);
      ctx.strokeStyle = accent(palette, 0.8, 1 - this.sinceBeat / 0.6);
      ctx.lineWidth = layout.short * 0.008;
      ctx.stroke();
    }
    if (this.track.artwork) drawSquare(ctx, this.track.artwork, cx - size / 2, cy - size / 2, size);
    else this.#disc(ctx, cx, cy, size / 2);
  }

  #spokes(ctx, env, cx, cy, inner) {
    ctx.lineCap = "round";
    ctx.lineWidth = (2 * Math.PI * inner) / SPOKES * 0.5;
    for (let s = 0; s < SPOKES; s++) {
      const mirrored = s < SPOKES / 2 ? s : SPOKES - 1 - s, band = Math.floor((mirrored / (SPOKES / 2)) * 32);
      const length = inner * (0.04 + 0.45 * env.bands[band]); // the longest ends inside the frame
      const angle = this.turn + (s / SPOKES) * 2 * Math.PI - Math.PI / 2;
      ctx.strokeStyle = accent(this.palette, band / 32);
      ctx.beginPath();
      ctx.moveTo(cx + inner * Math.cos(angle), cy + inner * Math.sin(angle));
      ctx.lineTo(cx + (inner + length) * Math.cos(angle), cy + (inner + length) * Math.sin(angle));
      ctx.stroke();
    }
  }

  #disc(ctx, cx, cy, radius) {
    const gradient = ctx.createLinearGradient(cx - radius, cy - radius, cx + radius, cy + radius);
    this.palette.accents.forEach((colour, i, all) => gradient.addColorStop(i / (all.length - 1), colour));
    ctx.fillStyle = gradient;
    ctx.beginPath();
    ctx.arc(cx, cy, radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = this.palette.background[0];
    ctx.beginPath();
    ctx.arc(cx, cy, radius * 0.12, 0, 2 * Math.PI);
    ctx.fill();
  }

  #backdrop(artwork) {
    const canvas = new OffscreenCanvas(this.width, this.height), ctx = canvas.getContext("2d");
    const scale = Math.max(this.width / artwork.width, this.height / artwork.height) * 1.1;
    ctx.filter = `blur(${Math.round(this.layout.short * 0.04)}px) brightness(0.6)`;
    ctx.drawImage(artwork, (this.width - artwork.width * scale) / 2, (this.height - artwork.height * scale) / 2,
                  artwork.width * scale, artwork.height * scale);
    return canvas;
  }
}
