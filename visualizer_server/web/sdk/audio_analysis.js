// A take's audio, analysed once: decoded in pieces (audio_pieces.js), each frame's levels computed
// as the samples pass (audio_levels.js). Only the levels stay: 34 numbers a frame.
import { decodeInPieces } from "./audio_pieces.js";
import { LevelAnalyser } from "./audio_levels.js";

/** [{bands: Float32Array(32), rms, onset}] by frame index, for a track recorded at `fps`. */
export async function analyseAudio(blob, fps) {
  let analyser = null;
  await decodeInPieces(blob, (sampleRate) => { analyser = new LevelAnalyser(sampleRate, fps); }, (samples) => analyser.push(samples));
  return analyser.finish();
}
