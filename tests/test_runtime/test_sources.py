"""Sources by URI: files, images, cameras, streams; errors, looping, reconnecting."""

import os
import threading
import time

import numpy as np
import pytest

from linknet_edge.errors import SourceError
from linknet_edge.runtime.video.gstreamer import opencv_has_gstreamer
from linknet_edge.runtime.video.mjpeg import MjpegServer
from linknet_edge.runtime.video.sources import open_source, parse_source_uri

from tests.markers import data_path, requires_data

from .conftest import solid_frames


@pytest.mark.parametrize("uri, kind, location", [
    ("clip.mp4", "file", "clip.mp4"),
    ("file:///data/clip.avi", "file", "/data/clip.avi"),
    ("shot.PNG", "images", "shot.PNG"),
    ("frames/*.jpg", "images", "frames/*.jpg"),
    ("v4l2:///dev/video2", "v4l2", "/dev/video2"),
    ("1", "v4l2", "/dev/video1"),
    ("csi://1", "csi", "1"),
    ("rtsp://cam.local:8554/live", "rtsp", "rtsp://cam.local:8554/live"),
    ("https://example.org/cam.mjpg", "http", "https://example.org/cam.mjpg"),
])
def test_uris_are_parsed_into_kinds(uri, kind, location):
    assert parse_source_uri(uri)[:2] == (kind, location)


def test_uri_query_gives_options_and_unknown_schemes_are_refused():
    assert parse_source_uri("csi://0?width=1920&height=1080")[2] == {"width": "1920",
                                                                      "height": "1080"}
    with pytest.raises(SourceError, match="unknown source scheme 'ftp'"):
        parse_source_uri("ftp://host/clip.mp4")


@pytest.mark.skipif(opencv_has_gstreamer(), reason="this OpenCV has GStreamer")
def test_csi_without_gstreamer_is_a_clear_error():
    with pytest.raises(SourceError, match="csi://0: a CSI camera needs OpenCV with GStreamer"):
        open_source("csi://0")


def _write_video(path, frames, fps=10.0):
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps,
                             (frames[0].shape[1], frames[0].shape[0]))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return str(path)


def test_a_video_file_yields_every_frame_and_can_loop(tmp_path):
    path = _write_video(tmp_path / "three.avi", solid_frames(3))
    with open_source(path) as source:
        items = list(source)
        assert not source.is_live and source.fps == 10.0 and source.frame_count == 3
    assert [i for i, _, _ in items] == [0, 1, 2]
    assert [round(t, 3) for _, _, t in items] == [0.0, 0.1, 0.2]
    assert items[0][1].shape == (48, 64, 3)
    with open_source("file://" + path, loop=True) as source:
        looped = [next(source) for _ in range(7)]
    assert [i for i, _, _ in looped] == list(range(7))
    assert np.abs(looped[3][1].astype(int) - looped[0][1]).mean() < 3   # back at frame 0


def test_images_folder_and_glob_are_read_in_name_order(tmp_path):
    import cv2
    for name, frame in zip(["b.png", "a.png", "c.jpg"], solid_frames(3)):
        cv2.imwrite(str(tmp_path / name), frame)
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(str(tmp_path)) as source:
        assert source.frame_count == 3
        names = [os.path.basename(f) for f in source.files]
    assert names == ["a.png", "b.png", "c.jpg"]
    with open_source(str(tmp_path / "*.png")) as source:
        frames = list(source)
    assert len(frames) == 2 and (frames[1][1] == solid_frames(3)[0]).all()  # b.png


def test_missing_and_corrupt_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(SourceError, match="nothere.mp4: no such video file"):
        open_source(str(tmp_path / "nothere.mp4"))
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(os.urandom(4096))
    with pytest.raises(SourceError, match="corrupt.mp4") as info:
        open_source(str(corrupt))
    assert "\n" not in str(info.value)
    with pytest.raises(SourceError, match="no image files"):
        open_source(str(tmp_path / "*.png"))
    with pytest.raises(SourceError, match="/dev/video99: no such camera"):
        open_source("v4l2:///dev/video99")


def _publish(server, value, stop):
    while not stop.is_set() and not server.stopped:
        server.publish(np.full((48, 64, 3), value, np.uint8))
        time.sleep(0.02)


def _serve(port, value, stop):
    server = MjpegServer(port=port).start()
    thread = threading.Thread(target=_publish, args=(server, value, stop))
    thread.daemon = True
    thread.start()
    return server


def test_a_live_http_stream_that_drops_is_reopened():
    stop = threading.Event()
    first = _serve(0, 60, stop)
    second = None
    try:
        source = open_source("http://127.0.0.1:{}/stream".format(first.port), retries=8,
                             backoff=0.1)
        assert source.is_live and source.frame_count is None
        before = [next(source)[1].mean() for _ in range(3)]
        first.stop()
        time.sleep(0.4)   # the source sees the drop and starts retrying
        second = _serve(first.port, 190, stop)
        after = []
        while len(after) < 10 and not (after and abs(after[-1][1].mean() - 190) < 3):
            after.append(next(source))
        after += [next(source) for _ in range(2)]
        source.close()
    finally:
        stop.set()
        first.stop()
        if second is not None:
            second.stop()
    assert np.allclose(before, 60, atol=3)
    means = [frame.mean() for _, frame, _ in after]
    # a frame the first server had already sent may still arrive; then only the second's
    first_new = next(i for i, m in enumerate(means) if abs(m - 190) < 3)
    assert np.allclose(means[:first_new], 60, atol=3) and first_new <= 2
    assert np.allclose(means[first_new:], 190, atol=3)
    assert [index for index, _, _ in after] == list(range(3, 3 + len(after)))


def test_a_stream_that_never_returns_ends_after_its_retries_and_says_so():
    stop = threading.Event()
    server = _serve(0, 60, stop)
    try:
        source = open_source("http://127.0.0.1:{}/stream".format(server.port), retries=2,
                             backoff=0.05)
        next(source)
        server.stop()
        rest = [item[0] for _, item in zip(range(1000), source)]
    finally:
        stop.set()
        server.stop()
    assert len(rest) < 1000   # iteration ended
    assert source.ended_early == "stream lost: 2 reconnect attempts failed"


@requires_data
def test_a_truncated_file_ends_early_and_says_how_early(tmp_path):
    data = open(data_path("video", "solidWhiteRight.mp4"), "rb").read()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:len(data) // 2])
    with open_source(str(cut)) as source:
        assert source.ended_early is None and source.frame_count == 221
        frames = list(source)
    assert len(frames) == 110
    assert source.ended_early == ("read 110 of 221 frames: the file ends early (truncated or "
                                  "damaged)")


@pytest.mark.parametrize("uri, message", [
    ("rtsp://cam/live?codec=vp9", "codec must be h264 or h265, got 'vp9'"),
    ("rtsp://cam/live?latency=fast", "latency must be whole milliseconds"),
    ("rtsp://cam/live\tlatency=0", "not a usable RTSP URL"),
])
def test_bad_rtsp_options_are_one_line_source_errors(uri, message):
    with pytest.raises(SourceError) as info:
        open_source(uri)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_our_rtsp_options_leave_the_cameras_own_query_alone():
    assert parse_source_uri("rtsp://cam/s?channel=1&codec=h265&latency=50") == (
        "rtsp", "rtsp://cam/s?channel=1", {"codec": "h265", "latency": "50"})
    assert parse_source_uri("rtsp://cam/s?channel=1")[1:] == ("rtsp://cam/s?channel=1", {})
