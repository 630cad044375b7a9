// "Tunnel": rings of a hexagonal tunnel rushing towards the viewer and stars streaking past.
// The flight speeds up and the rings flash on every kick; the bass twists the tunnel. The stars'
// places come from a seeded generator, so the same track always gives the same frames.
import { accent, fillBackground } from "./palettes.js";

const RINGS = 16;
const STARS = 160;

/** mulberry32: a small seeded generator, the same numbers on every machine. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class TunnelStyle {
  static label = "Tunnel";

  constructor({ width, height, palette, layout, fps }) {
    Object.assign(this, { width, height, palette, layout, fps });
    this.depth = 0;  // how far the flight has come, in rings
    this.twist = 0;
    const random = seeded(22);
    this.stars = Array.from({ length: STARS }, () => ({ angle: random() * 2 * Math.PI, z: random() * RINGS, hue: random() }));
  }

  draw(ctx, env) {
    const { width, height, palette, layout } = this;
    const speed = (0.6 + 1.6 * env.rms + 5 * env.beat) / this.fps;
    this.depth += speed;
    this.twist += (0.1 + 0.8 * env.mean(0, 6)) / this.fps;
    fillBackground(ctx, palette, width, height, env.beat * 0.4);
    const { x: cx, y: cy } = layout.centre, reach = Math.hypot(width, height) * 0.5;
    for (let r = RINGS; r >= 1; r--) {
      const z = r - (this.depth % 1);
      const radius = reach / (z * 0.55), fade = Math.min(1, (RINGS - z) / 4);
      ctx.beginPath();
      for (let side = 0; side <= 6; side++) {
        const angle = this.twist * (1 + z * 0.05) + (side * Math.PI) / 3;
        const x = cx + radius * Math.cos(angle), y = cy + radius * Math.sin(angle);
        if (side === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      const ring = Math.floor(this.depth) + r;
      ctx.strokeStyle = accent(palette, ring * 0.13, fade * (0.35 + 0.65 * (ring % 4 === 0 ? 1 : env.beat)));
      ctx.lineWidth = (layout.short * 0.012 * (1 + 2 * env.beat)) / z;
      ctx.stroke();
    }
    this.#stars(ctx, env, speed, cx, cy, reach);
    const glow = ctx.createRadialGradient(cx, cy, 0, cx, cy, layout.short * (0.1 + 0.25 * env.rms));
    glow.addColorStop(0, accent(palette, 0.3, 0.6 + 0.4 * env.beat));
    glow.addColorStop(1, accent(palette, 0.3, 0));
    ctx.fillStyle = glow;
    ctx.fillRect(0, 0, width, height);
  }

  #stars(ctx, env, speed, cx, cy, reach) {
    for (const star of this.stars) {
      star.z -= speed * 2;
      if (star.z <= 0.3) star.z += RINGS;
      const near = reach / (star.z * 0.55), far = reach / ((star.z + speed * 6) * 0.55);
      ctx.strokeStyle = accent(this.palette, star.hue, Math.min(1, 2 / star.z) * (0.5 + 0.5 * env.beat));
      ctx.lineWidth = Math.max(1, this.layout.short * 0.006 / star.z);
      ctx.beginPath();
      ctx.moveTo(cx + far * Math.cos(star.angle), cy + far * Math.sin(star.angle));
      ctx.lineTo(cx + near * Math.cos(star.angle), cy + near * Math.sin(star.angle));
      ctx.stroke();
    }
  }
}
