// Type declarations of the recorder SDK (recorder.js), as docs/sdk.md describes it.

/** The service's error codes. */
export type ErrorCode =
  | "invalid_request" | "unauthorized" | "unknown_session" | "bad_frame" | "too_large" | "limit_exceeded"
  | "incomplete" | "conflict" | "server_busy" | "internal" | "encode_failed" | "upload_failed" | "upload_quota"
  | "expired";

export class RecorderError extends Error {
  readonly name: "RecorderError";
  /** One of the service's error codes. */
  readonly code: ErrorCode;
  /** What else the server said: `missing_frames`, `retry_after_s`, `received_bytes`, ... */
  readonly details: Record<string, unknown>;
}

/** What a frame may be taken from. */
export type FrameSource = HTMLCanvasElement | OffscreenCanvas | ImageBitmap | VideoFrame;

export interface YouTubeMetadata {
  title?: string;
  description?: string;
  tags?: string[];
  category_id?: string;
  privacy?: "private" | "unlisted" | "public";
  made_for_kids?: boolean;
  /** ISO 8601; needs privacy "private". */
  publish_at?: string;
}

export interface TakeOptions {
  /** Even, 16 to 7680. */
  width: number;
  /** Even, 16 to 4320. */
  height: number;
  /** 1 to 120; default 30. */
  fps?: number;
  /** How images are sent when the server encodes; default "jpeg". */
  format?: "jpeg" | "png" | "webp" | "rgba";
  /** Where frames are encoded; default "auto" (the browser's H.264 when it is faster here). */
  encode?: "auto" | "browser" | "server";
  /** Sent to the server and analysed for `audioAt`. */
  audio?: File | Blob | ArrayBuffer;
  frameCount?: number;
  codec?: "h264" | "hevc" | "av1" | "vp9" | "prores";
  alpha?: boolean;
  /** -40 to -5: the audio is normalised to that integrated loudness. */
  loudnessLufs?: number;
  video?: YouTubeMetadata;
  upload?: boolean;
}

export interface AnimationOptions extends Partial<TakeOptions> {
  /** How long to record (or give `frameCount`). */
  seconds?: number;
}

export interface AudioLevels {
  /** 32 bands, log-spaced from 30 Hz to 12 kHz, each 0..1. */
  bands: Float32Array;
  rms: number;
  onset: number;
}

export interface TakeResult {
  sessionId: string;
  /** Absolute. */
  url: string;
  frames: number;
  durationS: number;
  width: number;
  height: number;
  youtube?: { videoId: string; url: string };
}

export interface ProgressDetail {
  stage: "receiving" | "encoding" | "uploading" | "done" | "failed" | "cancelled";
  percent: number;
  framesReceived: number;
  framesEncoded: number;
  bytesUploaded: number;
  waitingForEncoder: boolean;
  /** The server's disk is full: its encode waits for room, and goes on by itself. */
  waitingForDisk: boolean;
}

export interface WaitingDetail { framesReceived: number }
export interface ResumedDetail { framesReceived: [number, number][]; state: string }
export interface FailedDetail { error: RecorderError; code: ErrorCode; message: string }

export interface TakeEventMap {
  progress: CustomEvent<ProgressDetail>;
  waiting: CustomEvent<WaitingDetail>;
  resumed: CustomEvent<ResumedDetail>;
  failed: CustomEvent<FailedDetail>;
}

export interface Encoding {
  encode: "browser" | "server";
  reason: string;
  /** The "auto" trial, when one ran: milliseconds a frame for each path. */
  trial: { browserMsPerFrame: number; imageMsPerFrame: number } | null;
}

export class Take extends EventTarget {
  readonly sessionId: string;
  readonly encoding: Encoding;
  /** The index `addFrame` takes when none is given. */
  readonly nextIndex: number;
  /** Frame `index`'s audio levels; null when the take has no audio. */
  audioAt(index: number): AudioLevels | null;
  /** Resolves when another frame may be added (the server's flow-control window). */
  addFrame(source: FrameSource, index?: number): Promise<void>;
  finish(): Promise<TakeResult>;
  cancel(): Promise<void>;
  /** After a reload: goes on from the first frame the server lacks, which it resolves with. */
  continue(options?: { audio?: File | Blob | ArrayBuffer }): Promise<number>;
  addEventListener<K extends keyof TakeEventMap>(type: K, listener: (event: TakeEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
}

export class Recorder {
  static connect(serverUrl: string, options?: { token?: string }): Promise<Recorder>;
  start(options: TakeOptions): Promise<Take>;
  /** The takes this origin left unfinished on this server. */
  interrupted(): Take[];
  /** Installs the recording's clock before it returns; the real one is back when the promise settles. */
  recordAnimation(canvas: FrameSource, options: AnimationOptions): Promise<TakeResult>;
  close(): void;
}
