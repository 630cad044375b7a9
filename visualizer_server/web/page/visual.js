// One frame after another of a chosen style: the levels smoothed by an Envelope, the style,
// then the title, artist and artwork over it. The same code draws the live preview (levels from
// an analyser, real time) and the render (levels from the take, frame by frame, offline).
import { Envelope } from "./levels.js";
import { Overlay, layoutFor } from "./overlay.js";
import { PALETTES } from "./palettes.js";
import { CoverStyle } from "./style_cover.js";
import { ScopeStyle } from "./style_scope.js";
import { SpectrumStyle } from "./style_spectrum.js";
import { TunnelStyle } from "./style_tunnel.js";

/** The styles by the value of the page's `<select id="style">`, in the order it lists them. */
export const STYLES = { spectrum: SpectrumStyle, waveform: ScopeStyle, tunnel: TunnelStyle, cover: CoverStyle };

export class Visual {
  /** `options`: {style, palette, width, height, fps, track: {title, artist, artwork}} */
  constructor(canvas, { style, palette, width, height, fps, track }) {
    canvas.width = width;
    canvas.height = height;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.fps = fps;
    const Style = STYLES[style], layout = layoutFor(width, height), colours = PALETTES[palette];
    this.envelope = new Envelope(fps);
    this.style = new Style({ width, height, palette: colours, layout, track, fps });
    this.overlay = new Overlay(layout, colours, track, !Style.showsArtwork);
    this.index = 0;
  }

  /** Draw the next frame for `levels` ({bands, rms, onset} or null). */
  draw(levels) {
    this.envelope.step(levels);
    this.style.draw(this.ctx, this.envelope, this.index / this.fps);
    this.overlay.draw(this.ctx);
    this.index++;
  }
}
