// One session through the server, as the contract describes it: at most `window` frames in
// flight, audio by offset, and after a dropped connection `resume_session`, then only
// what the server does not already hold is sent again.

import { RecorderError } from "./recorder_error.js";
import { pause } from "./real_time.js";

const AUDIO_CHUNK = 256 * 1024;
const ACK_TIMEOUT_MS = 30000;

export class Session {
  /** `events`: {onProgress, onVideo, onUpload, onFailed, onResumed} */
  constructor(socket, events) {
    this.socket = socket;
    this.events = events;
    this.pending = new Map(); // index -> bytes, until the server acknowledges it
    this.ackedCount = 0;
    this.waiters = [];
    this.#markReady();
    this.listeners = {
      disconnect: () => { this.ready = new Promise((resolve) => { this.#resolveReady = resolve; }); },
      connect: () => { if (this.id) this.#resume(); else this.#resolveReady?.(); },
      progress: (p) => p.session_id === this.id && events.onProgress?.(p),
      video_ready: (v) => v.session_id === this.id && events.onVideo?.(v),
      upload_complete: (u) => u.session_id === this.id && events.onUpload?.(u),
      session_failed: (f) => f.session_id === this.id && events.onFailed?.(f.error),
    };
    for (const [event, listener] of Object.entries(this.listeners)) socket.on(event, listener);
  }

  /** Stop listening: the session is over (built, failed or cancelled). */
  detach() {
    for (const [event, listener] of Object.entries(this.listeners)) this.socket.off(event, listener);
  }

  /** Fail what waits on this session (a `session_failed` from the server, say). */
  abort(error) {
    this.failure ??= error;
    this.#wake();
  }

  #resolveReady = null;

  #markReady() {
    this.ready = Promise.resolve();
    this.#resolveReady = null;
  }

  async #call(event, payload) {
    // Requests wait for a live, resumed connection; a dropped one is retried after the resume.
    for (;;) {
      await this.ready;
      try {
        return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
      } catch {
        /* no answer: the connection dropped; wait for the resume and ask again */
      }
    }
  }

  async start(spec) {
    const ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("start_session", spec);
    if (!ack.ok) throw new RecorderError(ack.error);
    Object.assign(this, { id: ack.session_id, token: ack.resume_token, window: ack.window, upload: spec.upload });
    return ack;
  }

  /** Take over a session a previous page started (after a reload); returns what the server holds. */
  async attach(saved) {
    Object.assign(this, { id: saved.id, token: saved.token, window: saved.window, upload: saved.upload });
    const ack = await this.#askToResume();
    if (!ack) throw new RecorderError({ code: "internal", message: "the server did not answer resume_session" });
    if (!ack.ok) throw new RecorderError(ack.error);
    return ack;
  }

  /** resume_session, asked again after `retry_after_s` while the answer is server_busy (in a
   *  cluster, the session is still moving to the node this page reached); null if dropped. */
  async #askToResume() {
    for (;;) {
      const ack = await this.socket.timeout(ACK_TIMEOUT_MS)
        .emitWithAck("resume_session", { session_id: this.id, resume_token: this.token })
        .catch(() => null);
      if (!ack || ack.ok || ack.error.code !== "server_busy") return ack;
      await pause((ack.error.retry_after_s ?? 1) * 1000);
    }
  }

  async #resume() {
    const ack = await this.#askToResume();
    if (!ack) return; // dropped again: the next connect resumes
    if (!ack.ok) { this.events.onFailed?.(ack.error); return; }
    const stored = (index) => ack.frames_received.some(([a, b]) => index >= a && index <= b);
    for (const [index, data] of this.pending) {
      if (stored(index)) this.#acked(index); else this.#emitFrame(index, data);
    }
    this.events.onResumed?.(ack);
    this.#resolveReady?.();
    this.#markReady();
  }

  /** `audio`: a Blob (read a chunk at a time, never whole) or bytes. */
  async sendAudio(audio, offset = 0) {
    const blob = audio instanceof Blob ? audio : new Blob([audio]);
    while (offset < blob.size) {
      const data = new Uint8Array(await blob.slice(offset, offset + AUDIO_CHUNK).arrayBuffer());
      const ack = await this.#call("audio_chunk", { session_id: this.id, offset, data });
      if (ack.ok) offset = ack.received_bytes;
      else if (ack.error.code === "conflict") offset = ack.error.received_bytes;
      else if (ack.error.code !== "unauthorized") throw new RecorderError(ack.error);
    }
  }

  /** Resolves once the frame is handed over and fewer than `window` frames are in flight. */
  async sendFrame(index, data) {
    await this.ready;
    this.pending.set(index, data);
    this.#emitFrame(index, data);
    while (this.pending.size >= this.window && !this.failure && !this.cancelled) await new Promise((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  #emitFrame(index, data) {
    this.socket.emit("frame", { session_id: this.id, index, data }, (ack) => {
      if (ack.ok) this.#acked(index);
      // unauthorized: a frame sent on a connection that dropped; the resume sends it again.
      else if (ack.error.code !== "unauthorized") { this.failure = new RecorderError(ack.error); this.#wake(); }
    });
  }

  #acked(index) {
    if (this.pending.delete(index)) this.ackedCount++;
    this.#wake();
  }

  #wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }

  async end(frameCount) {
    while (this.pending.size && !this.failure) await new Promise((resolve) => this.waiters.push(resolve));
    for (;;) {
      if (this.failure) throw this.failure; // the session failed (or was cancelled) meanwhile: its own error
      const ack = await this.#call("end_session", { session_id: this.id, frame_count: frameCount });
      if (ack.ok) return;
      if (ack.error.code !== "server_busy") throw new RecorderError(ack.error);
      await pause((ack.error.retry_after_s ?? 1) * 1000); // the server's disk is full: nothing was kept, ask again
    }
  }

  cancel() {
    this.cancelled = true;
    this.#wake();
    return this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("cancel_session", { session_id: this.id }).catch(() => null);
  }
}
