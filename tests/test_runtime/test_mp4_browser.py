"""A real headless Chromium plays the .mp4 a run writes (H.264, fragmented), and refuses the
mp4v one OpenCV writes without an H.264 encoder: the reason .mp4 outputs are H.264."""

import http.server
import os
import socketserver
import threading

import pytest

from linknet_edge.runtime.video.media import MediaFacts, h264_encoders, probe_media_facts
from linknet_edge.runtime.video.sinks import open_sink
from tests.markers import data_path

from .conftest import read_frames
from .chromium import chromium_session, requires_chromium, wait_for

CLIP = data_path("video", "solidWhiteRight.mp4")

VIDEO_STATE = """
var v = document.getElementById('v');
return {ready: v.readyState, width: v.videoWidth, height: v.videoHeight,
        error: v.error ? v.error.code : 0, duration: v.duration};
"""


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def _serve(directory):
    """A loopback HTTP server for the files in ``directory`` (Python 3.6 has no
    ``directory=`` for the handler)."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            return os.path.join(directory, os.path.basename(path.split("?", 1)[0]))

        def log_message(self, *args):
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    return server


@pytest.mark.slow
@requires_chromium
@pytest.mark.skipif(not os.path.isfile(CLIP), reason="real data not found at ../shared/data")
@pytest.mark.skipif(not h264_encoders(probe_media_facts()), reason="no H.264 encoder here")
def test_chromium_plays_the_h264_mp4_and_not_the_mp4v_one(tmp_path):
    frames = read_frames(CLIP, 50)
    for name, facts in (("h264.mp4", None), ("mp4v.mp4", MediaFacts())):
        with open_sink(str(tmp_path / name), fps=25, facts=facts) as sink:
            for index, frame in enumerate(frames):
                sink.write(index, frame, None)
        (tmp_path / (name + ".html")).write_text(
            '<video id="v" src="{}" muted preload="auto"></video>'.format(name))
    server, states = _serve(str(tmp_path)), {}
    try:
        with chromium_session(tmp_path / "profile") as browser:
            for name in ("h264.mp4", "mp4v.mp4"):
                browser.open("http://127.0.0.1:{}/{}.html".format(server.server_port, name))

                def settled():
                    state = browser.execute(VIDEO_STATE)
                    return state if state["ready"] >= 2 or state["error"] else None

                states[name] = wait_for(settled)
    finally:
        server.shutdown()
    h264 = states["h264.mp4"]
    assert h264 and h264["error"] == 0 and (h264["width"], h264["height"]) == (960, 540)
    assert abs(h264["duration"] - 2.0) < 0.1   # 50 frames at 25 fps
    assert states["mp4v.mp4"]["error"] == 4   # MEDIA_ERR_SRC_NOT_SUPPORTED
