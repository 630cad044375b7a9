// The one error type of the SDK: `code` is one of the service's error codes (`unauthorized`,
// `invalid_request`, `bad_frame`, `server_busy`, `encode_failed`, ...), `message` a sentence that
// says what to do, and any details the server sent (`missing_frames`, `retry_after_s`, ...) are kept.

export class RecorderError extends Error {
  /** `error`: the server's `{code, message, ...details}` (or one made here, in the same shape). */
  constructor(error) {
    super(`${error.message} (${error.code})`);
    this.name = "RecorderError";
    this.code = error.code;
    this.details = { ...error };
    delete this.details.code;
    delete this.details.message;
  }
}

/** A RecorderError made by the SDK itself. */
export const fail = (code, message) => new RecorderError({ code, message });
