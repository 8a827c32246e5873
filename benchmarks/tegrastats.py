"""Read NVIDIA Jetson ``tegrastats`` lines, and sample them in a thread while a benchmark runs.

Stdlib only. One parser serves every module and JetPack generation: rails are found generically as
``NAME inst/avg`` with or without an ``mW`` unit (JetPack 4: ``POM_5V_IN 1750/1628``; JetPack 5+:
``VDD_IN 2763mW/2846mW``; JetPack 7 adds a third value), so TX1/TX2 (``VDD_IN``, ``VDD_SYS_GPU``),
Nano (``POM_5V_*``), AGX Xavier (``GPU CPU SOC CV VDDRQ SYS5V``), Xavier/Orin NX (``VDD_IN``,
``VDD_CPU_GPU_CV``) and AGX Orin (``VDD_GPU_SOC VDD_CPU_CV VIN_SYS_5V0``) all parse. Power is
in milliwatts as tegrastats prints it; summaries convert to watts.

The module's total input power is the ``VDD_IN`` / ``POM_5V_IN`` rail where the board has one
(it *is* the total: the others are parts of it). AGX Xavier and AGX Orin have none, so there a
fixed set of rails is summed (an estimate of module power that leaves out the carrier board):
the same set on every JetPack, because AGX Orin's JetPack 5 lines also print ``VDDQ_VDD2_1V8AO``
and JetPack 6 lines often do not. Temperatures leave out ``PMIC@100C``: that zone always reads
100 C on TX1/TX2/Nano/Xavier (NVIDIA: a fixed placeholder, not a measurement), and sensors that
read -256 C (powered down).
"""

import logging
import re
import shutil
import subprocess
import threading

__all__ = ["TegrastatsSample", "parse_tegrastats_line", "summarize_power", "TegrastatsSampler",
           "tegrastats_available", "INPUT_RAILS", "SUMMED_RAILS"]

logger = logging.getLogger(__name__)

#: Rails that measure the whole module's input, in order of preference.
INPUT_RAILS = ("VDD_IN", "POM_5V_IN")
#: Boards without an input rail: (the rail that identifies the board, the rails summed).
SUMMED_RAILS = (
    ("VDD_GPU_SOC", ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0")),        # AGX Orin
    ("VDDRQ", ("GPU", "CPU", "SOC", "CV", "VDDRQ", "SYS5V")),            # AGX Xavier
)
#: Channels tegrastats prints but that are not connected to anything.
_UNCONNECTED = ("NC",)
#: Temperature zones that are placeholders, not sensors.
_PLACEHOLDER_ZONES = ("PMIC",)
#: A temperature sensor that is powered down reads this.
_SENSOR_OFF_C = -256.0

_TIMESTAMP = re.compile(r"^\s*(\d\d-\d\d-\d{4} \d\d:\d\d:\d\d)\s")
_MEMORY = re.compile(r"\b(RAM|SWAP) (\d+)/(\d+)MB")
_CPU = re.compile(r"\bCPU \[([^\]]*)\](?:@(\d+))?")
_CORE = re.compile(r"(\d+)%(?:@(\d+))?")
_LOAD_FREQ = re.compile(r"\b(EMC_FREQ|GR3D_FREQ) (?:(\d+)%)?(?:@\[?(\d+)[\d,]*\]?)?")
_TEMPERATURE = re.compile(r"(?<![\w%@])([A-Za-z][\w]*)@(-?\d+(?:\.\d+)?)C(?:/-?[\d.]+C)*(?=\s|$)")
_RAIL = re.compile(r"(?<![\w@])([A-Z][A-Z0-9_]*) (\d+)(?:mW)?/(\d+)(?:mW)?(?:/(\d+)(?:mW)?)?"
                   r"(?=\s|$)")


class TegrastatsSample(object):
    """One parsed tegrastats line.

    ``rails``: name -> (instantaneous mW, running-average mW); ``temperatures``: name -> deg C
    (sensors reading -256 C, i.e. off, and the PMIC placeholder are left out);
    ``cpu_load``: per-core percent, None for an offline core; frequencies in MHz; loads in
    percent; memory in MB. Missing fields are None.
    """

    def __init__(self, line):
        self.line = line.rstrip("\n")
        stamp = _TIMESTAMP.match(line)
        self.timestamp = stamp.group(1) if stamp else None
        memory = dict((m.group(1), (int(m.group(2)), int(m.group(3))))
                      for m in _MEMORY.finditer(line))
        self.ram_used_mb, self.ram_total_mb = memory.get("RAM", (None, None))
        self.swap_used_mb, self.swap_total_mb = memory.get("SWAP", (None, None))
        self.cpu_load, self.cpu_freq_mhz = _parse_cpu(line)
        loads = dict((m.group(1), (_int(m.group(2)), _int(m.group(3))))
                     for m in _LOAD_FREQ.finditer(line))
        self.emc_load, self.emc_freq_mhz = loads.get("EMC_FREQ", (None, None))
        self.gpu_load, self.gpu_freq_mhz = loads.get("GR3D_FREQ", (None, None))
        self.temperatures = {}
        for match in _TEMPERATURE.finditer(line):
            value = float(match.group(2))
            if value > _SENSOR_OFF_C and match.group(1) not in _PLACEHOLDER_ZONES:
                self.temperatures[match.group(1)] = value
        self.rails = {}
        for match in _RAIL.finditer(line):
            name = match.group(1)
            if name not in _UNCONNECTED and name not in ("RAM", "SWAP"):
                self.rails[name] = (int(match.group(2)), int(match.group(3)))

    def input_power(self):
        """``(rail label, instantaneous mW)`` of the module's total input, or None without rails."""
        for name in INPUT_RAILS:
            if name in self.rails:
                return name, self.rails[name][0]
        if not self.rails:
            return None
        names = sorted(self.rails)
        for marker, summed in SUMMED_RAILS:
            if marker in self.rails:
                names = [name for name in summed if name in self.rails]
                break
        return "+".join(names), sum(self.rails[name][0] for name in names)

    def to_dict(self):
        return {"timestamp": self.timestamp, "ram_used_mb": self.ram_used_mb,
                "ram_total_mb": self.ram_total_mb, "swap_used_mb": self.swap_used_mb,
                "swap_total_mb": self.swap_total_mb, "cpu_load": self.cpu_load,
                "cpu_freq_mhz": self.cpu_freq_mhz, "emc_load": self.emc_load,
                "emc_freq_mhz": self.emc_freq_mhz, "gpu_load": self.gpu_load,
                "gpu_freq_mhz": self.gpu_freq_mhz, "temperatures": dict(self.temperatures),
                "rails_mw": dict((k, list(v)) for k, v in self.rails.items())}


def _int(text):
    return None if text is None else int(text)


def _parse_cpu(line):
    match = _CPU.search(line)
    if match is None:
        return None, None
    loads, freqs = [], []
    shared_freq = _int(match.group(2))  # old format: CPU [12%,5%,off,off]@1734
    for item in match.group(1).split(","):
        core = _CORE.search(item)
        if core is None:  # "off": the core is powered down
            loads.append(None)
            freqs.append(None)
        else:
            loads.append(int(core.group(1)))
            freqs.append(_int(core.group(2)) if core.group(2) else shared_freq)
    return loads, freqs


def parse_tegrastats_line(line):
    """A ``TegrastatsSample``, or None for a line that is not tegrastats output."""
    if "RAM " not in line and not _RAIL.search(line):
        return None
    return TegrastatsSample(line)


def _stats(values):
    return {"mean_w": sum(values) / len(values) / 1000.0, "peak_w": max(values) / 1000.0}


def summarize_power(samples):
    """Average and peak watts per rail and for the module input, from instantaneous values.

    Returns ``{"samples": n, "input_rail": label, "input": {"mean_w", "peak_w"},
    "rails": {name: {"mean_w", "peak_w"}}, "max_temperature_c": {name: C}}`` or None when no
    sample carried power rails.
    """
    samples = [s for s in samples if s is not None and s.rails]
    if not samples:
        return None
    rails = {}
    for name in sorted(set(n for s in samples for n in s.rails)):
        values = [s.rails[name][0] for s in samples if name in s.rails]
        rails[name] = _stats(values)
    inputs = [s.input_power() for s in samples]
    temperatures = {}
    for sample in samples:
        for name, value in sample.temperatures.items():
            temperatures[name] = max(value, temperatures.get(name, value))
    return {"samples": len(samples), "input_rail": inputs[0][0],
            "input": _stats([mw for _, mw in inputs]), "rails": rails,
            "max_temperature_c": temperatures}


def tegrastats_available(executable="tegrastats"):
    """True on a Jetson where ``tegrastats`` is on PATH."""
    return shutil.which(executable) is not None


class TegrastatsSampler(object):
    """Runs ``tegrastats --interval MS`` and collects parsed samples in a background thread.

    Use as a context manager around the timed loop; ``summary()`` then gives ``summarize_power``
    of what was collected (None off a Jetson or when tegrastats printed no power rails).
    """

    def __init__(self, interval_ms=100, executable="tegrastats"):
        self.interval_ms = int(interval_ms)
        self.executable = executable
        self.samples = []
        self._process = None
        self._thread = None

    def start(self):
        if not tegrastats_available(self.executable):
            logger.debug("%s not found; no power measurement", self.executable)
            return self
        try:
            self._process = subprocess.Popen(
                [self.executable, "--interval", str(self.interval_ms)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
        except OSError as exc:
            logger.warning("cannot start %s (%s); no power measurement", self.executable, exc)
            return self
        self._thread = threading.Thread(target=self._read, name="tegrastats", daemon=True)
        self._thread.start()
        return self

    def _read(self):
        for line in self._process.stdout:
            sample = parse_tegrastats_line(line)
            if sample is not None:
                self.samples.append(sample)

    def stop(self):
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._thread.join(timeout=5)
            self._process.stdout.close()
            self._process = None
        return self

    def summary(self):
        return summarize_power(self.samples)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
