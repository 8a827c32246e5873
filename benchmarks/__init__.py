"""Benchmarks: latency/FPS/power of model files and accuracy of every backend against PyTorch.

Torch-free: numpy, OpenCV and the backend libraries only (torch is loaded by the PyTorch backend
when a ``.pt`` file is benchmarked). Reports go to the terminal and to JSON, CSV, Markdown and
PNG files; see docs/benchmarks.md.
"""

from linknet_edge.runtime.environment import record_environment

from .accuracy import AccuracyFloors, AccuracyReport, check_accuracy_floors, measure_accuracy
from .latency import LatencyReport, measure_latency
from .peak import measure_matmul_peak, measure_peaks
from .report import format_markdown, format_table, write_reports
from .tegrastats import (TegrastatsSample, TegrastatsSampler, parse_tegrastats_line,
                         summarize_power)

__all__ = [
    "measure_latency", "LatencyReport", "measure_accuracy", "AccuracyReport", "AccuracyFloors",
    "check_accuracy_floors", "record_environment", "measure_matmul_peak", "measure_peaks",
    "format_table", "format_markdown", "write_reports", "parse_tegrastats_line",
    "summarize_power", "TegrastatsSample", "TegrastatsSampler",
]
