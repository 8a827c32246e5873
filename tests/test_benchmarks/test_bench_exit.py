"""``bench`` fails (exit 1, one line naming the rows) when a model file or backend the user named
did not run, or, with the defaults, when no row ran: a CI job must not pass on broken artifacts.
And every ``--size`` given is timed."""

import json
import os

import pytest

from linknet_edge.benchmarks.accuracy import AccuracyReport
from linknet_edge.cli import main
from linknet_edge.errors import BenchmarkError
from tests.markers import data_path, requires_data, requires_onnxruntime, requires_torch

FAST = ["--iters", "1", "--warmup", "0"]


def _last_error(capsys):
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and "Traceback" not in "\n".join(lines)
    return lines[-1]


@requires_onnxruntime
def test_latency_exits_1_naming_a_corrupt_onnx_file(tmp_path, onnx_path, capsys):
    bad = tmp_path / "corrupt.onnx"
    bad.write_bytes(b"\x08\x07garbage, not a protobuf model")
    out = str(tmp_path / "report")
    assert main(["bench", "latency", onnx_path, str(bad), "--out", out] + FAST) == 1
    error = _last_error(capsys)
    assert error.startswith("linknet-edge bench: error: 1 of 2 latency rows did not run: "
                            "corrupt.onnx on onnxruntime (failed: ")
    assert os.path.basename(onnx_path) not in error
    with open(os.path.join(out, "latency.json")) as handle:  # the reports are still written
        rows = json.load(handle)["rows"]
    assert [r["status"] for r in rows] == ["ok", "failed"]


@requires_onnxruntime
def test_latency_exits_0_when_every_named_file_runs(tmp_path, onnx_path):
    assert main(["bench", "latency", onnx_path, "--out", str(tmp_path)] + FAST) == 0


@requires_torch
def test_latency_times_every_size_given_repeated(tmp_path, tiny_checkpoint):
    out = str(tmp_path / "report")
    assert main(["bench", "latency", tiny_checkpoint, "--size", "64x64", "--size", "96x64",
                 "--out", out] + FAST) == 0
    with open(os.path.join(out, "latency.json")) as handle:
        rows = json.load(handle)["rows"]
    assert sorted(r["size"] for r in rows) == ["64x64", "96x64"]


def _report(statuses, asked=()):
    rows = [{"variant": name, "status": status, "reason": None if status == "ok" else "why"}
            for name, status in statuses]
    return AccuracyReport(rows, settings={"asked": list(asked)})


def test_accuracy_defaults_fail_only_when_no_row_ran():
    report = _report([("pytorch-fp32", "ok"), ("tensorrt-fp16", "unavailable")])
    assert report.check() is report
    report = _report([("pytorch-fp32", "failed"), ("onnxruntime-fp32", "failed"),
                      ("tensorrt-fp16", "unavailable")])
    with pytest.raises(BenchmarkError, match=r"^3 of 3 accuracy rows did not run: pytorch-fp32 "
                       r"\(failed: why\); onnxruntime-fp32 \(failed: why\); tensorrt-fp16 "
                       r"\(unavailable: why\)$"):
        report.check()


def test_accuracy_fails_when_a_named_variant_did_not_run():
    report = _report([("pytorch-fp32", "ok"), ("onnxruntime-fp32", "ok"),
                      ("tensorrt-fp16", "unavailable")], asked=["tensorrt-fp16"])
    with pytest.raises(BenchmarkError, match=r"^1 of 3 accuracy rows did not run: tensorrt-fp16 "
                       r"\(unavailable: why\)$"):
        report.check()
    report.settings["asked"] = ["onnxruntime-fp32"]
    assert report.check() is report


@requires_data
@requires_torch
@requires_onnxruntime
def test_accuracy_verb_exits_1_when_the_named_backend_is_unavailable(tmp_path, camvid_checkpoint,
                                                                     capsys):
    code = main(["bench", "accuracy", camvid_checkpoint, "--dataset", "camvid", "--data-root",
                 data_path("camvid"), "--size", "64x64", "--limit", "1", "--backend",
                 "tensorrt-fp32", "--out", str(tmp_path)])
    assert code == 1
    error = _last_error(capsys)
    assert error.startswith("linknet-edge bench: error: 1 of 2 accuracy rows did not run: "
                            "tensorrt-fp32 (unavailable: ")
