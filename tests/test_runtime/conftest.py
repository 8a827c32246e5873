"""Fixtures for the runtime tests: the tiny real LinkNet of tests/conftest.py (3 classes, 64x64)
as ONNX files with and without the ``classes`` output, and a short clip cut from the real CamVid
video."""

import os

import numpy as np
import pytest

from linknet_edge.spec import ModelSpec
from tests.markers import data_path

CAMVID_CLIP = ("video", "camvid_0016E5_val_15fps_480x360.mp4")
CLIP_FRAMES = 12


def make_spec(classes=("background", "road", "car"), size=(64, 64)):
    return ModelSpec("linknet", list(classes), colors=[(0, 0, 0), (128, 64, 128), (0, 0, 142)]
                     if len(classes) == 3 else None, input_size=size)


def _export(checkpoint, path, argmax=False):
    pytest.importorskip("onnx")
    from linknet_edge.export.onnx import export_onnx
    export_onnx(checkpoint, path, argmax=argmax, verify=False, input_form="float")
    return path


@pytest.fixture(scope="session")
def torch_reference(tiny_checkpoint):
    """The PyTorch runner of the tiny checkpoint: what every backend must agree with."""
    from linknet_edge.runtime.backends import load_model
    runner = load_model(tiny_checkpoint, "pytorch")
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def tiny_onnx(tmp_path_factory, tiny_checkpoint):
    """The tiny checkpoint exported with the ``logits`` output only (the runner takes the
    argmax)."""
    return _export(tiny_checkpoint, str(tmp_path_factory.mktemp("onnx") / "tiny_logits.onnx"))


@pytest.fixture(scope="session")
def tiny_onnx_classes(onnx_path):
    """The tiny checkpoint exported with ``logits`` and the in-graph ArgMax ``classes``."""
    return onnx_path


@pytest.fixture(scope="session")
def camvid_onnx(tmp_path_factory):
    """An 11-class model at 64x64 (CamVid's class count, for scoring against its labels)."""
    from tests.conftest import make_tiny_checkpoint
    directory = tmp_path_factory.mktemp("camvid")
    checkpoint = make_tiny_checkpoint(directory, classes=11)
    return _export(checkpoint, str(directory / "camvid.onnx"), argmax=True)


def read_frames(path, limit=None):
    import cv2
    capture = cv2.VideoCapture(str(path))
    frames = []
    while limit is None or len(frames) < limit:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory):
    """The first 12 frames of the real CamVid clip as an MJPG .avi (skips without the data)."""
    import cv2
    source = data_path(*CAMVID_CLIP)
    if not os.path.isfile(source):
        pytest.skip("real data not found at ../shared/data")
    frames = read_frames(source, CLIP_FRAMES)
    path = str(tmp_path_factory.mktemp("clip") / "camvid12.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 15.0,
                             (frames[0].shape[1], frames[0].shape[0]))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def solid_frames(count, size=(48, 64)):
    """Distinct synthetic frames (a gradient shifted per frame) for tests without real data."""
    height, width = size
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    return [np.clip(np.broadcast_to(ramp, (height, width, 3)) + 20 * i, 0, 255).astype(np.uint8)
            for i in range(count)]
