// One session through the server, as the contract describes it: at most `window` frames in
// flight, audio by offset, and after a dropped connection `resume_session`, then only
// what the server does not already hold is sent again.

const AUDIO_CHUNK = 256 * 1024;
const ACK_TIMEOUT_MS = 30000;

export class SessionError extends Error {
  constructor(error) {
    super(`${error.message} (${error.code})`);
    this.code = error.code;
  }
}

export class Session {
  /** `events`: {onProgress, onVideo, onUpload, onFailed, onResumed} */
  constructor(socket, events) {
    this.socket = socket;
    this.events = events;
    this.pending = new Map(); // index -> bytes, until the server acknowledges it
    this.ackedCount = 0;
    this.waiters = [];
    this.#markReady();
    socket.on("disconnect", () => { this.ready = new Promise((resolve) => { this.#resolveReady = resolve; }); });
    socket.on("connect", () => { if (this.id) this.#resume(); else this.#resolveReady?.(); });
    socket.on("progress", (p) => p.session_id === this.id && events.onProgress?.(p));
    socket.on("video_ready", (v) => v.session_id === this.id && events.onVideo?.(v));
    socket.on("upload_complete", (u) => u.session_id === this.id && events.onUpload?.(u));
    socket.on("session_failed", (f) => f.session_id === this.id && events.onFailed?.(f.error));
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
    if (!ack.ok) throw new SessionError(ack.error);
    Object.assign(this, { id: ack.session_id, token: ack.resume_token, window: ack.window, upload: spec.upload });
    return ack;
  }

  /** Take over a session a previous page started (after a reload); returns what the server holds. */
  async attach(saved) {
    Object.assign(this, { id: saved.id, token: saved.token, window: saved.window, upload: saved.upload });
    const ack = await this.#askToResume();
    if (!ack) throw new SessionError({ code: "internal", message: "the server did not answer resume_session" });
    if (!ack.ok) throw new SessionError(ack.error);
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
      await new Promise((resolve) => setTimeout(resolve, (ack.error.retry_after_s ?? 1) * 1000));
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

  async sendAudio(bytes, offset = 0) {
    while (offset < bytes.length) {
      const ack = await this.#call("audio_chunk", { session_id: this.id, offset, data: bytes.subarray(offset, offset + AUDIO_CHUNK) });
      if (ack.ok) offset = ack.received_bytes;
      else if (ack.error.code === "conflict") offset = ack.error.received_bytes;
      else if (ack.error.code !== "unauthorized") throw new SessionError(ack.error);
    }
  }

  /** Resolves once the frame is handed over and fewer than `window` frames are in flight. */
  async sendFrame(index, data) {
    await this.ready;
    this.pending.set(index, data);
    this.#emitFrame(index, data);
    while (this.pending.size >= this.window) await new Promise((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  #emitFrame(index, data) {
    this.socket.emit("frame", { session_id: this.id, index, data }, (ack) => {
      if (ack.ok) this.#acked(index);
      // unauthorized: a frame sent on a connection that dropped; the resume sends it again.
      else if (ack.error.code !== "unauthorized") { this.failure = new SessionError(ack.error); this.#wake(); }
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
    while (this.pending.size) {
      await new Promise((resolve) => this.waiters.push(resolve));
      if (this.failure) throw this.failure;
    }
    const ack = await this.#call("end_session", { session_id: this.id, frame_count: frameCount });
    if (!ack.ok) throw new SessionError(ack.error);
  }

  cancel() {
    this.cancelled = true;
    this.#wake();
    return this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("cancel_session", { session_id: this.id }).catch(() => null);
  }
}
