// Levels for the live preview, in the take's shape ({bands: 32 log-spaced from 30 Hz to 12 kHz,
// rms, onset}, 0..1), from a Web Audio analyser on the playing track. The render does not use
// this: it asks the take for each frame's levels, so the video is frame-exact; the preview only
// has to look like it.
const BANDS = 32, LOWEST = 30, HIGHEST = 12000;

export class LiveLevels {
  constructor(audioElement) {
    this.context = new AudioContext();
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.analyser.smoothingTimeConstant = 0;
    this.context.createMediaElementSource(audioElement).connect(this.analyser);
    this.analyser.connect(this.context.destination);
    this.spectrum = new Float32Array(this.analyser.frequencyBinCount);
    this.wave = new Float32Array(this.analyser.fftSize);
    this.previousBass = 0;
  }

  /** The levels of this instant. */
  now() {
    this.analyser.getFloatFrequencyData(this.spectrum);
    this.analyser.getFloatTimeDomainData(this.wave);
    const binHz = this.context.sampleRate / this.analyser.fftSize, bands = new Float32Array(BANDS);
    for (let band = 0; band < BANDS; band++) {
      const from = LOWEST * (HIGHEST / LOWEST) ** (band / BANDS), to = LOWEST * (HIGHEST / LOWEST) ** ((band + 1) / BANDS);
      const first = Math.floor(from / binHz), last = Math.max(first + 1, Math.ceil(to / binHz));
      let sum = 0;
      for (let bin = first; bin < last; bin++) sum += this.spectrum[bin];
      bands[band] = Math.min(1, Math.max(0, (sum / (last - first) + 90) / 70));
    }
    const rms = Math.min(1, Math.sqrt(this.wave.reduce((total, v) => total + v * v, 0) / this.wave.length) * 2.5);
    const bass = (bands[0] + bands[1] + bands[2] + bands[3]) / 4;
    const onset = Math.max(0, Math.min(1, (bass - this.previousBass) * 6));
    this.previousBass = bass;
    return { bands, rms, onset };
  }

  close() {
    return this.context.close();
  }
}
