// The track used when no audio is given: a chord that swells and a kick every half second (the
// beat the browser tests look for), as 16-bit mono WAV bytes.
const SAMPLE_RATE = 48000;

function sampleAt(t) {
  const notes = [110, 164.81, 220, 277.18, 329.63, 440];
  let value = 0;
  notes.forEach((frequency, n) => {
    const swell = 0.5 + 0.5 * Math.sin(2 * Math.PI * (0.25 * t + n / notes.length));
    value += 0.12 * swell * Math.sin(2 * Math.PI * frequency * t);
  });
  const beat = t % 0.5;
  value += 0.6 * Math.exp(-beat * 18) * Math.sin(2 * Math.PI * (60 - 40 * beat) * beat);
  return Math.max(-1, Math.min(1, value));
}

/** `seconds` of the demo track as a WAV Blob. */
export function demoTrack(seconds) {
  const count = Math.round(seconds * SAMPLE_RATE), buffer = new ArrayBuffer(44 + count * 2), view = new DataView(buffer);
  const text = (offset, value) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF"); view.setUint32(4, 36 + count * 2, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, SAMPLE_RATE, true); view.setUint32(28, SAMPLE_RATE * 2, true);
  view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, "data"); view.setUint32(40, count * 2, true);
  for (let i = 0; i < count; i++) view.setInt16(44 + i * 2, Math.round(sampleAt(i / SAMPLE_RATE) * 32767), true);
  return new Blob([buffer], { type: "audio/wav" });
}
