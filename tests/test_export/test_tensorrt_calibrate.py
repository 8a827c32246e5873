"""export.calibrate: real-image calibration batches, a calibration cache that is reused, and a
cache from another TensorRT version detected from its header (the build recalibrates when
images are given, else stops with one line)."""

import json
import logging
import os
import shutil

import numpy as np
import pytest

from linknet_edge.export.calibrate import CalibrationBatches, EntropyCalibrator, cache_problem
from linknet_edge.errors import DatasetError, EngineBuildError
from linknet_edge.preprocessing import to_network_input
from tests.markers import data_path, requires_data
from tests.stand_ins import FLAVOURS, device, stand_in  # noqa: F401 (fixture)
from tests.stand_ins.tiny_onnx import tiny_spec, write_tiny_onnx

ORIN = ("NVIDIA Jetson AGX Orin", "8.7")


@requires_data
def test_batches_are_the_runtime_input_of_real_frames():
    import cv2
    spec = tiny_spec(size=(64, 96))
    batches = CalibrationBatches(data_path("camvid", "val"), spec, batch_size=2, max_images=5)
    names = sorted(os.listdir(data_path("camvid", "val")))
    assert len(batches) == 2 and batches.shape == (2, 3, 64, 96)
    assert os.path.basename(batches.paths[0]) == names[0]  # spread evenly, first one included
    produced = list(batches)
    assert len(produced) == 2 and all(b.shape == (2, 3, 64, 96) for b in produced)
    expected = to_network_input([cv2.imread(p) for p in batches.paths[2:4]], spec)
    np.testing.assert_array_equal(produced[1], expected)
    assert produced[0].dtype == np.float32 and abs(float(produced[0].mean())) < 3


def test_batches_need_enough_images(tmp_path):
    with pytest.raises(DatasetError, match="no images"):
        CalibrationBatches(str(tmp_path), tiny_spec())


def test_calibration_cache_really_read_and_written(tmp_path):
    cache = tmp_path / "model.calib"
    calibrator = EntropyCalibrator(str(cache))
    assert calibrator.read_calibration_cache() is None
    assert calibrator.get_batch(["input"]) is None  # no images: nothing to serve
    calibrator.write_calibration_cache(memoryview(b"TRT-8201-EntropyCalibration2\ninput: 3c\n"))
    assert cache.read_bytes() == b"TRT-8201-EntropyCalibration2\ninput: 3c\n"
    assert EntropyCalibrator(str(cache)).read_calibration_cache() == cache.read_bytes()
    assert os.listdir(str(tmp_path)) == ["model.calib"]  # atomic: no temp file left


@requires_data
def test_calibrator_serves_device_batches_stand_in(stand_in):
    stand_in()
    spec = tiny_spec()
    batches = CalibrationBatches(data_path("camvid", "val"), spec, batch_size=1, max_images=2)
    calibrator = EntropyCalibrator("unused.calib", batches)
    from linknet_edge.runtime.backends.tensorrt.cuda import CudaContext
    with CudaContext():
        trt_calibrator = calibrator.as_tensorrt()
        assert trt_calibrator.get_batch_size() == 1
        served = [trt_calibrator.get_batch(["input"]) for _ in range(3)]
        assert served[2] is None and calibrator.batches_served == 2
        on_device = device.read(served[1][0], batches.shape, np.float32)
        np.testing.assert_array_equal(on_device, list(batches)[1])
        calibrator.close()
        calibrator.close()
        assert not device.MEMORY
    assert not device.stack()


def test_calibrator_error_is_kept_for_the_builder_stand_in(stand_in, tmp_path):
    stand_in()
    (tmp_path / "broken.png").write_bytes(b"not a png")
    batches = CalibrationBatches(str(tmp_path), tiny_spec())
    calibrator = EntropyCalibrator(str(tmp_path / "c.calib"), batches)
    assert calibrator.as_tensorrt().get_batch(["input"]) is None
    assert isinstance(calibrator.error, DatasetError) and "broken.png" in str(calibrator.error)


def test_cache_problem_reads_the_header(tmp_path):
    cache = tmp_path / "m.calib"
    assert cache_problem(str(cache), "8.6.1.6") is None  # no cache: nothing wrong
    cache.write_bytes(b"TRT-8601-EntropyCalibration2\ninput: 3c010a14\n")
    assert cache_problem(str(cache), "8.6.1.6") is None
    assert cache_problem(str(cache), "10.3.0.26") == \
        "{} was written by TensorRT 8.6.1, this is TensorRT 10.3.0".format(cache)
    cache.write_bytes(b"TRT-100300-MinMaxCalibration\n")
    assert "written by the MinMaxCalibration calibrator" in cache_problem(str(cache), "10.3.0")
    cache.write_bytes(b"garbage")
    assert "is not a TensorRT calibration cache" in cache_problem(str(cache), "10.3.0")


@requires_data
def test_foreign_cache_recalibrates_with_images_else_one_line_stand_in(stand_in, tmp_path,
                                                                       caplog):
    """A cache from TensorRT 8.6 on a 10.3 build: TensorRT skips it and then needs batches; the
    images given are always offered, so it recalibrates and rewrites the cache."""
    from linknet_edge.export.tensorrt import build_engine
    images = tmp_path / "calib"
    images.mkdir()
    for name in sorted(os.listdir(data_path("camvid", "val")))[:2]:
        shutil.copy(data_path("camvid", "val", name), str(images))
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    engine = str(tmp_path / "tiny.engine")
    stand_in(FLAVOURS["8.6"], *ORIN)
    build_engine(onnx_path, engine, precision="int8", calib_dir=str(images))
    cache = engine + ".calib"
    assert open(cache, "rb").read().startswith(b"TRT-8601-EntropyCalibration2\n")
    trt, _ = stand_in(FLAVOURS["10.3"], *ORIN)
    with pytest.raises(EngineBuildError) as info:  # no images: stop before building
        build_engine(onnx_path, engine, precision="int8")
    message = str(info.value)
    assert message == ("{} was written by TensorRT 8.6.1, this is TensorRT 10.3.0, so TensorRT "
                       "would skip it and have no images to calibrate on; give --calib DIR to "
                       "recalibrate".format(cache))
    caplog.set_level(logging.WARNING)
    build_engine(onnx_path, engine, precision="int8", calib_dir=str(images))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["{} was written by TensorRT 8.6.1, this is TensorRT 10.3.0: recalibrating "
                        "on {} (the cache is rewritten)".format(cache, images)]
    header = json.loads(bytes(trt._PLANS[-1]).split(b"\n")[1].decode())
    assert header["calibrated_batches"] == 2
    assert open(cache, "rb").read().startswith(b"TRT-100300-EntropyCalibration2\n")
    with open(engine + ".json") as handle:
        assert json.load(handle)["calibration_sha256"]

