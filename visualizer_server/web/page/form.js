// The page's form: its values, checked, and the deep links that fill it from the query string
// (`?style=tunnel&aspect=9:16&resolution=720p&audio=...&autostart=1`), so a render can be
// shared or scripted. Every field is named by its element's id; `audio` names the URL field.

const SHORT_SIDE = { "360p": 360, "720p": 720, "1080p": 1080 };
const ASPECTS = { "16:9": [16, 9], "1:1": [1, 1], "9:16": [9, 16] };
export const SHORTS_MAX_S = 180; // YouTube takes a vertical video of up to 3 minutes as a Short
const FIELDS = ["style", "palette", "aspect", "resolution", "fps", "seconds", "title", "artist", "encode",
                "privacy", "description", "upload"];
const QUERY_NAMES = { audio: "audio-url" };

const $ = (id) => document.getElementById(id);

export class FormError extends Error {}

/** Width and height for an aspect and a resolution (the short side: 9:16 at 360p is 360x640); null for unknown ones. */
export function sizeFor(aspect, resolution) {
  if (!ASPECTS[aspect] || !SHORT_SIDE[resolution]) return null;
  const [across, down] = ASPECTS[aspect], short = SHORT_SIDE[resolution];
  const long = Math.round((short * Math.max(across, down)) / Math.min(across, down) / 2) * 2;
  return across >= down ? [long, short] : [short, long];
}

/** Fill the form from `query` (URLSearchParams); true when it asks to start at once. */
export function applyQuery(query) {
  ["style", "palette"].forEach((id) => known(id, ""));
  for (const [name, value] of query) {
    const element = $(QUERY_NAMES[name] ?? name);
    if (!element || !(FIELDS.includes(element.id) || element.id === "audio-url")) continue;
    setField(element, value);
  }
  return query.get("autostart") === "1";
}

/** The values to restore a render with (after a reload), as applyQuery takes them. */
export function formValues() {
  return Object.fromEntries([...FIELDS, "audio-url"].map((id) => [id, fieldValue($(id))]));
}

export function restore(values) {
  for (const [id, value] of Object.entries(values)) if ($(id)) setField($(id), String(value));
}

function fieldValue(element) {
  return element.type === "checkbox" ? String(element.checked) : element.value;
}

function setField(element, value) {
  if (element.type === "checkbox") {
    element.checked = value === "1" || value === "true";
  } else if (element.tagName === "SELECT" && ![...element.options].some((option) => option.value === value)) {
    // An unknown choice is kept visible as the one chosen, so readForm can say what is wrong with it.
    element.add(new Option(value, value, true, true));
  } else {
    element.value = value;
  }
}

/** The form's values, checked: each mistake is a sentence that says what to choose instead. */
export function readForm() {
  const style = $("style").value, aspect = $("aspect").value, resolution = $("resolution").value;
  const fps = Number($("fps").value), seconds = $("seconds").value === "" ? null : Number($("seconds").value);
  if (!known("style", style)) throw new FormError(`there is no style "${style}": choose one of ${choices("style")}`);
  if (!ASPECTS[aspect]) throw new FormError(`aspect must be one of ${Object.keys(ASPECTS).join(", ")}, not "${aspect}"`);
  if (!SHORT_SIDE[resolution]) throw new FormError(`resolution must be one of ${Object.keys(SHORT_SIDE).join(", ")}, not "${resolution}"`);
  if (fps !== 30 && fps !== 60) throw new FormError(`fps must be 30 or 60, not "${$("fps").value}"`);
  if (seconds !== null && !(seconds > 0 && seconds <= 3600)) throw new FormError("seconds must be a length from 1 to 3600, or empty for the whole track");
  if (!known("palette", $("palette").value)) throw new FormError(`there is no palette "${$("palette").value}": choose one of ${choices("palette")}`);
  const [width, height] = sizeFor(aspect, resolution);
  return { style, palette: $("palette").value, aspect, width, height, fps, seconds, encode: $("encode").value,
           title: $("title").value.trim(), artist: $("artist").value.trim(),
           upload: $("upload").checked && !$("upload").disabled,
           privacy: $("privacy").value, description: $("description").value.trim() };
}

// The choices the page was built with, before a deep link adds an unknown one to a select.
const BUILT = {};
const known = (id, value) => (BUILT[id] ??= [...$(id).options].map((o) => o.value)).includes(value);
const choices = (id) => BUILT[id].join(", ");
