"""A real headless Chromium loads the MJPEG page of a running pipeline and shows live frames.

Needs Debian's ``chromium`` and ``chromium-driver`` (driven over WebDriver's plain HTTP API).
"""

import threading

from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
from tests.markers import requires_onnxruntime, requires_torch

from .chromium import chromium_session, free_port, requires_chromium, wait_for
from .conftest import solid_frames

# Draw the <img> into a canvas: its size and mean colour prove a decoded frame is on screen.
PAGE_STATE = """
var img = document.getElementById('stream');
var stats = window.linknetStats || null;
var text = document.getElementById('fps').textContent;
if (!img || !img.naturalWidth) { return {width: 0, stats: stats, text: text}; }
var c = document.createElement('canvas');
c.width = img.naturalWidth; c.height = img.naturalHeight;
var ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
var d = ctx.getImageData(0, 0, c.width, c.height).data, sum = 0;
for (var i = 0; i < d.length; i += 4) { sum += d[i] + d[i + 1] + d[i + 2]; }
return {width: c.width, height: c.height, mean: sum / (3 * d.length / 4), stats: stats,
        text: text};
"""


@requires_chromium
@requires_torch
@requires_onnxruntime
def test_the_page_shows_live_frames_in_chromium(tmp_path, tiny_onnx):
    import cv2
    clip = str(tmp_path / "clip.avi")
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (160, 120))
    for frame in solid_frames(10, size=(120, 160)):
        writer.write(frame)
    writer.release()
    port, stop = free_port(), threading.Event()
    runner = threading.Thread(target=run_pipeline, args=(tiny_onnx, clip,
                                                         "http://127.0.0.1:{}".format(port)),
                              kwargs={"source_options": {"loop": True}, "stop_event": stop,
                                      "stream": StreamOptions(log_every=None)})
    runner.start()
    try:
        with chromium_session(tmp_path / "profile") as browser:
            browser.open("http://127.0.0.1:{}/".format(port))

            def frame_shown():
                page = browser.execute(PAGE_STATE)
                return page if page["width"] and page["stats"] else None

            first = wait_for(frame_shown)
            assert first, "the page never showed a frame"
            assert (first["width"], first["height"]) == (160, 120)
            assert first["mean"] > 20   # a real picture, not a black box

            def counter_advanced():
                page = browser.execute(PAGE_STATE)
                return page if page["stats"]["frames"] > first["stats"]["frames"] else None

            later = wait_for(counter_advanced)
            assert later, "the frame counter did not advance"
            assert later["text"].startswith("FPS: ") and later["text"][5].isdigit()
    finally:
        stop.set()
        runner.join(30)
    assert not runner.is_alive()

