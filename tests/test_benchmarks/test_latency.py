"""``linknet-edge bench latency`` on a tiny real model: every report file, row and column."""

import csv
import json
import os
import subprocess
import sys

import pytest

from linknet_edge.benchmarks.latency import LatencyReport, measure_latency, parse_backend
from linknet_edge.cli import main
from tests.markers import ROOT, requires_onnxruntime, requires_torch, slow

FILES = ("latency.json", "latency.csv", "latency.md", "latency_latency.png",
         "latency_fps_vs_size.png")


@pytest.fixture(scope="module")
def latency_run(tmp_path_factory, onnx_path, tiny_checkpoint):
    """The verb run once on the ONNX file, the checkpoint and an engine file TensorRT lacks."""
    out = tmp_path_factory.mktemp("latency")
    engine = out / "tiny.engine"
    engine.write_bytes(b"not a plan: TensorRT is not installed here anyway")
    code = main(["bench", "latency", onnx_path, tiny_checkpoint, str(engine), "--size", "64x64",
                 "96x64", "--iters", "3", "--warmup", "1", "--out", str(out / "report")])
    with open(str(out / "report" / "latency.json")) as handle:
        return code, str(out / "report"), json.load(handle), os.path.basename(tiny_checkpoint)


def _row(report, model, size=None):
    rows = [r for r in report["rows"] if r["model"] == model and (size is None or
                                                                 r.get("size") == size)]
    assert len(rows) == 1, rows
    return rows[0]


@requires_torch
@requires_onnxruntime
def test_verb_writes_every_report_file(latency_run):
    code, out = latency_run[:2]
    assert code == 1  # the engine file was named and TensorRT is not here: a failed benchmark
    for name in FILES:
        path = os.path.join(out, name)
        assert os.path.getsize(path) > 0, name
    with open(os.path.join(out, "latency.csv")) as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == LatencyReport.columns and len(rows) == 1 + 5
    with open(os.path.join(out, "latency.md")) as handle:
        markdown = handle.read()
    assert "| model | backend |" in markdown and "matrix-product peak" in markdown


@requires_torch
@requires_onnxruntime
def test_rows_time_each_backend_and_size(latency_run):
    report = latency_run[2]
    onnx = _row(report, "tiny.onnx", "64x64")
    assert onnx["status"] == "ok" and onnx["backend"] == "onnxruntime"
    assert onnx["precision"] == "fp32" and onnx["provider"].startswith("onnxruntime:")
    assert 0 < onnx["min_ms"] <= onnx["p50_ms"] <= onnx["p99_ms"]
    assert onnx["fps"] == pytest.approx(1000.0 / onnx["mean_ms"])
    assert onnx["gmacs"] > 0 and onnx["gflops"] > 0 and onnx["peak_share"] > 0
    assert onnx["file_mb"] > 1
    fixed = _row(report, "tiny.onnx", "96x64")
    assert fixed["status"] == "unavailable" and "fixed at 64x64" in fixed["reason"]
    checkpoint = latency_run[3]
    small, wide = _row(report, checkpoint, "64x64"), _row(report, checkpoint, "96x64")
    assert small["status"] == wide["status"] == "ok"
    assert wide["gmacs"] == pytest.approx(1.5 * small["gmacs"])
    assert report["peak_gflops"] > 0 and "numpy" in report["peaks"] and "torch" in report["peaks"]
    assert report["environment"]["cpu_cores"] >= 1


@requires_torch
@requires_onnxruntime
def test_missing_tensorrt_is_unavailable_with_a_reason(latency_run):
    engine = _row(latency_run[2], "tiny.engine")
    assert engine["status"] == "unavailable" and "TensorRT" in engine["reason"]


@requires_onnxruntime
def test_backend_targets_and_files_for_another_backend(onnx_path):
    assert parse_backend("onnxruntime:cpu") == ("onnxruntime", {"providers": ["cpu"]})
    assert parse_backend("pytorch:cuda") == ("pytorch", {"device": "cuda"})
    report = measure_latency([onnx_path], iters=2, warmup=0, backends=["pytorch"],
                             peak_seconds=0.05)
    assert report.rows[0]["status"] == "unavailable" and "runs on onnxruntime" in \
        report.rows[0]["reason"]
    report = measure_latency([onnx_path], iters=2, warmup=0, backends=["onnxruntime:cpu"],
                             peak_seconds=0.05)
    assert report.rows[0]["provider"] == "onnxruntime:CPUExecutionProvider"


@requires_onnxruntime
def test_benchmarking_an_onnx_file_never_imports_torch(onnx_path, tmp_path):
    code = ("import sys; from linknet_edge.benchmarks import measure_latency, write_reports; "
            "r = measure_latency([{!r}], iters=2, warmup=0, peak_seconds=0.01); "
            "write_reports(r, {!r}, plots=False); "
            "assert r.rows[0]['status'] == 'ok', r.rows; "
            "assert 'torch' not in sys.modules, 'torch was imported'").format(
                onnx_path, str(tmp_path))
    subprocess.check_call([sys.executable, "-c", code], cwd=ROOT)


@slow
@requires_torch
@requires_onnxruntime
def test_gpu_script_smoke_runs_its_pytorch_part_on_the_cpu(tmp_path, tiny_checkpoint):
    from linknet_edge.benchmarks.gpu_bench import main as gpu_bench
    out = str(tmp_path / "gpu")
    assert gpu_bench(["--checkpoint", tiny_checkpoint, "--size", "64x64", "--device", "cpu",
                      "--iters", "2", "--warmup", "1", "--out", out]) == 0
    with open(os.path.join(out, "latency.json")) as handle:
        rows = json.load(handle)["rows"]
    backends = [(r.get("backend"), r.get("precision"), r["status"]) for r in rows]
    assert ("pytorch:cpu", "fp16", "ok") in backends
    assert ("pytorch:cpu/channels_last", "fp32", "ok") in backends
    assert all(r["status"] in ("ok", "unavailable") for r in rows)


@requires_onnxruntime
def test_power_and_fps_per_watt_from_a_stand_in_tegrastats(onnx_path, tmp_path, monkeypatch):
    # No Jetson here: a stand-in `tegrastats` on PATH prints recorded Xavier NX lines at once.
    recorded = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                            "tegrastats_xavier_nx.txt")
    script = tmp_path / "tegrastats"
    script.write_text("#!/bin/sh\ngrep -v '^#' {}\nexec sleep 30\n".format(recorded))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    row = measure_latency([onnx_path], iters=100, warmup=0, peak_seconds=0.01).rows[0]
    assert row["status"] == "ok"
    assert row["power"]["input_rail"] == "VDD_IN" and row["power"]["samples"] == 3
    assert row["power_w"] == pytest.approx((4.067 + 6.140 + 2.763) / 3)
    assert row["peak_power_w"] == pytest.approx(6.140)
    assert row["fps_per_w"] == pytest.approx(row["fps"] / row["power_w"])


@requires_torch
@requires_onnxruntime
def test_one_size_gets_an_fps_bar_chart_and_the_terminal_shows_percentiles(onnx_path, tmp_path,
                                                                         capsys):
    """At one size there is no "FPS against size" line to draw: a bar chart per backend instead
    (two sizes: ``latency_fps_vs_size.png``, checked by ``test_verb_writes_every_report_file``).
    The terminal table has p50/p90/p99; the Markdown table stays one with TensorRT's long
    install hint cut inside a code span. (The engine cannot run here: exit 1.)"""
    from tests.test_benchmarks.markdown_table import check_table
    engine = tmp_path / "tiny.engine"
    engine.write_bytes(b"not a plan: TensorRT is not installed here anyway")
    out = str(tmp_path / "report")
    assert main(["bench", "latency", onnx_path, str(engine), "--iters", "3", "--warmup", "1",
                 "--out", out]) == 1   # the engine row did not run; the reports are written
    header = capsys.readouterr().out.splitlines()[0]
    assert "p50 ms" in header and "p90 ms" in header and "p99 ms" in header
    files = sorted(os.listdir(out))
    assert "latency_fps.png" in files and "latency_fps_vs_size.png" not in files
    with open(os.path.join(out, "latency_fps.png"), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(os.path.join(out, "latency.md")) as handle:
        rows = check_table(handle.read())
    assert [row[0] for row in rows[2:]] == ["tiny.onnx", "tiny.engine"]
