"""export.calibrate: real-image calibration batches and a calibration cache that is reused."""

import os

import numpy as np
import pytest

from linknet_edge.export.calibrate import CalibrationBatches, EntropyCalibrator
from linknet_edge.errors import DatasetError
from linknet_edge.preprocessing import to_network_input
from tests.markers import data_path, requires_data
from tests.stand_ins import stand_in  # noqa: F401 (fixture)
from tests.stand_ins.tiny_onnx import tiny_spec


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
    _, cuda = stand_in()
    spec = tiny_spec()
    batches = CalibrationBatches(data_path("camvid", "val"), spec, batch_size=1, max_images=2)
    calibrator = EntropyCalibrator("unused.calib", batches)
    from linknet_edge.runtime.backends._cuda import CudaContext
    with CudaContext():
        trt_calibrator = calibrator.as_tensorrt()
        assert trt_calibrator.get_batch_size() == 1
        served = [trt_calibrator.get_batch(["input"]) for _ in range(3)]
        assert served[2] is None and calibrator.batches_served == 2
        on_device = cuda._read(served[1][0], batches.shape, np.float32)
        np.testing.assert_array_equal(on_device, list(batches)[1])
        calibrator.close()
        calibrator.close()
        assert not cuda._MEMORY
    assert not cuda._STACK


def test_calibrator_error_is_kept_for_the_builder_stand_in(stand_in, tmp_path):
    stand_in()
    (tmp_path / "broken.png").write_bytes(b"not a png")
    batches = CalibrationBatches(str(tmp_path), tiny_spec())
    calibrator = EntropyCalibrator(str(tmp_path / "c.calib"), batches)
    assert calibrator.as_tensorrt().get_batch(["input"]) is None
    assert isinstance(calibrator.error, DatasetError) and "broken.png" in str(calibrator.error)
