"""Benchmark reports as a terminal table and as JSON, CSV, Markdown and PNG files in a folder.

JSON holds everything (every column, nested power figures, environment, peaks, settings); CSV
one row per table row with every column; Markdown the environment and the summary table, ready
to paste into a README. Plots are drawn by ``benchmarks.plots`` (matplotlib, imported lazily).
"""

import csv
import logging
import math
import os

from linknet_edge.atomic import atomic_path, write_atomic, write_json_atomic
from linknet_edge.tables import format_grid

from .results import is_number

__all__ = ["format_table", "format_markdown", "write_reports", "format_value"]

logger = logging.getLogger(__name__)

#: column -> (header, format); percent formats take fractions.
_FORMATS = {
    "mean_ms": ("mean ms", "{:.2f}"), "std_ms": ("std ms", "{:.2f}"),
    "min_ms": ("min ms", "{:.2f}"),
    "p50_ms": ("p50 ms", "{:.2f}"), "p90_ms": ("p90 ms", "{:.2f}"),
    "p99_ms": ("p99 ms", "{:.2f}"), "fps": ("FPS", "{:.1f}"), "gmacs": ("GMACs", "{:.2f}"),
    "gflops": ("GFLOP/s", "{:.1f}"), "peak_share": ("of peak", "{:.0%}"),
    "power_w": ("W", "{:.2f}"), "peak_power_w": ("peak W", "{:.2f}"),
    "fps_per_w": ("FPS/W", "{:.2f}"), "file_mb": ("MB", "{:.1f}"), "miou": ("mIoU %", "{:.2f}"),
    "miou_delta": ("vs ref", "{:+.2f}"), "agreement": ("agreement", "{:.2%}"),
    "pixel_accuracy": ("pixel acc %", "{:.2f}"), "frames": ("frames", "{:d}"),
    "speedup": ("x FP32 (p50)", "{:.2f}x"),
}
#: columns shown on the terminal and in Markdown, per report kind (files keep them all).
SUMMARY_COLUMNS = {
    "latency": ("model", "backend", "precision", "size", "batch", "status", "mean_ms", "p50_ms",
                "p90_ms", "p99_ms", "fps", "gflops", "peak_share", "power_w", "fps_per_w", "reason"),
    "accuracy": ("variant", "status", "file_mb", "miou", "miou_delta", "agreement", "mean_ms",
                 "fps", "speedup", "gflops", "peak_share", "reason"),
}


def format_value(column, value, width_limit=None):
    """A cell as text: numbers with the column's format, None/NaN as "-"; a share of peak above
    100 % carries a "*" that the table's footer explains (``_over_peak_note``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if column in _FORMATS and is_number(value):
        style = _FORMATS[column][1]
        if "+" in style:  # a signed change: never print "-0.00"
            value = round(value, 2) or 0.0
        return style.format(value) + ("*" if column == "peak_share" and value > 1.0 else "")
    text = str(value)
    if width_limit and len(text) > width_limit:
        text = text[:width_limit - 3] + "..."
    return text


def _summary_columns(report):
    wanted = SUMMARY_COLUMNS.get(report.kind, report.columns)
    # drop columns with no value in any row (e.g. power off a Jetson)
    return [c for c in wanted if any(row.get(c) is not None for row in report.rows)]


def _header(column):
    return _FORMATS[column][0] if column in _FORMATS else column


def format_table(report, reason_width=60):
    """The summary columns as an aligned plain-text table."""
    columns = _summary_columns(report)
    rows = [[format_value(c, row.get(c), reason_width) for c in columns] for row in report.rows]
    footer = []
    peak = report.peak_gflops
    if peak:
        footer.append("share of peak: of {:.1f} GFLOP/s, the best float32 matrix product "
                      "measured in this run ({})".format(peak, _peak_text(report)))
        footer += _over_peak_note(report)
    return format_grid([_header(c) for c in columns], rows,
                       right=[i for i, c in enumerate(columns) if i and _numeric(c)],
                       footer=footer)


def _over_peak_note(report):
    """Why a share is above 100 %, for the rows where it is (empty when none is)."""
    over = [row for row in report.rows if is_number(row.get("peak_share"))
            and row["peak_share"] > 1.0]
    if not over:
        return []
    lines = []
    if any(row.get("precision") in ("fp16", "int8") for row in over):
        lines.append("* above 100 %: FP16/INT8 operations counted as FLOPs against the float32 "
                     "peak (a lower precision can beat float32's best)")
    if any(row.get("precision") not in ("fp16", "int8") for row in over):
        lines.append("* above 100 %: a float32 row beat this run's best matrix product (the "
                     "machine was busier, or clocked lower, while the peak was measured)")
    return lines


def _numeric(column):
    return column in _FORMATS


def _peak_text(report):
    parts = []
    for name, p in sorted(report.peaks.items()):
        if not p or not p.get("gflops"):
            continue
        if name == "theoretical":
            parts.append("paper peak ~{:.0f}: {} lanes x 2 x {} FMA units x {} cores x {:.0f} "
                         "MHz".format(p["gflops"], p["lanes"], p["fma_units"], p["cores"],
                                      p["mhz"]))
        else:
            parts.append("{} {:.1f}{}".format(name, p["gflops"], " at n={}".format(p["n"])
                                              if p.get("n") else ""))
    return ", ".join(parts)


def _environment_lines(report):
    env = report.environment
    lines = ["- machine: {} ({} cores, {} usable), load average {}".format(
        env.get("cpu"), env.get("cpu_cores"), env.get("cpu_cores_usable"),
        " ".join("{:.2f}".format(v) for v in env.get("load_average") or []))]
    if env.get("gpus"):
        lines.append("- GPU: {}".format(", ".join(env["gpus"])))
    jetson = env.get("jetson")
    if jetson:
        lines.append("- Jetson: {} L4T {}, power mode {}, clocks pinned: CPU {} GPU {}".format(
            jetson.get("model"), jetson.get("l4t"), jetson.get("power_mode"),
            (jetson.get("clocks") or {}).get("cpu_pinned"),
            (jetson.get("clocks") or {}).get("gpu_pinned")))
    versions = ["{} {}".format(k, env[k]) for k in ("python", "numpy", "opencv", "torch",
                                                     "onnxruntime", "tensorrt") if env.get(k)]
    lines.append("- software: " + ", ".join(versions))
    if report.peak_gflops:
        lines.append("- float32 matrix-product peak: {:.1f} GFLOP/s ({})".format(
            report.peak_gflops, _peak_text(report)))
    settings = ", ".join("{} {}".format(k, ", ".join(str(i) for i in v)
                                     if isinstance(v, (list, tuple)) else v)
                         for k, v in sorted(report.settings.items()) if v is not None)
    if settings:
        lines.append("- settings: " + settings)
    return lines


def format_markdown(report, title=None):
    """The environment as a list and the summary columns as a Markdown table."""
    columns = _summary_columns(report)
    lines = ["## {}".format(title or "{} benchmark".format(report.kind.capitalize())), ""]
    lines += _environment_lines(report) + [""]
    lines.append("| " + " | ".join(_header(c) for c in columns) + " |")
    lines.append("|" + "|".join("---:" if _numeric(c) else "---" for c in columns) + "|")
    for row in report.rows:
        cells = [_markdown_cell(format_value(c, row.get(c))) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    notes = _over_peak_note(report)
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def _markdown_cell(text):
    """A table cell: one line, pipes escaped, and a code span cut open by the one-line cap of a
    reason (``first_line``) closed, so the rest of the row does not render as code."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text + "`" if text.count("`") % 2 else text


def _json_ready(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return dict((k, _json_ready(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def write_reports(report, out_dir, plots=True):
    """Write ``<kind>.json``, ``.csv``, ``.md`` (each atomically) and the PNG plots into
    ``out_dir``, creating it.

    Returns {"json": path, "csv": path, "markdown": path, "plots": [paths]}.
    """
    stem = os.path.join(out_dir, report.kind)
    paths = {"json": stem + ".json", "csv": stem + ".csv", "markdown": stem + ".md", "plots": []}
    write_json_atomic(paths["json"], _json_ready(report.to_dict()), sort_keys=False)
    with atomic_path(paths["csv"]) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(report.columns)
        for row in report.rows:
            writer.writerow(["" if row.get(c) is None else _json_ready(row.get(c))
                             for c in report.columns])
    write_atomic(paths["markdown"], format_markdown(report))
    if plots:
        from .plots import draw_plots
        paths["plots"] = draw_plots(report, out_dir)
    logger.info("wrote %s, %s, %s and %d plots", paths["json"], paths["csv"], paths["markdown"],
                len(paths["plots"]))
    return paths
