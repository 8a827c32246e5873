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


def test_matmul_peak_is_measured():
    peak = measure_matmul_peak("numpy", n=128, seconds=0.05)
    assert peak["gflops"] > 0 and peak["repeats"] >= 3 and peak["n"] == 128
    with pytest.raises(ValueError):
        measure_matmul_peak("fortran")


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
