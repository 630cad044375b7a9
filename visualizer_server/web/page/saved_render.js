// What the page needs to continue a render after a reload, beyond what the recorder keeps: the
// form's values (so the form shows the session's settings, not the defaults) and the name of
// the audio file the user chose (so the page can ask for that file again). Keyed by session.
const KEY = "visualizer.page.renders";

function all() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) ?? {};
  } catch {
    return {};
  }
}

export function saveRender(sessionId, record) {
  localStorage.setItem(KEY, JSON.stringify({ ...all(), [sessionId]: record }));
}

export function savedRender(sessionId) {
  return all()[sessionId] ?? null;
}

export function forgetRender(sessionId) {
  const records = all();
  delete records[sessionId];
  localStorage.setItem(KEY, JSON.stringify(records));
}
