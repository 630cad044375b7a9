// The takes in progress, kept in localStorage so that a reloaded page can continue them: the
// server keeps every frame it acknowledged, the page renders (and encodes) only the rest.
// One entry per session id, so several takes (and several servers) can be interrupted at once.
const KEY = "visualizer.recorder.takes";

/** Every saved take: {id, token, window, upload, server, settings, encoding, audio, ...} by session id. */
export function savedTakes() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) ?? {};
  } catch {
    return {};
  }
}

export function saveTake(record) {
  localStorage.setItem(KEY, JSON.stringify({ ...savedTakes(), [record.id]: record }));
}

export function forgetTake(id) {
  const takes = savedTakes();
  delete takes[id];
  localStorage.setItem(KEY, JSON.stringify(takes));
}
