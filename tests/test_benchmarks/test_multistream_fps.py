"""The multi-input benchmark runs 1 and 2 inputs of the real clip side by side and reports
total and per-input FPS as ratios to one input."""

import os

import pytest

from linknet_edge.benchmarks.multistream_fps import format_multistream, measure_multistream_fps
from tests.markers import data_path, requires_onnxruntime, requires_torch

CLIP = data_path("video", "solidWhiteRight.mp4")


@requires_torch
@requires_onnxruntime
@pytest.mark.skipif(not os.path.isfile(CLIP), reason="real data not found at ../shared/data")
def test_every_input_count_is_measured_against_one_input(onnx_path):
    result = measure_multistream_fps(onnx_path, CLIP, streams=(1, 2), frames=6, rounds=1)
    one, two = result["rows"]
    assert (one["streams"], two["streams"]) == (1, 2)
    assert len(one["per_stream_fps"]) == 1 and len(two["per_stream_fps"]) == 2
    assert one["total_ratio"] == 1.0 and two["total_ratio"] > 0
    assert one["frames_per_call"] == 1.0 and 1.0 <= two["frames_per_call"] <= 2.0
    table = format_multistream(result).splitlines()
    assert "(batch 1)" in table[0] and table[3].split()[0] == "1" and table[4].split()[0] == "2"
