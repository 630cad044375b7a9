// The recording's clock, put in place of the page's: requestAnimationFrame, performance.now,
// Date.now, setTimeout/setInterval and media currentTime all read a time that starts at the real
// performance.now() of install() and moves only when the recorder says so, by exactly 1000 / fps
// ms a frame. An animation written for real time then renders frame-exact at any machine speed.
// The SDK's own waits use real_time.js, taken before any of this is replaced.
import { realDateNow, realNow, realRequestAnimationFrame, realSetTimeout } from "./real_time.js";

const MAX_TIMER_ROUNDS = 10000; // timers that keep adding timers due now: stop there rather than hang

export class VirtualClock {
  constructor(fps) {
    this.fps = fps;
    this.start = realNow();
    this.now = this.start;
    this.dateOffset = realDateNow() - this.start;
    this.nextId = 1;
    this.frameCallbacks = new Map(); // id -> callback
    this.timers = new Map(); // id -> {due, fn, args, every}
    this.originals = null;
    this.media = [];
  }

  /** Replace the page's clock (synchronously). */
  install() {
    const g = globalThis;
    this.originals = { requestAnimationFrame: g.requestAnimationFrame, cancelAnimationFrame: g.cancelAnimationFrame,
                       setTimeout: g.setTimeout, clearTimeout: g.clearTimeout, setInterval: g.setInterval,
                       clearInterval: g.clearInterval, now: performance.now, dateNow: Date.now };
    g.requestAnimationFrame = (callback) => { const id = this.nextId++; this.frameCallbacks.set(id, callback); return id; };
    g.cancelAnimationFrame = (id) => { this.frameCallbacks.delete(id); };
    g.setTimeout = (fn, delay = 0, ...args) => this.#addTimer(fn, delay, args, null);
    g.setInterval = (fn, delay = 0, ...args) => this.#addTimer(fn, delay, args, Math.max(1, Number(delay) || 0));
    g.clearTimeout = g.clearInterval = (id) => { this.timers.delete(id); };
    performance.now = () => this.now;
    Date.now = () => Math.floor(this.dateOffset + this.now);
    this.#holdMedia();
  }

  /** Move to frame `index`'s time and run what is due: timers first, then the animation callbacks. */
  advanceTo(index) {
    this.now = this.start + (index * 1000) / this.fps;
    this.#runTimers();
    const callbacks = [...this.frameCallbacks.values()];
    this.frameCallbacks.clear();
    for (const callback of callbacks) this.#run(callback, [this.now]);
  }

  /** Put the real clock back; what is still waiting on the virtual one goes on, in real time. */
  restore() {
    if (!this.originals) return;
    const g = globalThis, o = this.originals;
    Object.assign(g, { requestAnimationFrame: o.requestAnimationFrame, cancelAnimationFrame: o.cancelAnimationFrame,
                       setTimeout: o.setTimeout, clearTimeout: o.clearTimeout, setInterval: o.setInterval,
                       clearInterval: o.clearInterval });
    performance.now = o.now;
    Date.now = o.dateNow;
    this.originals = null;
    for (const callback of this.frameCallbacks.values()) realRequestAnimationFrame?.(callback);
    for (const timer of this.timers.values()) {
      const left = Math.max(0, timer.due - this.now);
      if (timer.every === null) g.setTimeout(timer.fn, left, ...timer.args);
      else g.setTimeout(() => { timer.fn(...timer.args); g.setInterval(timer.fn, timer.every, ...timer.args); }, left);
    }
    this.frameCallbacks.clear();
    this.timers.clear();
    this.#releaseMedia();
  }

  #addTimer(fn, delay, args, every) {
    const id = this.nextId++;
    this.timers.set(id, { due: this.now + Math.max(0, Number(delay) || 0), fn, args, every, order: id });
    return id;
  }

  #runTimers() {
    for (let round = 0; round < MAX_TIMER_ROUNDS; round++) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.due <= this.now && (!next || timer.due < next[1].due || (timer.due === next[1].due && timer.order < next[1].order))) {
          next = [id, timer];
        }
      }
      if (!next) return;
      const [id, timer] = next;
      if (timer.every === null) this.timers.delete(id);
      else timer.due += timer.every;
      this.#run(timer.fn, timer.args);
    }
  }

  /** Run the page's callback; its exception is reported as the browser would, and recording goes on. */
  #run(fn, args) {
    try {
      if (typeof fn === "function") fn(...args);
    } catch (error) {
      realSetTimeout(() => { throw error; });
    }
  }

  /** <video>/<audio> elements read the recording's time: paused, their currentTime moves with the clock. */
  #holdMedia() {
    if (typeof document === "undefined") return;
    for (const element of document.querySelectorAll("video, audio")) {
      const playing = !element.paused;
      const base = element.currentTime;
      element.pause();
      const clock = this;
      const entry = { element, playing, base, offset: 0 };
      Object.defineProperty(element, "currentTime", {
        configurable: true,
        get: () => entry.base + (entry.playing ? (clock.now - clock.start) / 1000 - entry.offset : 0),
        set: (value) => { entry.base = value; entry.offset = entry.playing ? (clock.now - clock.start) / 1000 : 0; },
      });
      this.media.push(entry);
    }
  }

  #releaseMedia() {
    for (const entry of this.media) {
      const time = entry.element.currentTime;
      delete entry.element.currentTime;
      entry.element.currentTime = time;
      if (entry.playing) entry.element.play().catch(() => {});
    }
    this.media = [];
  }
}
