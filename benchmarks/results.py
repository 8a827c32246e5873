"""What every benchmark produces: rows with a status, timing statistics and throughput figures.

A report is a list of row dicts (one per model/backend/precision/size), the column order to show
them in, the environment and settings they were measured with, and the matrix-product peak.
A row's ``status`` is "ok", "unavailable" (the backend or model file cannot run here; ``reason``
says why) or "failed" (it should have run and did not; ``reason`` holds the one-line error).
A report fails its ``check()`` when a row the user asked for by name did not run, or, when none
was named, when no row ran (so a CI job never passes on broken artifacts).
"""

import math
import os

import numpy as np

from linknet_edge.errors import BenchmarkError, LinkNetEdgeError, first_line
from linknet_edge.reports import Report

__all__ = ["BenchmarkReport", "OK", "UNAVAILABLE", "FAILED", "timing_stats", "throughput",
           "power_columns", "file_megabytes", "one_line", "is_number"]

OK, UNAVAILABLE, FAILED = "ok", "unavailable", "failed"


class BenchmarkReport(Report):
    """Rows plus the context needed to trust them. Subclasses set ``kind`` and ``columns``;
    ``format()`` is the terminal table (``benchmarks.report.format_table``)."""

    kind = "benchmark"
    columns = ()
    error = BenchmarkError

    def __init__(self, rows, environment=None, settings=None, peaks=None):
        self.rows = list(rows)
        self.environment = environment or {}
        self.settings = settings or {}
        self.peaks = peaks or {}

    @property
    def peak_gflops(self):
        """The best float32 matrix-product GFLOP/s measured in this run (None if not measured;
        the ``theoretical`` estimate is shown beside it, never used as the yardstick)."""
        rates = [p["gflops"] for name, p in self.peaks.items()
                 if name != "theoretical" and p and p.get("gflops")]
        return max(rates) if rates else None

    def asked_rows(self):
        """The rows the user asked for by name, each of which must run (subclasses say which;
        none: the defaults ran, and only all of them failing fails the benchmark)."""
        return []

    def row_name(self, row):
        """How a row is named in the failure line."""
        return str(row.get("model"))

    def row_failures(self):
        """One phrase naming the rows that did not run, where they fail the benchmark."""
        asked = self.asked_rows()
        broken = ([row for row in asked if row.get("status") != OK] if asked else
                  [] if self.ok_rows() else list(self.rows))
        if not broken:
            return []
        return ["{} of {} {} rows did not run: {}".format(
            len(broken), len(self.rows), self.kind, "; ".join(
                "{} ({}: {})".format(self.row_name(row), row.get("status"), row.get("reason"))
                for row in broken))]

    def failures(self):
        return self.row_failures()

    def summary(self):
        failures = self.failures()
        if failures:
            more = " (and {} more)".format(len(failures) - 1) if len(failures) > 1 else ""
            return failures[0] + more
        return "{} benchmark: {} of {} rows ok".format(self.kind, len(self.ok_rows()),
                                                       len(self.rows))

    def format(self):
        from .report import format_table
        return format_table(self)

    def ok_rows(self):
        return [row for row in self.rows if row.get("status") == OK]

    def to_dict(self):
        return {"kind": self.kind, "columns": list(self.columns), "rows": self.rows,
                "settings": self.settings, "peaks": self.peaks,
                "peak_gflops": self.peak_gflops, "environment": self.environment}


def timing_stats(seconds, batch=1):
    """Per-iteration wall times (s) -> mean/std/min/p50/p90/p99 in ms and FPS (batch / mean)."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    mean = float(ms.mean())
    return {"mean_ms": mean, "std_ms": float(ms.std()), "min_ms": float(ms.min()),
            "p50_ms": float(np.percentile(ms, 50)), "p90_ms": float(np.percentile(ms, 90)),
            "p99_ms": float(np.percentile(ms, 99)),
            "fps": batch * 1000.0 / mean if mean > 0 else float("inf")}


def throughput(macs_per_image, batch, mean_ms, peak_gflops):
    """``{"gmacs", "gflops", "peak_share"}``: work per image, achieved rate, share of the peak.

    One MAC counts as two floating-point operations, as in the matrix-product peak. Entries are
    None when the MAC count or the peak is unknown.
    """
    if macs_per_image is None or not mean_ms:
        return {"gmacs": None, "gflops": None, "peak_share": None}
    gflops = 2.0 * macs_per_image * batch / (mean_ms / 1000.0) / 1e9
    share = gflops / peak_gflops if peak_gflops else None
    return {"gmacs": macs_per_image / 1e9, "gflops": gflops, "peak_share": share}


def power_columns(power, fps):
    """``{"power_w", "peak_power_w", "fps_per_w", "power"}`` of a ``summarize_power`` result
    (module input rail), or {} without one (off a Jetson)."""
    if not power:
        return {}
    mean_w = power["input"]["mean_w"]
    return {"power_w": mean_w, "peak_power_w": power["input"]["peak_w"],
            "fps_per_w": fps / mean_w if mean_w > 0 else None, "power": power}


def file_megabytes(path):
    """Size of a model file in MB (10^6 bytes), or None if it does not exist."""
    return os.path.getsize(path) / 1e6 if path and os.path.isfile(path) else None


def one_line(exc):
    """An exception as one line; other libraries' errors get their type name in front."""
    if isinstance(exc, LinkNetEdgeError):
        return first_line(exc)
    return "{}: {}".format(type(exc).__name__, first_line(exc))


def is_number(value):
    """True for a finite int or float (not a bool): a value a table or plot can show."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
