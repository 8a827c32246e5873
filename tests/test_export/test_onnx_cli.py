"""The export, verify and quantize verbs: products on stdout, one-line errors on stderr."""

import sys

import pytest

from tests.markers import (data_path, requires_data, requires_onnx, requires_onnxruntime,
                           requires_torch)

pytestmark = [requires_torch, requires_onnx, requires_onnxruntime]


def _main(argv):
    from linknet_edge.cli import main
    return main(["-q"] + [str(a) for a in argv])


@requires_data
def test_export_verb_exports_verifies_and_prints_the_report(tiny_checkpoint, tmp_path, capsys):
    out = tmp_path / "m.onnx"
    code = _main(["export", tiny_checkpoint, "-o", out, "--opset", "11", "--argmax",
                  "--images", data_path("camvid", "val", "*.png")])
    stdout = capsys.readouterr().out
    assert code == 0 and out.is_file()
    assert "result" in stdout and "PASS" in stdout and "TX1-safe            yes" in stdout


@pytest.mark.parametrize("extra, text", [
    (["--opset", "14"], "TensorRT 8.2 (JetPack 4.6)"),
    ([], "no such checkpoint"),
])
def test_export_errors_are_one_line(tmp_path, capsys, extra, text):
    code = _main(["export", tmp_path / "missing.pt", "-o", tmp_path / "x.onnx"] + extra)
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("linknet-edge export: error:") and text in err


def test_verify_verb_passes_a_good_file_and_fails_a_foreign_checkpoint(
        onnx_path, tiny_checkpoint, tmp_path, capsys):
    assert _main(["verify", onnx_path, "--checkpoint", tiny_checkpoint, "--count", "1"]) == 0
    assert "PASS" in capsys.readouterr().out
    from tests.conftest import make_tiny_checkpoint
    other = make_tiny_checkpoint(tmp_path, seed=1)  # same architecture and classes, other weights
    assert _main(["verify", onnx_path, "--checkpoint", other, "--count", "1"]) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out
    assert captured.err.count("\n") == 1 and "verification FAILED" in captured.err


def test_quantize_verb_writes_fp16(onnx_path, tmp_path, capsys):
    pytest.importorskip("onnxconverter_common")
    out = tmp_path / "fp16.onnx"
    assert _main(["quantize", onnx_path, "--precision", "fp16", "-o", out, "--count", "1"]) == 0
    assert out.is_file() and "FP16 vs FP32" in capsys.readouterr().out


@pytest.mark.parametrize("precision, module, pip_name", [
    ("fp16", "onnxconverter_common", "onnxconverter-common"),
    ("int8", "onnxruntime", "onnxruntime")])
def test_quantize_without_its_package_blocked_fails_first_naming_it(
        onnx_path, tmp_path, capsys, monkeypatch, precision, module, pip_name):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    out = tmp_path / "q.onnx"
    code = _main(["quantize", onnx_path, "--precision", precision, "-o", out, "--calib",
                  tmp_path / "no-such-folder"])
    assert code == 1 and not out.exists()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1  # before any work: not the missing --calib folder, no traceback
    assert lines[0].startswith("linknet-edge quantize: error: --precision {} needs {} (pip "
                               "install {};".format(precision, pip_name, pip_name))
