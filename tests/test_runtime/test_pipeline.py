"""The pipeline end to end on real clips: frame counts, masks, scoring, preprocessing identity."""

import os
import threading
import time

import numpy as np
import pytest

from linknet_edge.preprocessing import normalize, resize_image, to_network_input
from linknet_edge.runtime.backends import load_model
from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
from linknet_edge.runtime.postprocess import labels_to_frame
from linknet_edge.runtime.stream import FrameStream, iterate, segment
from linknet_edge.runtime.video.sources import open_source
from tests.markers import data_path, requires_data, requires_onnxruntime, requires_torch

from .conftest import CLIP_FRAMES, read_frames

pytestmark = [requires_torch, requires_onnxruntime]


def _read_masks(directory):
    import cv2
    names = sorted(os.listdir(str(directory)))
    return [cv2.imread(os.path.join(str(directory), n), cv2.IMREAD_UNCHANGED) for n in names]


@requires_data
@pytest.mark.parametrize("batch", [1, 4])
def test_run_writes_every_frame_and_the_masks_the_backend_gives(tmp_path, short_clip,
                                                                tiny_onnx_classes, batch):
    video = str(tmp_path / "overlay.mp4")
    summary = run_pipeline(tiny_onnx_classes, short_clip, [video, "masks://{}".format(
        tmp_path / "masks")], stream=StreamOptions(batch, log_every=None))
    assert summary["frames"] == CLIP_FRAMES and summary["dropped"] == 0
    assert summary["model"] == "onnxruntime:CPUExecutionProvider"
    assert set(summary["stages"]) == {"capture", "preprocess", "infer", "postprocess", "write",
                                      "latency"}
    written = read_frames(video)
    assert len(written) == CLIP_FRAMES and written[0].shape == (360, 480, 3)
    masks = _read_masks(tmp_path / "masks")
    assert len(masks) == CLIP_FRAMES
    with load_model(tiny_onnx_classes) as runner:
        for frame, mask in zip(read_frames(short_clip), masks):
            direct = runner.run(to_network_input([frame], runner.spec))[0]
            np.testing.assert_array_equal(mask, labels_to_frame(direct, frame.shape))
    assert len(np.unique(masks[0])) > 1   # the comparison is not between two blank maps


@requires_data
def test_smooth_masks_are_the_logits_resized_before_the_argmax(tmp_path, short_clip, tiny_onnx):
    """``run --smooth``: each mask is ``logits_to_frame`` of the backend's logits for its frame
    (64x64 network, 480x360 frames), and its class boundaries leave the 7.5-pixel staircase of
    nearest-neighbour masks."""
    from linknet_edge.cli import main
    from linknet_edge.runtime.postprocess import logits_to_frame
    assert main(["run", tiny_onnx, "-i", short_clip, "-o", "masks://{}".format(tmp_path / "s"),
                 "--smooth", "--max-frames", "3", "-q"]) == 0
    run_pipeline(tiny_onnx, short_clip, "masks://{}".format(tmp_path / "n"),
                 stream=StreamOptions(limit=3, log_every=None))
    smooth, nearest = _read_masks(tmp_path / "s"), _read_masks(tmp_path / "n")
    assert len(smooth) == len(nearest) == 3
    with load_model(tiny_onnx) as runner:
        for frame, mask in zip(read_frames(short_clip, 3), smooth):
            logits = runner.run_logits(runner.prepare([frame]))[0]
            np.testing.assert_array_equal(mask, logits_to_frame(logits, frame.shape))
    changed = [float(np.mean(s != n)) for s, n in zip(smooth, nearest)]
    assert all(0 < share < 0.2 for share in changed), changed


@requires_data
def test_camvid_masks_are_scored_against_their_labels(tmp_path, camvid_onnx):
    import cv2
    from linknet_edge.metrics import ConfusionMatrix
    from linknet_edge.data import preset_spec
    clip = data_path("video", "camvid_0016E5_val_15fps_480x360.mp4")
    run_pipeline(camvid_onnx, clip, "masks://{}".format(tmp_path),
                 stream=StreamOptions(limit=CLIP_FRAMES, log_every=None))
    with open(data_path("video", "camvid_0016E5_val_15fps_480x360.frames.txt")) as handle:
        names = handle.read().split()[:CLIP_FRAMES]
    spec = preset_spec("camvid")
    matrix = ConfusionMatrix(spec.num_classes, ignore_index=spec.ignore_index)
    valid = 0
    for mask, name in zip(_read_masks(tmp_path), names):
        labels = cv2.imread(data_path("camvid", "valannot", name), cv2.IMREAD_UNCHANGED)
        assert mask.shape == labels.shape == (360, 480)
        matrix.update(mask, labels)
        valid += int((labels != spec.ignore_index).sum())
    scores = matrix.summary()
    assert scores["pixels"] == valid > 0
    assert 0.0 <= scores["miou"] <= 1.0 and 0.0 <= scores["pixel_accuracy"] <= 1.0


@requires_data
def test_segment_yields_frame_size_class_maps_with_stage_timings(short_clip, tiny_onnx):
    results = list(segment(short_clip, tiny_onnx, limit=5))
    assert len(results) == 5
    frame, classes, timings = results[-1]
    assert frame.shape == (360, 480, 3)
    assert classes.shape == (360, 480) and classes.dtype == np.uint8
    assert set(timings) == {"capture", "preprocess", "infer", "postprocess", "latency"}
    assert all(value >= 0 for value in timings.values())


class _RecordingRunner(object):
    """The real runner, keeping the batches the pipeline hands it."""

    def __init__(self, runner):
        self.runner, self.spec, self.batches = runner, runner.spec, []
        self.prepare = runner.prepare

    def run(self, batch):
        self.batches.append(batch.copy())
        return self.runner.run(batch)


@requires_data
def test_runtime_network_input_is_the_training_input(tiny_onnx):
    from linknet_edge.images import read_image_rgb
    path = data_path("camvid", "val", "0016E5_07959.png")
    with load_model(tiny_onnx) as runner, open_source(path) as source:
        recorder = _RecordingRunner(runner)
        list(iterate(source, recorder, log_every=None))
        size = tuple(runner.spec.input_size)
        training = normalize(resize_image(read_image_rgb(path), size), runner.spec)
        bgr_normalised = normalize(resize_image(read_image_rgb(path)[..., ::-1], size), runner.spec)
    assert len(recorder.batches) == 1
    np.testing.assert_array_equal(recorder.batches[0][0], training)
    assert np.abs(recorder.batches[0][0] - bgr_normalised).max() > 0.5


def test_a_file_source_keeps_every_frame_in_order(tmp_path, tiny_onnx):
    import cv2
    from .conftest import solid_frames
    frames = solid_frames(9, size=(64, 96))
    for index, frame in enumerate(frames):
        cv2.imwrite(str(tmp_path / "{:02d}.png".format(index)), frame)
    with load_model(tiny_onnx) as runner, open_source(str(tmp_path)) as source:
        got = [frame for frame, _, _ in iterate(source, runner, batch_size=2, log_every=None)]
    assert len(got) == 9
    assert all((a == b).all() for a, b in zip(got, frames))


class _SlowRunner(_RecordingRunner):
    """The real runner plus 80 ms per call: a pipeline slower than its camera."""

    def run(self, batch):
        time.sleep(0.08)
        return super(_SlowRunner, self).run(batch)


def test_a_live_source_skips_stale_frames_instead_of_queueing_them(tiny_onnx):
    from linknet_edge.runtime.video.mjpeg import MjpegServer
    server, stop = MjpegServer(port=0).start(), threading.Event()

    def publish():
        while not stop.is_set():
            server.publish(np.full((48, 64, 3), 128, np.uint8))
            time.sleep(0.01)

    publisher = threading.Thread(target=publish)
    publisher.daemon = True
    publisher.start()
    try:
        with load_model(tiny_onnx) as runner, open_source(server.url + "stream") as source:
            stream = FrameStream(source, _SlowRunner(runner), max_frames=60)
            indices = [item.index for item, _ in zip(stream, range(6))]
            stream.close()
            dropped = stream.dropped
    finally:
        stop.set()
        server.stop()
    assert indices == sorted(indices) and len(indices) == 6
    assert dropped > 0 and indices[-1] - indices[0] > 5   # frames were skipped, not queued
