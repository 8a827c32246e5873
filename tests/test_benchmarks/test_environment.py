"""Environment record, matrix-product peak, timing statistics and MAC counting."""

import json

import pytest

from linknet_edge.runtime.environment import read_clock_state, read_l4t_release, record_environment
from linknet_edge.benchmarks.peak import measure_matmul_peak
from linknet_edge.benchmarks.results import throughput, timing_stats
from tests.markers import requires_onnx, requires_torch


def test_environment_record_is_json_and_names_the_machine():
    env = record_environment()
    json.dumps(env)
    assert env["cpu"] and env["cpu_cores"] >= 1 and env["python"] and env["numpy"]
    for key in ("torch", "onnxruntime", "tensorrt", "opencv", "gpus", "jetson"):
        assert key in env


def test_l4t_release_is_read_from_nv_tegra_release(tmp_path):
    path = tmp_path / "nv_tegra_release"
    path.write_text("# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, "
                    "EABI: aarch64, DATE: Sat Jan 15 23:07:12 UTC 2022\n")
    assert read_l4t_release(str(path)) == "R32.7.1"
    assert read_l4t_release(str(tmp_path / "missing")) is None


def _cpufreq(root, cpu, low, high):
    folder = root / "devices" / "system" / "cpu" / "cpu{}".format(cpu) / "cpufreq"
    folder.mkdir(parents=True)
    (folder / "scaling_min_freq").write_text("{}\n".format(low))
    (folder / "scaling_max_freq").write_text("{}\n".format(high))
    (folder / "scaling_governor").write_text("schedutil\n")


def test_clock_state_compares_min_and_max_frequencies(tmp_path):
    _cpufreq(tmp_path, 0, 1479000, 1479000)
    _cpufreq(tmp_path, 1, 1479000, 1479000)
    gpu = tmp_path / "class" / "devfreq" / "57000000.gpu"
    gpu.mkdir(parents=True)
    (gpu / "min_freq").write_text("76800000\n")
    (gpu / "max_freq").write_text("921600000\n")
    state = read_clock_state(str(tmp_path))
    assert state == {"cpu_pinned": True, "cpu_governors": ["schedutil"], "gpu_pinned": False}
    _cpufreq(tmp_path, 2, 102000, 1479000)
    assert read_clock_state(str(tmp_path))["cpu_pinned"] is False


def test_matmul_peak_is_the_best_of_several_sizes():
    peak = measure_matmul_peak("numpy", sizes=(64, 128, 256), seconds=0.05)
    assert sorted(peak["by_size"]) == [64, 128, 256] and peak["repeats"] >= 9
    assert peak["gflops"] == max(peak["by_size"].values()) > 0
    assert peak["by_size"][peak["n"]] == peak["gflops"]
    with pytest.raises(ValueError):
        measure_matmul_peak("fortran")


def test_theoretical_peak_from_fma_width_cores_and_clock(monkeypatch):
    from linknet_edge.benchmarks import peak
    monkeypatch.setattr(peak, "_cpu_facts", lambda: ({"avx2", "fma"}, 2450.0, 2))
    theory = peak.theoretical_peak(cores=2)
    assert theory["lanes"] == 8 and theory["gflops"] == pytest.approx(8 * 2 * 2 * 2 * 2.45)
    monkeypatch.setattr(peak, "_cpu_facts", lambda: ({"avx512f", "avx2", "fma"}, 3000.0, 4))
    assert peak.theoretical_peak(cores=4)["gflops"] == pytest.approx(16 * 2 * 2 * 4 * 3.0)
    monkeypatch.setattr(peak, "_cpu_facts", lambda: (set(), None, 1))
    assert peak.theoretical_peak() is None
    # the estimate is shown beside the measured peak, never used as the yardstick
    from linknet_edge.benchmarks.results import BenchmarkReport
    report = BenchmarkReport([], peaks={"numpy": {"gflops": 100.0, "n": 1024},
                                        "theoretical": {"gflops": 157.0, "lanes": 8,
                                                        "fma_units": 2, "cores": 2,
                                                        "mhz": 2450.0}})
    assert report.peak_gflops == 100.0


def test_a_share_above_100_percent_is_marked_and_explained():
    from linknet_edge.benchmarks.accuracy import AccuracyReport
    from linknet_edge.benchmarks.report import format_markdown, format_table
    rows = [{"variant": "onnxruntime-fp32", "precision": "fp32", "status": "ok",
             "peak_share": 0.93},
            {"variant": "onnxruntime-int8", "precision": "int8", "status": "ok",
             "peak_share": 1.31}]
    report = AccuracyReport(rows, peaks={"numpy": {"gflops": 150.0, "n": 2048}})
    for text in (format_table(report), format_markdown(report)):
        assert "93%" in text and "93%*" not in text and "131%*" in text
        assert "* above 100 %: FP16/INT8 operations counted as FLOPs" in text
        assert "a float32 row beat" not in text
    rows[0]["peak_share"] = 1.05
    assert "* above 100 %: a float32 row beat this run's best" in format_table(report)


def test_timing_statistics_and_throughput():
    stats = timing_stats([0.010, 0.020, 0.030, 0.040], batch=2)
    assert stats["mean_ms"] == pytest.approx(25.0) and stats["min_ms"] == pytest.approx(10.0)
    assert stats["p50_ms"] == pytest.approx(25.0) and stats["fps"] == pytest.approx(80.0)
    assert stats["p90_ms"] <= stats["p99_ms"] <= 40.0
    rate = throughput(1e9, batch=2, mean_ms=25.0, peak_gflops=200.0)
    assert rate["gflops"] == pytest.approx(160.0) and rate["peak_share"] == pytest.approx(0.8)
    assert throughput(None, 1, 25.0, 200.0)["gflops"] is None


@requires_torch
@requires_onnx
def test_onnx_mac_count_matches_the_model_summary(onnx_path):
    from linknet_edge.benchmarks.macs import MacCounter, count_onnx_macs
    from linknet_edge.onnx_file import read_onnx_spec
    from linknet_edge.model import model_from_spec, summarize
    macs, size = count_onnx_macs(onnx_path)
    spec = read_onnx_spec(onnx_path)
    expected = summarize(model_from_spec(spec), size)["gmacs"] * 1e9
    assert size == (64, 64) and macs == pytest.approx(expected, rel=1e-9)
    # fully convolutional: one count per architecture scales with the input area
    assert MacCounter().count(onnx_path, spec, (128, 64)) == 2 * macs
