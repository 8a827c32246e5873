"""``deploy triton``: the config.pbtxt parsed by Triton's own schema (``inference.ModelConfig``
from tritonclient's ``model_config_pb2``), cross-checked with the model file ONNX Runtime loads.
"""

import importlib.util
import os

import numpy as np
import pytest

from linknet_edge.errors import DeployError, LinkNetEdgeError
from linknet_edge.export.deploy.triton import write_triton_repository
from linknet_edge.onnx_file import read_onnx_spec
from tests.markers import requires_onnxruntime, requires_torch

from .deploy_helpers import write_engine_stand_in

pytestmark = [requires_torch]


@pytest.fixture(scope="module")
def triton():
    """Triton's ``model_config_pb2`` (``inference.ModelConfig`` and its enums), loaded from
    tritonclient's generated file by path (importing ``tritonclient.grpc`` needs grpcio)."""
    pytest.importorskip("google.protobuf", reason="protobuf is not installed")
    spec = importlib.util.find_spec("tritonclient")
    path = spec and os.path.join(list(spec.submodule_search_locations)[0], "grpc",
                                 "model_config_pb2.py")
    if not path or not os.path.isfile(path):
        pytest.skip("tritonclient (Triton's model_config_pb2 schema) is not installed: "
                    "pip install tritonclient (the dev extra has it)")
    loader = importlib.util.spec_from_file_location("triton_model_config_pb2", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def _parse(triton, path):
    """The file parsed into Triton's ModelConfig (an unknown field or a wrong type raises)."""
    from google.protobuf import text_format
    with open(path) as handle:
        return text_format.Parse(handle.read(), triton.ModelConfig())


@pytest.fixture(scope="module")
def dynamic_onnx(tmp_path_factory, tiny_checkpoint):
    from linknet_edge.export.onnx import export_onnx
    path = str(tmp_path_factory.mktemp("dyn") / "linknet_dyn.onnx")
    export_onnx(tiny_checkpoint, path, argmax=True, dynamic_batch=True, verify=False,
                input_form="float")
    return path


def _check_triton_rules(triton, config):
    """Rules of Triton's ValidateModelConfig (core model_config_utils.cc) the schema alone
    does not state."""
    for tensor in config.input:
        if tensor.format in (triton.ModelInput.FORMAT_NHWC, triton.ModelInput.FORMAT_NCHW):
            assert len(tensor.dims) == 3, "model input NHWC/NCHW require 3 dims"
    if config.max_batch_size == 0:
        assert not config.HasField("dynamic_batching")
    assert all(d > 0 or d == -1 for t in list(config.input) + list(config.output)
               for d in t.dims)


@requires_onnxruntime
def test_a_dynamic_batch_onnx_file_becomes_a_batching_onnxruntime_model(tmp_path, triton,
                                                                         dynamic_onnx):
    report = write_triton_repository(dynamic_onnx, str(tmp_path / "repo"), max_batch_size=4,
                                     queue_delay_us=500)
    folder = tmp_path / "repo" / "linknet_dyn"
    config = _parse(triton, str(folder / "config.pbtxt"))
    _check_triton_rules(triton, config)
    assert (config.name, config.platform, config.max_batch_size) == (
        "linknet_dyn", "onnxruntime_onnx", 4)
    assert config.default_model_filename == "model.onnx"
    (tensor,) = config.input
    assert (tensor.name, tensor.data_type, tensor.format, list(tensor.dims)) == (
        "input", triton.TYPE_FP32, triton.ModelInput.FORMAT_NCHW, [3, 64, 64])
    outputs = {o.name: o for o in config.output}
    assert list(outputs) == ["logits", "classes"]
    assert list(outputs["logits"].dims) == [3, 64, 64] and outputs["logits"].label_filename
    assert list(outputs["classes"].dims) == [64, 64]
    assert (outputs["logits"].data_type, outputs["classes"].data_type) == (
        triton.TYPE_FP32, triton.TYPE_INT32)
    assert config.dynamic_batching.max_queue_delay_microseconds == 500
    assert [(g.count, g.kind) for g in config.instance_group] == [
        (1, triton.ModelInstanceGroup.KIND_GPU)]
    with open(dynamic_onnx, "rb") as a, open(str(folder / "1" / "model.onnx"), "rb") as b:
        assert a.read() == b.read()
    labels = (folder / "labels.txt").read_text().splitlines()
    assert labels == read_onnx_spec(dynamic_onnx).class_names
    assert report.files[0] == str(folder / "config.pbtxt")
    # the served file takes what the config promises: [-1] + dims in, [-1] + dims out
    from linknet_edge.runtime.backends.onnxruntime import create_session
    session = create_session(str(folder / "1" / "model.onnx"))
    batch = np.zeros([3] + list(tensor.dims), dtype=np.float32)
    got = session.run(["logits", "classes"], {tensor.name: batch})
    assert [list(g.shape[1:]) for g in got] == [list(outputs["logits"].dims),
                                                list(outputs["classes"].dims)]
    assert got[1].dtype == np.int32


def test_a_fixed_batch_file_gets_the_full_shape_and_no_batching(tmp_path, triton,
                                                                 onnx_path):
    report = write_triton_repository(onnx_path, str(tmp_path / "repo"), name="seg",
                                     device="cpu", instances=2, version=3)
    config = _parse(triton, str(tmp_path / "repo" / "seg" / "config.pbtxt"))
    _check_triton_rules(triton, config)
    assert config.max_batch_size == 0 and not config.HasField("dynamic_batching")
    assert list(config.input[0].dims) == [1, 3, 64, 64]
    assert config.input[0].format == triton.ModelInput.FORMAT_NONE
    assert [list(o.dims) for o in config.output] == [[1, 3, 64, 64], [1, 64, 64]]
    assert [(g.count, g.kind) for g in config.instance_group] == [
        (2, triton.ModelInstanceGroup.KIND_CPU)]
    assert os.path.isfile(str(tmp_path / "repo" / "seg" / "3" / "model.onnx"))
    assert any("--dynamic-batch" in note for note in report.notes)


def test_an_engine_stand_in_becomes_a_tensorrt_plan_model(tmp_path, triton, onnx_path):
    engine = write_engine_stand_in(tmp_path, onnx_path)
    report = write_triton_repository(engine, str(tmp_path / "repo"))
    folder = tmp_path / "repo" / "linknet"
    config = _parse(triton, str(folder / "config.pbtxt"))
    _check_triton_rules(triton, config)
    assert (config.platform, config.default_model_filename, config.max_batch_size) == (
        "tensorrt_plan", "model.plan", 0)
    assert [o.name for o in config.output] == ["logits", "classes"]
    with open(engine, "rb") as a, open(str(folder / "1" / "model.plan"), "rb") as b:
        assert a.read() == b.read()
    assert any("compute capability" in note for note in report.notes)
    assert "tritonserver --model-repository=" in report.format()


def test_a_uint8_input_becomes_a_nhwc_uint8_input(tmp_path, triton, onnx_uint8_path):
    write_triton_repository(onnx_uint8_path, str(tmp_path / "repo"), name="camera")
    config = _parse(triton, str(tmp_path / "repo" / "camera" / "config.pbtxt"))
    assert config.input[0].data_type == triton.TYPE_UINT8
    assert list(config.input[0].dims) == [1, 64, 64, 3]


@pytest.mark.parametrize("options, message", [
    ({"name": "my model"}, "--name 'my model': use letters, digits"),
    ({"version": 0}, "--version 0: Triton versions are whole numbers from 1"),
    ({"device": "tpu"}, "--device 'tpu': choose gpu or cpu"),
])
def test_bad_options_are_one_line_errors(tmp_path, onnx_path, options, message):
    with pytest.raises(DeployError) as info:
        write_triton_repository(onnx_path, str(tmp_path / "repo"), **options)
    assert message in str(info.value)


def test_an_engine_without_its_io_record_or_on_a_cpu_is_refused(tmp_path, onnx_path):
    old = write_engine_stand_in(tmp_path, onnx_path, name="old.engine", with_io=False)
    with pytest.raises(DeployError) as info:
        write_triton_repository(old, str(tmp_path / "repo"))
    assert "does not list the engine's inputs and outputs" in str(info.value)
    assert "--rebuild" in str(info.value)
    engine = write_engine_stand_in(tmp_path, onnx_path)
    with pytest.raises(DeployError) as info:
        write_triton_repository(engine, str(tmp_path / "repo"), device="cpu")
    assert "runs on the GPU only" in str(info.value)


def test_the_verb_writes_the_repository_and_refuses_a_checkpoint(tmp_path, onnx_path,
                                                                 tiny_checkpoint, capsys):
    from linknet_edge.cli import main
    repo = str(tmp_path / "repo")
    assert main(["deploy", "triton", onnx_path, "-o", repo, "--name", "seg", "-q"]) == 0
    assert "tritonserver --model-repository=" in capsys.readouterr().out
    assert os.path.isfile(os.path.join(repo, "seg", "config.pbtxt"))
    assert main(["deploy", "triton", tiny_checkpoint, "-o", repo]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deploy takes an .onnx file or a TensorRT engine" in err[0]
    with pytest.raises(LinkNetEdgeError):
        write_triton_repository(str(tmp_path / "missing.onnx"), repo)
