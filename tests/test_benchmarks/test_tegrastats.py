"""The tegrastats parser on recorded lines of every Jetson module family, and the sampler."""

import glob
import os
import stat
import sys
import time

import pytest

from linknet_edge.benchmarks.tegrastats import (SUMMED_RAILS, TegrastatsSampler,
                                                parse_tegrastats_line, summarize_power,
                                                tegrastats_available)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _lines(module):
    with open(os.path.join(DATA, "tegrastats_{}.txt".format(module))) as handle:
        return [line for line in handle if line.strip() and not line.startswith("#")]


MODULES = sorted(os.path.basename(p)[len("tegrastats_"):-4]
                 for p in glob.glob(os.path.join(DATA, "tegrastats_*.txt")))
#: module -> the rail that measures the module input (None: rails are summed)
INPUT_RAIL = {"tx1": "VDD_IN", "tx2": "VDD_IN", "nano": "POM_5V_IN", "xavier_nx": "VDD_IN",
              "orin_nx": "VDD_IN", "xavier_agx": None, "orin_agx": None}


def test_every_module_family_is_recorded():
    assert set(MODULES) == set(INPUT_RAIL)


@pytest.mark.parametrize("module", MODULES)
def test_every_recorded_line_parses(module):
    for line in _lines(module):
        sample = parse_tegrastats_line(line)
        assert sample is not None, line
        assert sample.ram_used_mb > 0 and sample.ram_total_mb >= sample.ram_used_mb
        assert sample.cpu_load and len(sample.cpu_load) == len(sample.cpu_freq_mhz)
        assert sample.gpu_load is not None and 0 <= sample.gpu_load <= 100
        assert sample.rails and all(inst >= 0 and avg >= 0 for inst, avg in sample.rails.values())
        assert "RAM" not in sample.rails and "SWAP" not in sample.rails and "NC" not in sample.rails
        assert sample.temperatures and all(-40 < t <= 110 for t in sample.temperatures.values())
        rail, milliwatts = sample.input_power()
        if INPUT_RAIL[module]:
            assert rail == INPUT_RAIL[module]
            assert milliwatts == sample.rails[rail][0]
        else:
            summed = [names for marker, names in SUMMED_RAILS if marker in sample.rails][0]
            assert rail == "+".join(summed)
            assert milliwatts == sum(sample.rails[name][0] for name in summed)
        assert "PMIC" not in sample.temperatures  # a placeholder zone, not a sensor


def test_nano_values():
    sample = parse_tegrastats_line(_lines("nano")[1])
    assert sample.rails == {"POM_5V_IN": (1750, 1628), "POM_5V_GPU": (0, 0),
                            "POM_5V_CPU": (366, 406)}
    assert (sample.ram_used_mb, sample.ram_total_mb) == (1923, 3964)
    assert (sample.swap_used_mb, sample.swap_total_mb) == (191, 1982)
    assert sample.cpu_load == [5, 4, 3, 6] and sample.cpu_freq_mhz == [1224] * 4
    assert (sample.emc_load, sample.emc_freq_mhz) == (0, 1600)
    assert (sample.gpu_load, sample.gpu_freq_mhz) == (0, 76)
    assert sample.temperatures["CPU"] == 40.0 and sample.temperatures["thermal"] == 40.0


def test_tx2_offline_cores_and_rails():
    sample = parse_tegrastats_line(_lines("tx2")[0])
    assert sample.cpu_load == [1, None, None, 1, 0, 2]
    assert sample.rails["VDD_SYS_GPU"] == (152, 152) and sample.input_power() == ("VDD_IN", 3056)


def test_xavier_agx_sums_its_module_rails():
    sample = parse_tegrastats_line(_lines("xavier_agx")[0])
    assert sorted(sample.rails) == ["CPU", "CV", "GPU", "SOC", "SYS5V", "VDDRQ"]
    assert sample.input_power() == ("GPU+CPU+SOC+CV+VDDRQ+SYS5V", 311 + 932 + 621 + 1482)
    assert sample.temperatures["GPU"] == 37.5  # "GPU@37.5C" is a temperature, "GPU 0/0" a rail


def test_orin_formats_units_timestamps_and_unconnected_channels():
    lines = _lines("orin_agx")
    first = parse_tegrastats_line(lines[0])
    assert first.timestamp == "04-24-2023 00:01:24"
    assert first.rails["VDD_GPU_SOC"] == (2399, 2399) and "NC" not in first.rails
    assert "GPU" not in first.temperatures  # GPU@-256C: sensor off
    jetpack6 = parse_tegrastats_line(lines[2])
    assert (jetpack6.gpu_load, jetpack6.gpu_freq_mhz) == (0, 305)
    jetpack7 = parse_tegrastats_line(lines[4])
    assert jetpack7.rails["VIN_SYS_5V0"] == (5500, 5500)
    assert jetpack7.temperatures["cpu"] == 52.968
    assert (jetpack7.gpu_load, jetpack7.gpu_freq_mhz) == (12, 1300)


#: Real AGX Orin lines: JetPack 5 from
#: rbonghi/jetson_stats' tegrastats emulator (commit 4404e168, 2023-01-03), which prints
#: VDDQ_VDD2_1V8AO and NC channels; a later JetPack's user log (11-21-2025, 64 GB AGX Orin),
#: which has no NC channels.
ORIN_JP5 = ("01-03-2023 16:07:54 RAM 2257/30536MB (lfb 5392x4MB) SWAP 0/15268MB (cached 0MB) "
            "CPU [0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,"
            "0%@729] EMC_FREQ 0%@204 GR3D_FREQ 0%@0 GR3D2_FREQ 0%@0 NVJPG1 729 VIC_FREQ 115 "
            "APE 233 CV0@-256C CPU@41.437C Tboard@29C SOC2@39.062C Tdiode@30.75C SOC0@39.031C "
            "CV1@-256C GPU@-256C tj@41.656C SOC1@38.937C CV2@-256C VDD_GPU_SOC 2390mW/2390mW "
            "VDD_CPU_CV 796mW/796mW VIN_SYS_5V0 3522mW/3522mW NC 0mW/0mW VDDQ_VDD2_1V8AO "
            "301mW/301mW NC 0mW/0mW")
ORIN_LATER = ("RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201,10%@2201] EMC_FREQ 1%@2133 "
              "GR3D_FREQ 14%@[407,407] VIC_FREQ 115 NVDLA0_FREQ @1600 APE 174 CV0@73.625C "
              "CPU@77.281C Tboard@62C SOC2@70C Tdiode@62.25C SOC0@69.531C CV1@72.5C "
              "GPU@69.125C tj@77.281C SOC1@68.968C CV2@67.25C VDD_GPU_SOC 3150mW/2971mW "
              "VDD_CPU_CV 14312mW/12415mW VIN_SYS_5V0 4968mW/5048mW VDDQ_VDD2_1V8AO "
              "1091mW/1091mW")
ORIN_JP6 = _lines("orin_agx")[2]  # r36 (JetPack 6): no VDDQ_VDD2_1V8AO at all


def test_agx_orin_estimate_uses_the_same_rails_on_every_jetpack():
    estimates = [parse_tegrastats_line(line).input_power()
                 for line in (ORIN_JP5, ORIN_LATER, ORIN_JP6)]
    assert [label for label, _ in estimates] == ["VDD_GPU_SOC+VDD_CPU_CV+VIN_SYS_5V0"] * 3
    assert [mw for _, mw in estimates] == [2390 + 796 + 3522, 3150 + 14312 + 4968,
                                           3205 + 4405 + 4767]
    jp5 = parse_tegrastats_line(ORIN_JP5)
    assert jp5.rails["VDDQ_VDD2_1V8AO"] == (301, 301)  # still reported, just not summed


def test_pmic_placeholder_is_not_a_temperature():
    tx1 = parse_tegrastats_line(
        "RAM 388/3984MB (lfb 779x4MB) IRAM 0/252kB(lfb 252kB) CPU [1%@1734,0%@1734,0%@1734,"
        "0%@1734] EMC_FREQ 0%@1600 GR3D_FREQ 0%@998 APE 25 AO@30.5C CPU@25.5C GPU@23C "
        "PLL@21.5C Tdiode@28.5C PMIC@100C Tboard@28C thermal@24C")
    assert "PMIC" not in tx1.temperatures and tx1.temperatures["CPU"] == 25.5
    samples = [parse_tegrastats_line(line) for line in _lines("nano")]
    assert "PMIC" not in summarize_power(samples)["max_temperature_c"]


def test_xavier_nx_jetpack5_line_with_milliwatt_units():
    sample = parse_tegrastats_line(_lines("xavier_nx")[2])
    assert sample.timestamp == "07-09-2024 13:31:31"
    assert sample.rails["VDD_IN"] == (2763, 2846) and sample.gpu_freq_mhz == 114


def test_other_text_is_not_a_sample():
    assert parse_tegrastats_line("") is None
    assert parse_tegrastats_line("tegrastats: command not found") is None


def test_summary_averages_and_peaks_the_instantaneous_input_power():
    samples = [parse_tegrastats_line(line) for line in _lines("nano")]
    summary = summarize_power(samples)
    assert summary["samples"] == 2 and summary["input_rail"] == "POM_5V_IN"
    assert summary["input"]["mean_w"] == pytest.approx((1.022 + 1.750) / 2)
    assert summary["input"]["peak_w"] == pytest.approx(1.750)
    assert summary["rails"]["POM_5V_CPU"]["peak_w"] == pytest.approx(0.366)
    assert summary["max_temperature_c"]["CPU"] == 40.0
    assert summarize_power([]) is None


def test_sampler_reads_a_stand_in_tegrastats(tmp_path):
    # No Jetson here: a stand-in executable replays recorded TX2 lines like tegrastats would.
    recorded = tmp_path / "recorded.txt"
    recorded.write_text("".join(_lines("tx2")))
    script = tmp_path / "tegrastats"
    script.write_text("#!{}\nimport sys, time\nassert sys.argv[1:3] == ['--interval', '20']\n"
                      "for line in open({!r}):\n    print(line, end='', flush=True)\n"
                      "time.sleep(30)\n".format(sys.executable, str(recorded)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    assert tegrastats_available(str(script))
    with TegrastatsSampler(interval_ms=20, executable=str(script)) as sampler:
        for _ in range(200):
            if len(sampler.samples) == 2:
                break
            time.sleep(0.05)
    summary = sampler.summary()
    assert summary["samples"] == 2 and summary["input_rail"] == "VDD_IN"
    assert summary["input"]["peak_w"] == pytest.approx(3.056)


def test_sampler_without_tegrastats_measures_nothing(tmp_path):
    with TegrastatsSampler(executable=str(tmp_path / "missing")) as sampler:
        pass
    assert sampler.summary() is None
