"""The video-writer benchmark runs on the real clip and reports every writer per size."""

import os

import pytest

from linknet_edge.benchmarks.video_write import format_writers, measure_writers
from linknet_edge.runtime.video.media import h264_encoders, probe_media_facts
from tests.markers import data_path

CLIP = data_path("video", "solidWhiteRight.mp4")


@pytest.mark.skipif(not os.path.isfile(CLIP), reason="real data not found at ../shared/data")
@pytest.mark.skipif(not h264_encoders(probe_media_facts()), reason="no H.264 encoder here")
def test_every_writer_is_measured_with_its_bitrate():
    rows = measure_writers(CLIP, frames=6, rounds=1, sizes=((270, 480),))
    assert [r["writer"] for r in rows] == ["mp4v", "h264", "mjpg-avi", "mjpeg-http"]
    assert all(r["frames"] == 6 and r["write_ms"] > 0 and r["mbit_s"] > 0 for r in rows)
    table = format_writers(rows)
    assert table.splitlines()[1].startswith("480x270    mp4v") and "1.00x" in table
