"""The network input's forms (``export --input uint8|float|raw``): the uint8 and raw files agree
with the float file on real CamVid frames, their stage converts both ways, FP16 keeps the stage,
``verify`` checks each against PyTorch, the spec records the form and old specs read as float."""

import os

import numpy as np
import pytest

from linknet_edge.errors import InputSizeError, SpecError, SpecMismatch
from tests.markers import data_path, requires_onnx, requires_onnxruntime, requires_torch

pytestmark = [requires_torch, requires_onnx, requires_onnxruntime]


@pytest.fixture(scope="module")
def camvid_frames():
    from linknet_edge.export.sample_images import read_images
    folder = data_path("camvid", "val")
    if not os.path.isdir(folder):
        pytest.skip("real data not found at ../shared/data")
    return read_images(folder, 12)  # 480x360 BGR frames, shrunk to the 64x64 input


@pytest.fixture(scope="module")
def exported(tmp_path_factory, tiny_checkpoint):
    from linknet_edge.export.onnx import export_onnx
    folder = tmp_path_factory.mktemp("forms")
    return {form: export_onnx(tiny_checkpoint, str(folder / "{}.onnx".format(form)),
                              argmax=True, verify=False, input_form=form).path
            for form in ("float", "uint8", "raw")}


def _run(path, frames):
    from linknet_edge.runtime.backends import load_model
    with load_model(path, providers=["cpu"]) as runner:
        batch = runner.prepare(frames)
        return batch, runner.run_logits(batch), runner.run(batch)


def test_uint8_and_raw_inputs_agree_with_the_float_input_on_camvid(exported, camvid_frames):
    _, float_logits, float_classes = _run(exported["float"], camvid_frames)
    for form in ("uint8", "raw"):
        batch, logits, classes = _run(exported[form], camvid_frames)
        agreement = float((classes == float_classes).mean())
        assert agreement >= 0.999, (form, agreement)
        # the graph does the host's arithmetic in the host's order: equal to float rounding
        assert np.abs(logits - float_logits).max() <= 1e-4 * np.ptp(float_logits)
    batch, _, _ = _run(exported["uint8"], camvid_frames)
    assert batch.dtype == np.uint8 and batch.shape == (12, 64, 64, 3)
    assert batch.nbytes * 4 == _run(exported["float"], camvid_frames)[0].nbytes


def test_graph_input_and_stage_ops_per_form(exported):
    import onnx
    from linknet_edge.onnx_file import read_onnx_info
    ops = {}
    for form, path in exported.items():
        info = read_onnx_info(path)
        assert info.spec.input_form == form and info.input.name == "input"
        ops[form] = [n.op_type for n in onnx.load(path).graph.node[:6]]
    assert read_onnx_info(exported["uint8"]).input.dtype == "uint8"
    assert read_onnx_info(exported["uint8"]).input.shape == [1, 64, 64, 3]
    assert read_onnx_info(exported["raw"]).input.shape == [1, 3, 64, 64]
    assert ops["uint8"][:6] == ["Cast", "Transpose", "Gather", "Sub", "Mul", "Conv"]
    assert ops["raw"][:3] == ["Sub", "Mul", "Conv"]  # RGB in, RGB spec: no channel swap
    assert ops["float"][0] == "Conv"


def test_input_form_converts_both_ways(exported, camvid_frames, tmp_path):
    from linknet_edge.export.input_form import convert_input_form
    _, _, expected = _run(exported["uint8"], camvid_frames)
    path = exported["uint8"]
    for form in ("raw", "float", "uint8"):
        path = convert_input_form(path, str(tmp_path / "{}.onnx".format(form)), form)
        assert np.array_equal(_run(path, camvid_frames)[2], expected), form


def test_fp16_of_a_uint8_file_keeps_the_float32_stage(exported, camvid_frames, tmp_path):
    pytest.importorskip("onnxconverter_common")
    import onnx
    from linknet_edge.export.fp16 import convert_fp16
    from linknet_edge.export.input_form import convert_input_form
    fp16 = convert_fp16(exported["uint8"], str(tmp_path / "fp16.onnx"))
    stage = [n for n in onnx.load(fp16).graph.node if n.name.startswith("input_stage/")]
    assert [n.op_type for n in stage] == ["Cast", "Transpose", "Gather", "Sub", "Mul"]
    assert stage[0].attribute[0].i == onnx.TensorProto.FLOAT
    _, _, expected = _run(exported["float"], camvid_frames)
    _, _, classes = _run(fp16, camvid_frames)
    assert float((classes == expected).mean()) > 0.99
    raw = convert_input_form(fp16, str(tmp_path / "fp16_raw.onnx"), "raw")
    assert np.array_equal(_run(raw, camvid_frames)[2], classes)


@pytest.mark.parametrize("form", ["uint8", "raw", "float"])
def test_verify_checks_each_form_against_pytorch(exported, tiny_checkpoint, form):
    from linknet_edge.export.verify import verify_onnx
    folder = data_path("camvid", "val")
    report = verify_onnx(exported[form], tiny_checkpoint,
                         images=folder if os.path.isdir(folder) else None, count=6)
    assert report.passed, report.failures()
    assert report.agreement.relative_error < 1e-5
    assert "{} (PyTorch gets the host-normalised float batch)".format(form) in report.format()


def test_a_batch_of_the_wrong_form_is_one_line(exported):
    from linknet_edge.runtime.backends import load_model
    with load_model(exported["uint8"]) as runner:
        with pytest.raises(InputSizeError) as info:
            runner.run(np.zeros((1, 3, 64, 64), np.float32))
    assert "(N, 64, 64, 3) uint8" in str(info.value) and "runner.prepare" in str(info.value)


def test_a_spec_that_contradicts_the_graph_is_refused(exported, tmp_path):
    import onnx
    from linknet_edge.onnx_file import ONNX_SPEC_KEY, read_onnx_spec
    from linknet_edge.runtime.backends import load_model
    model = onnx.load(exported["uint8"])
    for entry in model.metadata_props:
        if entry.key == ONNX_SPEC_KEY:
            entry.value = read_onnx_spec(exported["uint8"]).replace(input_form="float").to_json()
    path = str(tmp_path / "edited.onnx")
    onnx.save(model, path)
    with pytest.raises(SpecMismatch, match="its input is uint8 .* input_form 'float'"):
        load_model(path)


def test_spec_field_default_keeps_old_files_readable():
    from linknet_edge.data import preset_spec
    from linknet_edge.spec import ModelSpec
    old = preset_spec("camvid").to_dict()
    assert "input_form" not in old  # float files stay readable by releases before the field
    assert ModelSpec.from_dict(old).input_form == "float"
    uint8 = ModelSpec.from_dict(dict(old, input_form="uint8"))
    assert uint8.to_dict()["input_form"] == "uint8" and uint8 != ModelSpec.from_dict(old)
    with pytest.raises(SpecError, match="input_form must be one of float, raw, uint8"):
        ModelSpec.from_dict(dict(old, input_form="rgb"))


def test_export_cli_takes_the_input_form(tiny_checkpoint, tmp_path, capsys):
    from linknet_edge.cli import main
    from linknet_edge.onnx_file import read_onnx_info
    path = str(tmp_path / "raw.onnx")
    assert main(["export", tiny_checkpoint, "-o", path, "--input", "raw", "--no-verify"]) == 0
    assert read_onnx_info(path).spec.input_form == "raw"
    assert "float32 RGB 0-255 (normalisation in the graph)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export", tiny_checkpoint, "-o", path, "--input", "rgb"])
