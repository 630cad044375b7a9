// The page's real clock, taken when the SDK loads: the SDK's own waits and measurements keep real
// time while recordAnimation has replaced the page's clock with the recording's.

export const realNow = performance.now.bind(performance);
export const realDateNow = Date.now.bind(Date);
export const realSetTimeout = globalThis.setTimeout.bind(globalThis);
export const realRequestAnimationFrame = globalThis.requestAnimationFrame?.bind(globalThis);

/** Resolves after `ms` real milliseconds. */
export const pause = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));
