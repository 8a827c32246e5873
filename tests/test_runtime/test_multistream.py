"""Several inputs in one run: frames of every input batched into one inference call, each
input's outputs holding exactly its own frames, and a stalled live input never stalling the
others. Real files (cut from the CamVid and dash-cam clips) and real loopback MJPEG servers."""

import os
import threading
import time

import numpy as np
import pytest

from linknet_edge.errors import SinkError
from linknet_edge.runtime.backends import load_model
from linknet_edge.runtime.video.mjpeg import MjpegServer
from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
from linknet_edge.runtime.video.sources import open_source
from linknet_edge.runtime.stream import FrameStream
from linknet_edge.runtime.stream_outputs import outputs_per_stream
from tests.markers import data_path, requires_data, requires_onnxruntime, requires_torch

from .conftest import CAMVID_CLIP, read_frames

pytestmark = [requires_torch, requires_onnxruntime]

FRAMES = 10


@pytest.fixture(scope="module")
def dynamic_onnx(tmp_path_factory, tiny_checkpoint):
    """The tiny checkpoint with a dynamic batch: a whole multi-input batch in one call."""
    from linknet_edge.export.onnx import export_onnx
    path = str(tmp_path_factory.mktemp("dynamic") / "tiny_dynamic.onnx")
    export_onnx(tiny_checkpoint, path, argmax=True, dynamic_batch=True, verify=False)
    return path


def _cut(source, path, count, start=0):
    """The frames start..start+count of a real video, as an MJPG .avi."""
    import cv2
    frames = read_frames(source, start + count)[start:]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15.0,
                             (frames[0].shape[1], frames[0].shape[0]))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return str(path)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Two real clips of different lengths: 12 CamVid frames, 8 dash-cam frames."""
    if not os.path.isfile(data_path(*CAMVID_CLIP)):
        pytest.skip("real data not found at ../shared/data")
    folder = tmp_path_factory.mktemp("clips")
    return (_cut(data_path(*CAMVID_CLIP), folder / "camvid.avi", 12),
            _cut(data_path("video", "solidWhiteRight.mp4"), folder / "dashcam.avi", 8, 30))


class _Camera(object):
    """A loopback MJPEG server publishing one real image every 20 ms until ``stall`` is set."""

    def __init__(self, image):
        self.image, self.stall, self.server = image, threading.Event(), MjpegServer(port=0)
        self.server.start()
        self.url = self.server.url + "stream"
        self._thread = threading.Thread(target=self._publish)
        self._thread.daemon = True
        self._thread.start()

    def _publish(self):
        while not self.server.stopped:
            if not self.stall.is_set():
                self.server.publish(self.image)
            time.sleep(0.02)

    def stop(self):
        self.server.stop()


@pytest.fixture
def cameras():
    """Two cameras showing different real CamVid frames."""
    import cv2
    names = ("0016E5_07959.png", "0016E5_08085.png")
    paths = [data_path("camvid", "val", name) for name in names]
    if not all(os.path.isfile(p) for p in paths):
        pytest.skip("real data not found at ../shared/data")
    started = [_Camera(cv2.resize(cv2.imread(p), (480, 360))) for p in paths]
    yield started
    for camera in started:
        camera.stop()


class _Recorder(object):
    """The real runner, keeping the size of every batch the stream hands it."""

    def __init__(self, runner):
        self._runner, self.sizes = runner, []

    def __getattr__(self, name):
        return getattr(self._runner, name)

    def run(self, batch):
        self.sizes.append(len(batch))
        return self._runner.run(batch)


def _masks(directory):
    import cv2
    names = sorted(os.listdir(str(directory)))
    return [cv2.imread(os.path.join(str(directory), n), cv2.IMREAD_UNCHANGED) for n in names]


@requires_data
@pytest.mark.parametrize("model", ["static batch 1", "dynamic batch"])
def test_four_inputs_in_one_run_each_output_gets_exactly_its_own_frames(
        tmp_path, model, tiny_onnx_classes, dynamic_onnx, clips, cameras):
    path = tiny_onnx_classes if model == "static batch 1" else dynamic_onnx
    inputs = [clips[0], cameras[0].url, clips[1], cameras[1].url]
    options = StreamOptions(limit=FRAMES, log_every=None)
    with load_model(path) as runner:
        recorder = _Recorder(runner)
        summary = run_pipeline(recorder, inputs, ["masks://" + str(tmp_path / "all" / "{stream}")],
                               stream=options)
        together = [_masks(tmp_path / "all" / str(n)) for n in range(4)]
        for n, uri in enumerate(inputs):
            run_pipeline(runner, uri, "masks://" + str(tmp_path / "alone{}".format(n)),
                         stream=options)
    reference = [_masks(tmp_path / "alone{}".format(n)) for n in range(4)]
    assert max(recorder.sizes) > 1   # frames of several inputs went into one call
    # files: every frame, in order, the same masks as running that file alone
    for n, count in ((0, FRAMES), (2, 8)):
        assert len(together[n]) == len(reference[n]) == count
        for mine, own in zip(together[n], reference[n]):
            np.testing.assert_array_equal(mine, own)
    # cameras: each frame of a camera shows that camera's picture, never the other's
    for n in (1, 3):
        assert 1 <= len(together[n]) <= FRAMES
        for mine in together[n]:
            np.testing.assert_array_equal(mine, reference[n][0])
    firsts = [reference[n][0] for n in range(4)]
    assert all(not np.array_equal(firsts[a], firsts[b]) for a in range(4)
               for b in range(a + 1, 4))   # a swap would be seen
    assert [part["frames"] for part in summary["streams"]] == [len(m) for m in together]
    assert summary["frames"] == sum(len(m) for m in together)
    assert [part["source"] for part in summary["streams"]] == inputs
    assert summary["streams"][1]["outputs"] == ["masks://" + str(tmp_path / "all" / "1")]
    assert all(part["fps"] > 0 for part in summary["streams"])


def _advanced(counts, mark, lanes=(0, 1)):
    return min(counts[n] - mark[n] for n in lanes)


@requires_data
def test_a_stalled_camera_does_not_stall_the_other_inputs(tiny_onnx_classes, clips, cameras):
    with load_model(tiny_onnx_classes) as runner:
        sources = [open_source(clips[0], loop=True), open_source(cameras[0].url),
                   open_source(cameras[1].url)]
        stream = FrameStream(sources, runner)
        # marks: when camera 1 stalls, once the frames in flight have drained, and the end
        counts, marks, deadline = [0, 0, 0], [], time.time() + 90
        try:
            for item in stream:
                stream.done(item)
                counts[item.stream] += 1
                if not marks and counts[2] >= 3:
                    cameras[1].stall.set()   # the server stays up, the camera sends nothing
                    marks.append(list(counts))
                elif len(marks) == 1 and _advanced(counts, marks[0]) >= 10:
                    marks.append(list(counts))
                elif len(marks) == 2 and _advanced(counts, marks[1]) >= 15:
                    marks.append(list(counts))
                    break
                if time.time() > deadline:
                    break
            cameras[1].stop()   # let its blocked read end before the sources close
        finally:
            stream.close()
            for source in sources:
                source.close()
    assert len(marks) == 3, (marks, counts)   # the file and the live camera went on
    assert marks[2][2] == marks[1][2], marks   # while the stalled camera gave nothing
    assert stream.stream_timings[0].summary()["frames"] == counts[0]


def test_outputs_go_one_per_input_in_order_or_by_template():
    assert outputs_per_stream(["a.mp4", "b.mp4"], 2) == [["a.mp4"], ["b.mp4"]]
    assert outputs_per_stream(["out_{stream}.mp4", "a/", "none"], 2) == [
        ["out_0.mp4", "a/"], ["out_1.mp4"]]
    assert outputs_per_stream(["masks://m/{stream}"], 3) == [
        ["masks://m/0"], ["masks://m/1"], ["masks://m/2"]]
    assert outputs_per_stream([["a.mp4", "http://0.0.0.0:8080"], []], 2) == [
        ["a.mp4", "http://0.0.0.0:8080"], ["none"]]
    assert outputs_per_stream(["a.mp4", "b.mkv"], 1) == [["a.mp4", "b.mkv"]]
    assert outputs_per_stream("none", 3) == [["none"]] * 3
    assert outputs_per_stream(["display://0", "display://0"], 2) == [["display://0"]] * 2


@pytest.mark.parametrize("outputs, count, message", [
    (["a.mp4"], 2, "1 output without {stream} for 2 inputs"),
    (["a.mp4", "b.mp4", "c.mp4"], 2, "3 outputs without {stream} for 2 inputs"),
    (["a.mp4", "a.mp4"], 2, "a.mp4: given to inputs 0 and 1"),
    (["masks://m", "masks://m/"], 2, "masks://m/: given to inputs 0 and 1"),
    ([["a.mp4"]], 2, "1 lists of outputs for 2 inputs"),
])
def test_an_ambiguous_mapping_is_refused_in_one_line(outputs, count, message):
    with pytest.raises(SinkError) as info:
        outputs_per_stream(outputs, count)
    assert message in str(info.value) and "\n" not in str(info.value)


@requires_data
def test_run_with_two_inputs_prints_a_table_per_input(tmp_path, tiny_onnx_classes, clips,
                                                      capsys):
    from linknet_edge.cli import main
    out = str(tmp_path / "seg_{stream}.avi")
    code = main(["run", tiny_onnx_classes, "-i", clips[0], "-i", clips[1], "-o", out,
                 "--save-masks", str(tmp_path / "masks"), "--limit", "5", "-q"])
    printed = capsys.readouterr().out
    assert code == 0
    assert len(read_frames(str(tmp_path / "seg_0.avi"))) == 5
    assert len(read_frames(str(tmp_path / "seg_1.avi"))) == 5
    assert sorted(os.listdir(str(tmp_path / "masks"))) == ["0", "1"]
    assert "on 2 inputs" in printed and "latency p50 (ms)" in printed
    rows = [line.split() for line in printed.splitlines() if line.startswith(("0 ", "1 "))]
    assert [row[1] for row in rows] == list(clips) and [row[2] for row in rows] == ["5", "5"]


def test_run_refuses_an_ambiguous_mapping_before_opening_anything(tmp_path, tiny_onnx_classes,
                                                                  capsys):
    from linknet_edge.cli import main
    code = main(["run", tiny_onnx_classes, "-i", "a.mp4", "-i", "b.mp4", "-o", "one.mp4"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert "--output: 1 output without {stream} for 2 inputs" in err[0]
