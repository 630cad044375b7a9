// The session in progress, kept in localStorage so that a reloaded page can continue it: the
// server keeps every frame it acknowledged, the page renders (and encodes) only the rest.
const KEY = "visualizer.session";

export function saveSession(session, form, frames, audioName) {
  const saved = { id: session.id, token: session.token, window: session.window, upload: session.upload, form, frames, audioName };
  localStorage.setItem(KEY, JSON.stringify(saved));
}

export function savedSession() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function forgetSession() {
  localStorage.removeItem(KEY);
}
