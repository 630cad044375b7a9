// How frames reach a session: as images captured from their source, or as H.264 access units
// encoded in this browser. Either way `put(index, source)` takes the frame the source shows now,
// and `held(index)` says which frames the server already has (after a reload), never sent twice.
import { captureFrame } from "./capture.js";
import { BrowserEncoder } from "./video_encoder.js";

const MAX_QUEUED_FRAMES = 4; // frames waiting in the encoder: take no further ahead than this

export function imageSender(session, format, held) {
  return {
    async put(index, source) {
      if (!held(index)) await session.sendFrame(index, await captureFrame(source, format));
    },
    async finish() {},
    describe: () => `${format} images`,
  };
}

/** A fresh encoder starting at `firstIndex` (a key frame there, whatever came before it). */
export function encodedSender(session, choice, fps, firstIndex, held, describe) {
  const encoder = new BrowserEncoder(choice, fps, firstIndex);
  const sendMade = async () => {
    for (const unit of encoder.take()) if (!held(unit.index)) await session.sendFrame(unit.index, unit.data);
  };
  return {
    async put(index, source) {
      encoder.encode(source, index);
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
