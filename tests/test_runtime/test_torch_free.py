"""Importing the runtime and a whole ONNX Runtime run (CLI included) never import torch."""

import os
import subprocess
import sys

from tests.markers import ROOT, requires_onnxruntime, requires_torch

from .conftest import solid_frames

SCRIPT = r"""
import sys
import linknet_edge.runtime, linknet_edge.runtime.backends, linknet_edge.runtime.video.sources
import linknet_edge.runtime.video.sinks, linknet_edge.runtime.postprocess, linknet_edge.runtime.pipeline
import linknet_edge.runtime.stream
import linknet_edge.runtime.video.mjpeg, linknet_edge.runtime.backends.onnxruntime
import linknet_edge.runtime.backends.pytorch
from linknet_edge.runtime.backends import describe_backends
describe_backends()
assert "torch" not in sys.modules, "importing the runtime pulled in torch"
from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
summary = run_pipeline(sys.argv[1], sys.argv[2], [sys.argv[3]], stream=StreamOptions(log_every=None))
assert summary["frames"] == 4, summary
from linknet_edge.cli import main
assert main(["run", sys.argv[1], "--input", sys.argv[2], "--output", "none"]) == 0
assert "torch" not in sys.modules, "the ONNX Runtime run pulled in torch"
print("TORCH-FREE")
"""


@requires_torch     # only to make the ONNX file
@requires_onnxruntime
def test_runtime_and_an_onnxruntime_run_never_import_torch(tmp_path, tiny_onnx):
    import cv2
    clip = str(tmp_path / "four.avi")
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (96, 64))
    for frame in solid_frames(4, size=(64, 96)):
        writer.write(frame)
    writer.release()
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, tiny_onnx, clip,
                                str(tmp_path / "out.avi")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()[-3000:]
    assert b"TORCH-FREE" in out
