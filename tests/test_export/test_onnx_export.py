"""export_onnx: every architecture at opset 11 and 13, metadata, ArgMax output, shapes, warnings."""

import logging
import os

import numpy as np
import pytest

from tests.conftest import make_tiny_checkpoint
from tests.markers import requires_onnx, requires_onnxruntime, requires_torch

pytestmark = [requires_torch, requires_onnx]

ARCHS = ("linknet", "linknet-res-dec", "linknet-nobypass")


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    directory = tmp_path_factory.mktemp("archs")
    return {arch: make_tiny_checkpoint(directory, arch) for arch in ARCHS}


@pytest.mark.parametrize("opset", [11, 13])
@pytest.mark.parametrize("arch", ARCHS)
def test_every_architecture_exports_and_passes_the_checker(checkpoints, tmp_path, arch, opset):
    import onnx
    from linknet_edge.export.compat import check_tensorrt_compat
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.onnx_file import read_onnx_spec
    from linknet_edge.weights import load_checkpoint
    path = str(tmp_path / "m.onnx")
    report = export_onnx(checkpoints[arch], path, opset=opset, verify=False)
    assert os.listdir(str(tmp_path)) == ["m.onnx"]  # written atomically: no temp file left
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    assert [e.version for e in model.opset_import if e.domain in ("", "ai.onnx")] == [opset]
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    # the default deployment form: the camera's uint8 NHWC BGR image, normalised in the graph
    assert model.graph.input[0].name == "input" and dims == [1, 64, 64, 3]
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert [o.name for o in model.graph.output] == ["logits"] == list(report.outputs)
    assert read_onnx_spec(path) == load_checkpoint(checkpoints[arch]).spec.replace(
        input_form="uint8")
    compat = check_tensorrt_compat(path, read_onnx_spec(path))
    assert compat.passed, compat.rows()
    if arch == "linknet-res-dec":
        assert not compat.tx1_safe
        assert any("not TX1-safe" in f.message and f.op == "Resize" for f in compat.warnings)
    else:
        assert compat.tx1_safe and not compat.findings
        assert "Resize" not in compat.op_counts


def test_residual_decoder_export_warns_not_tx1_safe(checkpoints, tmp_path, caplog):
    from linknet_edge.export.onnx import export_onnx
    with caplog.at_level(logging.WARNING, logger="linknet_edge.export.onnx"):
        export_onnx(checkpoints["linknet-res-dec"], str(tmp_path / "r.onnx"), verify=False)
    assert any("not TX1-safe" in r.getMessage() for r in caplog.records)


@requires_onnxruntime
def test_argmax_output_is_int32_argmax_of_logits(onnx_path):
    from linknet_edge.export.sample_images import synthetic_images
    from linknet_edge.onnx_file import read_onnx_info
    from linknet_edge.runtime.backends import load_model
    assert read_onnx_info(onnx_path).output("classes").dtype == "int32"
    with load_model(onnx_path) as runner:
        batch = runner.prepare(synthetic_images(2))
        classes, logits = runner.run(batch), runner.run_logits(batch)
    assert classes.shape == (2, 64, 64)
    assert np.array_equal(classes, logits.argmax(axis=1))
    assert len(np.unique(classes)) > 1  # a class map with structure, not one class


@requires_onnxruntime
def test_size_override_and_dynamic_batch(tiny_checkpoint, tmp_path):
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.onnx_file import read_onnx_spec
    from linknet_edge.runtime.backends import load_model
    path = str(tmp_path / "d.onnx")
    report = export_onnx(tiny_checkpoint, path, size=(64, 96), dynamic_batch=True, verify=False)
    assert read_onnx_spec(path).input_size == (64, 96)
    assert report.input_shape == "(N, 64, 96, 3)"
    with load_model(path) as runner:
        assert runner.fixed_batch is None
        assert runner.run_logits(np.zeros((3, 64, 96, 3), np.uint8)).shape == (3, 3, 64, 96)


@pytest.mark.parametrize("kwargs, error, text", [
    (dict(opset=14), "ExportError", "TensorRT 8.2"),
    (dict(opset=10), "ExportError", "11..13"),
    (dict(size=(64, 100)), "InputSizeError", "multiple of 32"),
])
def test_bad_options_are_refused_before_any_work(tmp_path, kwargs, error, text):
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge import errors
    with pytest.raises(getattr(errors, error), match=text):
        export_onnx(str(tmp_path / "missing.pt"), str(tmp_path / "x.onnx"), **kwargs)
    assert not os.listdir(str(tmp_path))


def test_missing_checkpoint_is_a_checkpoint_error(tmp_path):
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.errors import CheckpointError
    with pytest.raises(CheckpointError, match="missing.pt"):
        export_onnx(str(tmp_path / "missing.pt"), str(tmp_path / "x.onnx"))


@requires_onnxruntime
def test_force_opset_exports_for_newer_tensorrt_and_reports_the_8_2_failure(
        tiny_checkpoint, tmp_path):
    from linknet_edge.export.onnx import export_onnx
    report = export_onnx(tiny_checkpoint, str(tmp_path / "o14.onnx"), opset=14, force_opset=True)
    assert report.passed  # agreement with PyTorch is what counts for a newer TensorRT
    assert not report.verification.compat.passed
    assert "opset 14" in report.format()


@requires_onnxruntime
@pytest.mark.parametrize("same_weights", [True, False], ids=["passes", "fails"])
def test_an_export_is_published_only_once_verified(onnx_path, tiny_checkpoint, tmp_path,
                                                   same_weights):
    """Verified as NAME.unverified.onnx, then renamed: to NAME.onnx when it passes (an older
    NAME.failed.onnx is removed), to NAME.failed.onnx when it fails (NAME.onnx untouched)."""
    import shutil
    from linknet_edge.export.onnx import ExportReport, _verify_then_publish
    checkpoint = tiny_checkpoint if same_weights else make_tiny_checkpoint(tmp_path, seed=1)
    folder = tmp_path / "out"
    folder.mkdir()
    staged, out, failed = (str(folder / name) for name in
                           ("m.unverified.onnx", "m.onnx", "m.failed.onnx"))
    shutil.copy(onnx_path, staged)
    with open(failed if same_weights else out, "w") as handle:
        handle.write("from an earlier export")
    report = ExportReport(out, None, 13, "(1, 3, 64, 64)", ("logits", "classes"))
    _verify_then_publish(report, staged, checkpoint, None, True)
    assert report.passed is same_weights
    assert sorted(os.listdir(str(folder))) == (["m.onnx"] if same_weights else
                                               ["m.failed.onnx", "m.onnx"])
    if same_weights:
        assert report.path == out and open(out, "rb").read() == open(onnx_path, "rb").read()
    else:
        assert report.path == failed and open(out).read() == "from an earlier export"
        assert "nothing written to {}, the export is kept as {}".format(out, failed) in \
            report.summary()
