"""A real headless Chromium loads the MJPEG page of a running pipeline and shows live frames.

Needs Debian's ``chromium`` and ``chromium-driver`` (driven over WebDriver's plain HTTP API).
"""

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
from tests.markers import requires_onnxruntime, requires_torch

from .conftest import solid_frames

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
requires_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromedriver not found (apt-get install -y chromium chromium-driver)")

CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

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


def _free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _webdriver(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode("utf-8"))["value"]


def _wait_for(predicate, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


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
    port, stop = _free_port(), threading.Event()
    runner = threading.Thread(target=run_pipeline, args=(tiny_onnx, clip,
                                                         "http://127.0.0.1:{}".format(port)),
                              kwargs={"source_options": {"loop": True}, "stop_event": stop,
                                      "stream": StreamOptions(log_every=None)})
    runner.start()
    driver_port = _free_port()
    driver = subprocess.Popen([CHROMEDRIVER, "--port={}".format(driver_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:{}".format(driver_port)
    session = None
    try:
        assert _wait_for(lambda: _reachable(base + "/status"))
        capabilities = {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": CHROME_ARGS + ["--user-data-dir={}".format(tmp_path / "profile")]}}
        session = _webdriver(base, "POST", "/session",
                             {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]
        _webdriver(base, "POST", "/session/{}/url".format(session),
                   {"url": "http://127.0.0.1:{}/".format(port)})

        def state():
            return _webdriver(base, "POST", "/session/{}/execute/sync".format(session),
                              {"script": PAGE_STATE, "args": []})

        def frame_shown():
            page = state()
            return page if page["width"] and page["stats"] else None

        first = _wait_for(frame_shown)
        assert first, "the page never showed a frame"
        assert (first["width"], first["height"]) == (160, 120)
        assert first["mean"] > 20   # a real picture, not a black box

        def counter_advanced():
            page = state()
            return page if page["stats"]["frames"] > first["stats"]["frames"] else None

        later = _wait_for(counter_advanced)
        assert later, "the frame counter did not advance"
        assert later["text"].startswith("FPS: ") and later["text"][5].isdigit()
    finally:
        if session is not None:
            _webdriver(base, "DELETE", "/session/{}".format(session))
        driver.terminate()
        driver.wait(10)
        stop.set()
        runner.join(30)
    assert not runner.is_alive()


def _reachable(url):
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except (OSError, ValueError):
        return False
