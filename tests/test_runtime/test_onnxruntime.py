"""The ONNX Runtime backend: runner contract, spec and size from the file, providers, precision."""

import numpy as np
import pytest

from linknet_edge.errors import BackendUnavailable, ModelFileError, SpecError
from linknet_edge.runtime.backends import backend_for_path, describe_backends, load_model
from linknet_edge.onnx_file import read_onnx_info
from linknet_edge.runtime.backends.onnxruntime import choose_providers
from tests.markers import requires_onnx, requires_onnxruntime, requires_torch

from .backend_contract import BackendContract, network_batch


@requires_torch
@requires_onnxruntime
class TestOnnxRuntimeBackend(BackendContract):
    backend_name = "onnxruntime"

    @pytest.fixture(params=["logits", "classes"])
    def model_path(self, request, tiny_onnx, tiny_onnx_classes):
        return tiny_onnx if request.param == "logits" else tiny_onnx_classes


def test_providers_best_first_and_narrowed_on_request():
    available = ["AzureExecutionProvider", "CPUExecutionProvider", "CUDAExecutionProvider",
                 "TensorrtExecutionProvider"]
    assert choose_providers(available) == ["TensorrtExecutionProvider", "CUDAExecutionProvider",
                                           "CPUExecutionProvider"]
    assert choose_providers(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert choose_providers(available, ["cuda", "cpu"]) == ["CUDAExecutionProvider",
                                                            "CPUExecutionProvider"]
    with pytest.raises(BackendUnavailable, match="TensorrtExecutionProvider"):
        choose_providers(["CPUExecutionProvider"], ["tensorrt"])


@requires_torch
@requires_onnxruntime
def test_classes_output_and_logits_argmax_give_the_same_maps(tiny_onnx, tiny_onnx_classes):
    with load_model(tiny_onnx) as plain, load_model(tiny_onnx_classes) as fused:
        batch = network_batch(plain.spec, 3)
        np.testing.assert_array_equal(plain.run(batch), fused.run(batch))
        assert plain.name == "onnxruntime:CPUExecutionProvider"


def _write_graph(path, initializer_dtype=np.float32, quantize=False, spec_json=None):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    weight = numpy_helper.from_array(np.ones((2, 3, 1, 1), dtype=initializer_dtype), "w")
    nodes = [helper.make_node("Cast", ["w"], ["w32"], to=TensorProto.FLOAT),
             helper.make_node("Conv", ["input", "w32"], ["logits"])]
    initializers = [weight]
    if quantize:
        initializers += [numpy_helper.from_array(np.array(0.1, np.float32), "scale"),
                         numpy_helper.from_array(np.array(0, np.int8), "zero")]
        nodes.insert(0, helper.make_node("QuantizeLinear", ["input", "scale", "zero"], ["q"]))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2, 32, 32])],
        initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    if spec_json:
        entry = model.metadata_props.add()
        entry.key, entry.value = "linknet_edge.spec", spec_json
    onnx.save(model, str(path))
    return str(path)


@requires_onnx
@pytest.mark.parametrize("dtype, quantize, expected", [
    (np.float32, False, "fp32"), (np.float16, False, "fp16"), (np.float32, True, "int8")])
def test_precision_is_read_from_the_graph(tmp_path, dtype, quantize, expected):
    path = _write_graph(tmp_path / "g.onnx", dtype, quantize)
    info = read_onnx_info(path)
    assert ("QuantizeLinear" in info.op_types) is quantize
    assert info.precision == expected
    assert [(i.name, i.dtype, i.shape) for i in info.inputs] == [("input", "float32",
                                                                  [1, 3, 32, 32])]
    assert info.opset == 13


@requires_onnx
@requires_onnxruntime
def test_fp16_graph_loads_with_its_precision_and_spec_input_size(tmp_path):
    from .conftest import make_spec
    path = _write_graph(tmp_path / "half.onnx", np.float16,
                        spec_json=make_spec(("a", "b"), size=(64, 64)).to_json())
    with load_model(path) as runner:
        assert runner.precision == "fp16"
        assert runner.input_size == (32, 32) and tuple(runner.spec.input_size) == (32, 32)
        assert runner.run(np.zeros((1, 3, 32, 32), np.float32)).shape == (1, 32, 32)


@requires_onnx
@requires_onnxruntime
def test_a_model_without_spec_names_the_file_and_the_fix(tmp_path):
    path = _write_graph(tmp_path / "foreign.onnx")
    with pytest.raises(SpecError, match=r"foreign\.onnx.*linknet-edge export"):
        load_model(path)


@requires_onnxruntime
def test_missing_and_corrupt_files_name_the_file(tmp_path):
    with pytest.raises(ModelFileError, match="absent.onnx"):
        load_model(str(tmp_path / "absent.onnx"))
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"\x08\x07garbage" * 100)
    with pytest.raises(ModelFileError, match="corrupt.onnx") as info:
        load_model(str(corrupt))
    assert "\n" not in str(info.value)


def test_backend_by_suffix_and_description():
    assert backend_for_path("m.onnx") == "onnxruntime"
    assert backend_for_path("m.pt") == "pytorch"
    rows = {row["name"]: row for row in describe_backends()}
    assert set(rows) >= {"onnxruntime", "pytorch", "tensorrt"}
    for row in rows.values():
        assert row["available"] == (row["reason"] is None)
        assert row["available"] or row["version"] is None


@requires_torch
@requires_onnxruntime
def test_runners_do_not_spin_unless_asked(tiny_onnx):
    """Idle intra-op threads sleep by default, leaving the cores to the pipeline's other
    threads (measured: docs/runtime.md, "Host cost per frame")."""
    def spinning(runner):
        options = runner._session.get_session_options()
        try:
            return options.get_session_config_entry("session.intra_op.allow_spinning")
        except Exception:  # no entry: ONNX Runtime's default, which spins
            return None
    with load_model(tiny_onnx) as runner:
        assert spinning(runner) == "0"
    with load_model(tiny_onnx, spinning=True) as runner:
        assert spinning(runner) is None
