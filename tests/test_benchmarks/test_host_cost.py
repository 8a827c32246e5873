"""The host-cost benchmark compares like with like: its pre-issue-14 post-processing draws the
same overlay as today's outside the legend, and the script runs end to end on real frames."""

import os

import numpy as np
import pytest

from tests.markers import data_path, requires_onnxruntime, requires_torch


def test_the_baseline_blend_equals_todays_outside_the_legend():
    from linknet_edge.benchmarks.host_cost import baseline_postprocess
    from linknet_edge.data import preset_spec
    from linknet_edge.runtime.postprocess import OverlayRenderer, labels_to_frame
    spec = preset_spec("camvid")
    frame = np.random.RandomState(1).randint(0, 256, (360, 640, 3)).astype(np.uint8)
    network = (np.arange(160 * 224).reshape(160, 224) // 700 % 11).astype(np.int32)
    before = baseline_postprocess(frame, network, spec)
    after = OverlayRenderer(spec, legend=True)(frame, labels_to_frame(network, frame.shape),
                                               network)
    assert np.array_equal(before[:, 300:], after[:, 300:])  # the legend sits top-left
    assert np.array_equal(before[250:], after[250:])


@requires_torch
@requires_onnxruntime
def test_the_script_prints_every_stage_for_every_size(tiny_checkpoint, onnx_uint8_path,
                                                      onnx_path, capsys):
    video = data_path("video", "solidWhiteRight.mp4")
    if not os.path.isfile(video):
        pytest.skip("real data not found at ../shared/data")
    from linknet_edge.benchmarks.host_cost import main
    assert main(["--video", video, "--float-model", onnx_path, "--uint8-model", onnx_uint8_path,
                 "--frames", "3", "--rounds", "1", "--no-pipeline"]) == 0
    out = capsys.readouterr().out
    for size in ("640x360", "1280x720", "1920x1080"):
        assert "{} (CPU ms/frame)".format(size) in out
    for stage in ("capture", "preprocess", "postprocess", "write", "host total"):
        assert out.count("\n" + stage) == 3
    assert "hardware codecs: none on this machine (L4T only): not measured" in out
