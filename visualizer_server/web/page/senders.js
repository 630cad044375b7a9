// How rendered frames reach a session: as images captured from the canvas, or as H.264 access
// units encoded in this browser. Either way `put(index)` takes the frame the canvas shows now,
// and `held(index)` says which frames the server already has (after a reload), never sent twice.
import { captureFrame } from "./capture.js";
import { BrowserEncoder } from "./video_encoder.js";

const MAX_QUEUED_FRAMES = 4; // frames waiting in the encoder: render no further ahead than this

export function imageSender(session, canvas, renderer, format, held) {
  return {
    async put(index) {
      if (!held(index)) await session.sendFrame(index, await captureFrame(canvas, renderer, format));
    },
    async finish() {},
    describe: () => `${format} images`,
  };
}

/** A fresh encoder starting at `firstIndex` (a key frame there, whatever came before it). */
export function encodedSender(session, canvas, choice, fps, firstIndex, held, describe) {
  const encoder = new BrowserEncoder(choice, fps, firstIndex);
  const sendMade = async () => {
    for (const unit of encoder.take()) if (!held(unit.index)) await session.sendFrame(unit.index, unit.data);
  };
  return {
    async put(index) {
      encoder.encode(canvas, index);
      while (encoder.queued > MAX_QUEUED_FRAMES) await encoder.dequeued();
      await sendMade();
    },
    async finish() {
      await encoder.flush();
      await sendMade();
      encoder.close();
    },
    describe: () => describe(choice, encoder.streamProfile),
  };
}
