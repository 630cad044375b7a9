"""recordAnimation's clock and media elements, in a real headless Chromium: an animation that follows
a playing <audio> element's currentTime records frame-exact, on the recording's time."""

from __future__ import annotations

import pytest

from ..media import make_wav, probe
from .test_recorder_sdk import HEIGHT, WIDTH, _video, browser, other_origin, page, sdk_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# The animation draws the frame that the element's currentTime says it is (30 a second since the
# recording began): the video spells 0, 1, 2... only if currentTime moves exactly with the recording.
FOLLOW_THE_TRACK = """async ({ server }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const audio = document.createElement("audio");
  // From a blob: seekable (the tests' file server answers no ranges), so the element can go on from where the recording left it.
  audio.src = URL.createObjectURL(await (await fetch("tone.wav")).blob());
  document.body.appendChild(audio);
  await audio.play();
  await new Promise((resolve) => { audio.ontimeupdate = () => audio.currentTime > 0.2 && resolve(); });
  const canvas = document.createElement("canvas");
  canvas.width = %d; canvas.height = %d;
  const context = canvas.getContext("2d");
  const done = recorder.recordAnimation(canvas, { seconds: 2, fps: 30, format: "png", encode: "server" });
  const base = audio.currentTime, pausedWhileRecording = audio.paused;
  const seen = [];
  let recording = true;
  requestAnimationFrame(function draw() {
    seen.push(audio.currentTime - base);
    drawIndex(context, Math.round((audio.currentTime - base) * 30));
    if (recording) requestAnimationFrame(draw);
  });
  const result = await done;
  recording = false;
  const after = audio.currentTime - base;
  const playingAgain = !audio.paused;
  audio.pause();
  return { result, base, pausedWhileRecording, seen: seen.slice(0, 60), after, playingAgain };
}""" % (WIDTH, HEIGHT)


def test_an_animation_that_follows_an_audio_elements_current_time_records_frame_exact(page, sdk_server, tmp_path):
    make_wav(tmp_path / "site" / "tone.wav", 20)
    outcome = page.evaluate(FOLLOW_THE_TRACK, {"server": sdk_server.url})
    assert outcome["base"] > 0.2, "the element was playing, at its own time, when the recording began"
    assert outcome["pausedWhileRecording"], "the element is held while the recording's clock runs"
    seen = outcome["seen"]  # the element's time, as the animation read it in each frame's callback
    assert len(seen) == 60 and all(abs(time - index / 30) < 1e-9 for index, time in enumerate(seen)), seen
    assert outcome["result"]["frames"] == 60
    assert probe(_video(sdk_server)).frame_indexes == list(range(60))
    # The clock's last time is frame 59's: the element goes on from there, playing again.
    assert outcome["playingAgain"] and outcome["after"] >= 59 / 30 - 1e-6, "the element plays on from the recording's end"
