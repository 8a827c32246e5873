"""``linknet-edge bench accuracy`` on real CamVid val frames with an untrained 11-class model."""

import csv
import json
import os

import pytest

from linknet_edge.benchmarks.accuracy import AccuracyReport, check_accuracy_floors
from linknet_edge.benchmarks.variants import VARIANTS, select_variants
from linknet_edge.cli import main
from linknet_edge.errors import AccuracyFloorError, LinkNetEdgeError
from tests.markers import data_path, requires_data, requires_onnxruntime, requires_torch

FILES = ("accuracy.json", "accuracy.csv", "accuracy.md", "accuracy_latency.png",
         "accuracy_accuracy_vs_speed.png")
CAMVID = ["--dataset", "camvid", "--data-root", data_path("camvid"), "--split", "val"]

pytestmark = [requires_data, requires_torch, requires_onnxruntime]


@pytest.fixture(scope="module")
def accuracy_run(tmp_path_factory, camvid_checkpoint):
    """All variants on 2 val frames at 64x64, with a floor every variant meets."""
    out = str(tmp_path_factory.mktemp("accuracy"))
    code = main(["bench", "accuracy", camvid_checkpoint] + CAMVID +
                ["--size", "64x64", "--limit", "2", "--calib-count", "4", "--min-miou", "0",
                 "--out", out])
    with open(os.path.join(out, "accuracy.json")) as handle:
        return code, out, json.load(handle)


def _rows(report):
    return dict((row["variant"], row) for row in report["rows"])


def test_verb_writes_every_report_file_with_a_row_per_variant(accuracy_run):
    code, out, report = accuracy_run
    assert code == 0
    for name in FILES:
        assert os.path.getsize(os.path.join(out, name)) > 0, name
    with open(os.path.join(out, "accuracy.csv")) as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == AccuracyReport.columns
    assert [r[0] for r in rows[1:]] == list(VARIANTS)
    for name in ("model_fp32.onnx", "model_fp16.onnx", "model_int8.onnx",
                 "model_int8-qdq.onnx"):
        assert os.path.isfile(os.path.join(out, "models", name))
    with open(os.path.join(out, "accuracy.md")) as handle:
        assert "| variant | status |" in handle.read()


def test_every_runnable_variant_is_scored_against_pytorch(accuracy_run):
    rows = _rows(accuracy_run[2])
    reference = rows["pytorch-fp32"]
    assert reference["status"] == "ok" and reference["frames"] == 2
    for name in ("onnxruntime-fp32", "onnxruntime-fp16", "onnxruntime-int8",
                 "onnxruntime-int8-qdq"):
        row = rows[name]
        assert row["status"] == "ok", row.get("reason")
        assert row["frames"] == 2 and row["size"] == "64x64" and 0 <= row["miou"] <= 100
        assert row["miou_delta"] == pytest.approx(row["miou"] - reference["miou"])
        assert 0 <= row["agreement"] <= 1 and row["fps"] > 0 and row["gflops"] > 0
        assert row["speedup"] == pytest.approx(rows["onnxruntime-fp32"]["p50_ms"] /
                                               row["p50_ms"])
    assert rows["onnxruntime-fp32"]["agreement"] > 0.99
    for name in ("onnxruntime-int8", "onnxruntime-int8-qdq"):
        assert rows[name]["precision"] == "int8"
        assert rows[name]["file_mb"] < 0.5 * rows["onnxruntime-fp32"]["file_mb"]
    # the two INT8 forms: ONNX Runtime's QOperator ops for CPUs, Q/DQ pairs for TensorRT
    from linknet_edge.onnx_file import read_onnx_info
    cpu, qdq = (read_onnx_info(rows[name]["file"]).op_types
                for name in ("onnxruntime-int8", "onnxruntime-int8-qdq"))
    assert "QLinearConv" in cpu and "QLinearAdd" in cpu and "QuantizeLinear" in qdq
    assert "QLinearConv" not in qdq


def test_missing_tensorrt_is_unavailable_with_a_reason(accuracy_run):
    for name in ("tensorrt-fp32", "tensorrt-fp16", "tensorrt-int8"):
        row = _rows(accuracy_run[2])[name]
        assert row["status"] == "unavailable" and "TensorRT" in row["reason"]


def test_floors_fail_when_not_met(accuracy_run):
    report = AccuracyReport(accuracy_run[2]["rows"], settings={"min_miou": 100.5})
    with pytest.raises(AccuracyFloorError, match=r"pytorch-fp32: mIoU .* below --min-miou 100.5"):
        check_accuracy_floors(report)
    report.settings = {"max_miou_drop": -100.0}  # demands a gain no variant has
    with pytest.raises(AccuracyFloorError, match="onnxruntime-fp32: loses"):
        check_accuracy_floors(report)
    report.settings = {"min_miou": 0.0, "max_miou_drop": 100.0}
    assert check_accuracy_floors(report) is report


def test_verb_exits_1_naming_the_variant_below_the_floor(tmp_path, camvid_checkpoint, capsys):
    code = main(["bench", "accuracy", camvid_checkpoint] + CAMVID +
                ["--size", "64x64", "--limit", "1", "--backend", "onnxruntime-fp32",
                 "--min-miou", "101", "--out", str(tmp_path)])
    assert code == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("linknet-edge bench: error: pytorch-fp32: mIoU")
    assert "--min-miou 101" in error


def test_unknown_backend_lists_the_choices():
    with pytest.raises(LinkNetEdgeError, match="choose from onnxruntime, pytorch, tensorrt"):
        select_variants(["onnx"])
    assert select_variants(["onnxruntime-int8"]) == ["pytorch-fp32", "onnxruntime-int8"]


def test_readme_goal_lines_report_both_goals(accuracy_run):
    from linknet_edge.benchmarks.readme_performance import goal_lines
    lines = goal_lines(AccuracyReport(accuracy_run[2]["rows"]))
    assert len(lines) == 2
    assert lines[0].startswith("- ONNX Runtime INT8 vs FP32: ") and "x the FPS" in lines[0]
    assert lines[1].startswith("- ONNX Runtime FP32 reaches ")
    assert all(line.endswith(": met") or line.endswith(": NOT met") for line in lines)


def _run_torch_blocked(lines):
    """Run ``lines`` (Python, ``main`` imported) in a subprocess where importing torch fails."""
    import subprocess
    import sys
    from tests.markers import ROOT
    from tests.test_layout import _BLOCK_TORCH
    code = _BLOCK_TORCH + "\n".join(lines) + "\nassert 'torch' not in sys.modules\n"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)


def test_an_onnx_file_is_its_own_reference_with_torch_blocked(tmp_path, camvid_checkpoint):
    """A machine without torch scores an ONNX file and the variants made from it (FP16, both
    INT8 forms); the given file is the reference row, PyTorch is not asked for."""
    from linknet_edge.export.onnx import export_onnx
    onnx_file = export_onnx(camvid_checkpoint, str(tmp_path / "camvid64.onnx"), argmax=True,
                            verify=False).path
    out = str(tmp_path / "bench")
    argv = ["bench", "accuracy", onnx_file] + CAMVID + ["--limit", "2", "--calib-count", "4",
                                                         "--out", out]
    result = _run_torch_blocked(["assert main({!r}) == 0".format(argv)])
    assert result.returncode == 0, result.stdout[-3000:]
    with open(os.path.join(out, "accuracy.json")) as handle:
        report = json.load(handle)
    rows = _rows(report)
    assert [row["variant"] for row in report["rows"]] == [v for v in VARIANTS
                                                          if v != "pytorch-fp32"]
    assert report["settings"]["reference"] == "onnxruntime-fp32"
    reference = rows["onnxruntime-fp32"]
    assert reference["status"] == "ok" and reference["file"] == onnx_file
    assert reference.get("miou_delta") is None and reference["frames"] == 2
    for name in ("onnxruntime-fp16", "onnxruntime-int8", "onnxruntime-int8-qdq"):
        row = rows[name]
        assert row["status"] == "ok", row.get("reason")
        assert row["miou_delta"] == pytest.approx(row["miou"] - reference["miou"])
        assert os.path.dirname(row["file"]) == os.path.join(out, "models")
    assert rows["onnxruntime-fp16"]["agreement"] > 0.99
    assert rows["tensorrt-fp16"]["status"] == "unavailable"


def test_pytorch_cannot_be_asked_of_an_onnx_file(tmp_path, camvid_checkpoint, capsys):
    from linknet_edge.benchmarks.variants import reference_variant
    from linknet_edge.export.onnx import export_onnx
    onnx_file = export_onnx(camvid_checkpoint, str(tmp_path / "m.onnx"), verify=False).path
    assert reference_variant(onnx_file) == "onnxruntime-fp32"
    assert select_variants(["onnxruntime"], "onnxruntime-fp32")[0] == "onnxruntime-fp32"
    assert select_variants(None, "onnxruntime-fp16") == ["onnxruntime-fp16"]
    with pytest.raises(LinkNetEdgeError, match="pytorch-fp32 cannot be made from the "
                                               "onnxruntime-fp32 model given; give the "
                                               "checkpoint"):
        select_variants(["pytorch"], "onnxruntime-fp32")
    code = main(["bench", "accuracy", onnx_file] + CAMVID + ["--size", "96x64", "--out",
                                                             str(tmp_path / "b")])
    assert code == 1
    assert "runs at 64x64 only; drop --size" in capsys.readouterr().err


def test_an_engine_is_its_own_only_variant_stand_in(tmp_path, camvid_checkpoint):
    """An engine's variant comes from its sidecar (stand-in plan bytes: no TensorRT here, so its
    row says TensorRT is unavailable instead of failing to unpickle it, and the verb exits 1:
    nothing ran)."""
    from linknet_edge.benchmarks.variants import reference_variant
    from linknet_edge.export.onnx import export_onnx
    from tests.test_export.deploy_helpers import write_engine_stand_in
    onnx_file = export_onnx(camvid_checkpoint, str(tmp_path / "m.onnx"), verify=False).path
    engine = write_engine_stand_in(tmp_path, onnx_file, precision="fp16")
    assert reference_variant(engine) == "tensorrt-fp16"
    out = str(tmp_path / "bench")
    assert main(["bench", "accuracy", engine] + CAMVID + ["--limit", "1", "--out", out]) == 1
    with open(os.path.join(out, "accuracy.json")) as handle:
        rows = json.load(handle)["rows"]
    assert [(r["variant"], r["status"]) for r in rows] == [("tensorrt-fp16", "unavailable")]
    assert "TensorRT" in rows[0]["reason"]


def test_accuracy_md_table_stays_a_table_with_long_reasons(accuracy_run):
    """The TensorRT rows' reasons are cut at 200 characters inside a `pip install ...` span: the
    Markdown cell closes it, so every row keeps its cells."""
    from tests.test_benchmarks.markdown_table import check_table
    with open(os.path.join(accuracy_run[1], "accuracy.md")) as handle:
        rows = check_table(handle.read())
    assert [row[0] for row in rows[2:]] == list(VARIANTS)
    reasons = [row[-1] for row in rows[2:] if row[0].startswith("tensorrt")]
    assert len(reasons) == 3 and all("TensorRT" in reason for reason in reasons)
