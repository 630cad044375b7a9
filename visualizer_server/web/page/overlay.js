// The track's title, artist and artwork over a style. Drawn on the output canvas at its own
// size (no scaling afterwards), so the text is as sharp at 1080p as at 360p. Placement follows
// the aspect: landscape and square frames put artwork and text in the lower left, a vertical
// (Shorts) frame puts them in the lower third, clear of YouTube's own buttons along the right
// edge and the caption at the bottom.

/** Where things go in a frame of `width` x `height`: the visual's centre, the cover, the text. */
export function layoutFor(width, height) {
  const short = Math.min(width, height), margin = Math.round(short * 0.06);
  const title = Math.round(short * 0.06), artist = Math.round(short * 0.04);
  if (width > height * 1.2) {
    const thumb = Math.round(height * 0.2);
    return { centre: { x: width / 2, y: height * 0.45 }, cover: short * 0.44, short, title, artist,
             thumb: { x: margin, y: height - margin - thumb, size: thumb },
             text: { x: margin + thumb + margin / 2, y: height - margin - thumb / 2, align: "left" } };
  }
  if (height > width * 1.2) {
    const thumb = Math.round(width * 0.22);
    return { centre: { x: width / 2, y: height * 0.4 }, cover: width * 0.5, short, title, artist,
             thumb: { x: width / 2 - thumb / 2, y: height * 0.64, size: thumb },
             text: { x: width / 2, y: height * 0.64 + thumb + title * 1.4, align: "center" } };
  }
  const thumb = Math.round(short * 0.16);
  return { centre: { x: width / 2, y: height * 0.42 }, cover: short * 0.44, short, title, artist,
           thumb: { x: margin, y: height - margin - thumb, size: thumb },
           text: { x: margin + thumb + margin / 2, y: height - margin - thumb / 2, align: "left" } };
}

/** Draw `image` (an ImageBitmap or image) cropped to a square at (x, y), with rounded corners. */
export function drawSquare(ctx, image, x, y, size) {
  const side = Math.min(image.width, image.height);
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(x, y, size, size, size * 0.06);
  ctx.clip();
  ctx.drawImage(image, (image.width - side) / 2, (image.height - side) / 2, side, side, x, y, size, size);
  ctx.restore();
}

export class Overlay {
  /** `track`: {title, artist, artwork (ImageBitmap or null)}; `withArtwork`: false when the style shows it. */
  constructor(layout, palette, track, withArtwork) {
    Object.assign(this, { layout, palette, track, withArtwork });
  }

  draw(ctx) {
    const { layout, track } = this;
    if (this.withArtwork && track.artwork) {
      const { x, y, size } = layout.thumb;
      drawSquare(ctx, track.artwork, x, y, size);
    }
    const { x, align } = layout.text;
    const besideArtwork = align === "left" && !(this.withArtwork && track.artwork) ? layout.thumb.x : x;
    const lines = [[track.title, `700 ${layout.title}px system-ui, sans-serif`], [track.artist, `400 ${layout.artist}px system-ui, sans-serif`]]
      .filter(([text]) => text);
    if (!lines.length) return;
    ctx.save();
    ctx.textAlign = align;
    ctx.textBaseline = "middle";
    ctx.fillStyle = this.palette.text;
    ctx.shadowColor = "rgba(0, 0, 0, 0.7)";
    ctx.shadowBlur = layout.short * 0.012;
    const height = lines.length === 2 ? layout.title * 0.6 + layout.artist * 0.9 : 0;
    let y = layout.text.y - height / 2;
    for (const [text, font] of lines) {
      ctx.font = font;
      ctx.fillText(text, besideArtwork, y, ctx.canvas.width - layout.thumb.x * 2);
      y += layout.title * 0.6 + layout.artist * 0.9;
    }
    ctx.restore();
  }
}
