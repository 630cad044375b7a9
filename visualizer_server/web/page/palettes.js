// Colour palettes a musician picks from: two background stops, three accents, the text colour.

export const PALETTES = {
  neon: { label: "Neon", background: ["#07051a", "#1a0b3d"], accents: ["#ff2bd6", "#7a5cff", "#00e5ff"], text: "#ffffff" },
  sunset: { label: "Sunset", background: ["#1a0710", "#3d1020"], accents: ["#ffb347", "#ff5f6d", "#a83279"], text: "#fff4e6" },
  ice: { label: "Ice", background: ["#020b14", "#06243a"], accents: ["#e0f7ff", "#5ad1ff", "#1f6fff"], text: "#f0fbff" },
  forest: { label: "Forest", background: ["#040d07", "#0f2a17"], accents: ["#d4ff6a", "#3ddc84", "#f5c542"], text: "#f4ffe8" },
  mono: { label: "Mono", background: ["#000000", "#151515"], accents: ["#ffffff", "#bbbbbb", "#777777"], text: "#ffffff" },
};

const rgb = (hex) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));

/** The colour at `t` (0..1, wrapping) along the palette's accents, with `alpha`. */
export function accent(palette, t, alpha = 1) {
  const stops = palette.accents.map(rgb);
  const position = (((t % 1) + 1) % 1) * stops.length;
  const from = stops[Math.floor(position) % stops.length], to = stops[(Math.floor(position) + 1) % stops.length];
  const share = position - Math.floor(position);
  const [r, g, b] = from.map((value, i) => Math.round(value + (to[i] - value) * share));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** The palette's background as a vertical gradient, lifted towards its accent by `lift` (0..1). */
export function fillBackground(ctx, palette, width, height, lift = 0) {
  const gradient = ctx.createLinearGradient(0, 0, 0, height);
  gradient.addColorStop(0, palette.background[0]);
  gradient.addColorStop(1, palette.background[1]);
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, width, height);
  if (lift > 0) {
    ctx.fillStyle = accent(palette, 0.5, Math.min(0.35, lift * 0.35));
    ctx.fillRect(0, 0, width, height);
  }
}
