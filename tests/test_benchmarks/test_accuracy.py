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
