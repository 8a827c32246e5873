"""Sinks by URI: video files, image and mask folders, MJPEG over HTTP, none, several at once."""

import json
import os
import time
import urllib.request

import numpy as np
import pytest

from linknet_edge.errors import OutputError, SinkError
from linknet_edge.runtime.video.sinks import (ImageFolderSink, MaskFolderSink, MjpegSink, MultiSink,
                                        NullSink, VideoFileSink, open_sink)

from .conftest import make_spec, read_frames, solid_frames


@pytest.fixture
def spec():
    return make_spec()


def _classes(frame):
    return (frame[..., 0] // 100).astype(np.int32)


@pytest.mark.parametrize("uri, kind", [
    ("none", NullSink), ("out.avi", VideoFileSink), ("file://{tmp}/o.mp4", VideoFileSink),
    ("{tmp}/overlays/", ImageFolderSink), ("dir://{tmp}/d", ImageFolderSink),
    ("masks://{tmp}/m", MaskFolderSink), ("http://127.0.0.1:0", MjpegSink)])
def test_uris_choose_the_sink(tmp_path, spec, monkeypatch, uri, kind):
    monkeypatch.chdir(tmp_path)
    sink = open_sink(uri.format(tmp=tmp_path), fps=10, spec=spec)
    try:
        assert isinstance(sink, kind)
    finally:
        sink.close()


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mkv", "clip.avi"])
def test_a_video_file_gets_every_frame(tmp_path, spec, name):
    frames = solid_frames(5)
    path = str(tmp_path / name)
    partial = path[:-4] + ".part" + path[-4:]
    with open_sink(path, fps=10, spec=spec) as sink:
        for index, frame in enumerate(frames):
            sink.write(index, frame, _classes(frame))
        assert not os.path.exists(path)   # written aside until closed: never a half file

    assert not os.path.exists(partial)
    assert len(read_frames(path)) == 5


def test_a_partial_file_from_an_interrupted_run_is_replaced_with_a_warning(tmp_path, spec,
                                                                           caplog):
    (tmp_path / "clip.part.avi").write_bytes(b"left by a killed run")
    with open_sink(str(tmp_path / "clip.avi"), fps=10, spec=spec) as sink:
        sink.write(0, solid_frames(1)[0], None)
    assert "replacing" in caplog.text and "clip.part.avi" in caplog.text
    assert len(read_frames(str(tmp_path / "clip.avi"))) == 1


def test_frames_of_another_size_are_resized_to_the_video_size(tmp_path, spec):
    path = str(tmp_path / "sized.avi")
    with open_sink(path, fps=5, size=(48, 64), spec=spec) as sink:
        sink.write(0, solid_frames(1, size=(96, 128))[0], None)
        sink.write(1, solid_frames(1)[0], None)
    frames = read_frames(path)
    assert len(frames) == 2 and frames[0].shape == (48, 64, 3)


def test_mask_and_overlay_folders_hold_one_file_per_frame(tmp_path, spec):
    import cv2
    frames = solid_frames(3)
    with open_sink(["masks://{}/m".format(tmp_path), "{}/o/".format(tmp_path)], spec=spec) as sink:
        assert isinstance(sink, MultiSink) and sink.needs_overlay
        for index, frame in enumerate(frames):
            sink.write(index + 10, frame, _classes(frame))
    assert sorted(os.listdir(str(tmp_path / "m"))) == ["000010.png", "000011.png", "000012.png"]
    assert sorted(os.listdir(str(tmp_path / "o"))) == ["000010.jpg", "000011.jpg", "000012.jpg"]
    mask = cv2.imread(str(tmp_path / "m" / "000012.png"), cv2.IMREAD_UNCHANGED)
    assert mask.dtype == np.uint8 and (mask == _classes(frames[2])).all()


def test_masks_only_need_no_overlay(tmp_path, spec):
    with open_sink(["masks://{}/m".format(tmp_path), "none"], spec=spec) as sink:
        assert not sink.needs_overlay


def test_mjpeg_sink_binds_loopback_by_default_and_serves_page_stream_and_stats(spec):
    sink = open_sink("http://:0", spec=spec)
    try:
        assert sink.server.host == "127.0.0.1"
        frame = solid_frames(1)[0]
        base = sink.server.url
        page = urllib.request.urlopen(base, timeout=5).read().decode()
        assert '<img id="stream" src="/stream"' in page and "FPS" in page
        sink.write(0, frame, None)   # nobody watches yet: counted, not encoded

        def stats():
            return json.loads(urllib.request.urlopen(base + "stats", timeout=5).read().decode())

        assert stats() == {"frames": 1, "fps": 0.0, "clients": 0}
        stream = urllib.request.urlopen(base + "stream", timeout=5)
        assert stream.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        for _ in range(100):
            if stats()["clients"] == 1:
                break
            time.sleep(0.02)
        sink.write(1, frame, None)
        head = stream.read(200)
        assert b"Content-Type: image/jpeg" in head and b"\xff\xd8" in head
        stream.close()
    finally:
        sink.close()
        sink.close()


def test_host_option_overrides_the_bind_address(spec):
    sink = open_sink("http://127.0.0.1:0", spec=spec, host="0.0.0.0")
    try:
        assert sink.server.host == "0.0.0.0"
    finally:
        sink.close()


def test_display_without_a_display_is_a_clear_error(monkeypatch, spec):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(SinkError, match="display://0: no display here"):
        open_sink("display://0", spec=spec)


def test_unknown_outputs_and_unwritable_places_are_one_line_errors(tmp_path, spec):
    with pytest.raises(SinkError, match="out.gif: unknown output type"):
        open_sink(str(tmp_path / "out.gif"), spec=spec)
    with pytest.raises(SinkError, match="unknown output scheme 'ftp'.*rtp://HOST:PORT"):
        open_sink("ftp://host/x.mp4", spec=spec)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot go below .*file: it is a file, not a folder"):
        open_sink("masks://{}/sub".format(blocker), spec=spec)


def test_a_crash_safe_video_is_synced_to_disk_while_it_is_written(tmp_path, spec):
    from linknet_edge.runtime.video.sinks import VideoFileSink
    sink = VideoFileSink("v.avi", str(tmp_path / "v.avi"), fps=10, sync_every=0.05)
    try:
        for index, frame in enumerate(solid_frames(3)):
            sink.write(index, frame, None)
        deadline = time.time() + 10
        while sink.syncer.synced < 2 and time.time() < deadline:
            time.sleep(0.02)
        assert sink.syncer.synced >= 2
    finally:
        sink.close()
    assert len(read_frames(str(tmp_path / "v.avi"))) == 3
