"""``export --batch-size N``: a static batch of N (one frame per camera for a static-shape TensorRT
engine), run in pieces of N by every runner and verified like any export."""

import numpy as np
import pytest

from linknet_edge.errors import ExportError
from linknet_edge.onnx_file import read_onnx_info
from tests.markers import requires_onnxruntime, requires_torch

pytestmark = [requires_torch, requires_onnxruntime]


@pytest.fixture(scope="module")
def batch4_onnx(tmp_path_factory, tiny_checkpoint):
    from linknet_edge.export.onnx import export_onnx
    path = str(tmp_path_factory.mktemp("batch4") / "tiny_b4.onnx")
    report = export_onnx(tiny_checkpoint, path, argmax=True, batch_size=4)
    assert report.passed and report.input_shape == "(4, 64, 64, 3)"
    return path


def test_a_batch_of_four_is_static_and_agrees_with_batch_one(batch4_onnx, onnx_uint8_path):
    from linknet_edge.export.sample_images import synthetic_images
    from linknet_edge.runtime.backends import load_model
    info = read_onnx_info(batch4_onnx)
    assert info.input.shape == [4, 64, 64, 3]   # the default uint8 NHWC input
    assert [o.shape for o in info.outputs] == [[4, 3, 64, 64], [4, 64, 64]]
    frames = synthetic_images(5, (90, 120))
    with load_model(batch4_onnx) as four, load_model(onnx_uint8_path) as one:
        assert four.fixed_batch == 4
        for count in (3, 5):   # padded to 4; 4 + a padded piece
            got = four.run(four.prepare(frames[:count]))
            assert got.shape == (count, 64, 64)
            np.testing.assert_array_equal(got, one.run(one.prepare(frames[:count])))


@pytest.mark.parametrize("options", [{"batch_size": 0},
                                     {"batch_size": 2, "dynamic_batch": True}])
def test_a_batch_below_one_or_with_a_dynamic_batch_is_refused(tmp_path, tiny_checkpoint,
                                                               options):
    from linknet_edge.export.onnx import export_onnx
    with pytest.raises(ExportError) as info:
        export_onnx(tiny_checkpoint, str(tmp_path / "x.onnx"), verify=False, **options)
    assert "static batch" in str(info.value)
