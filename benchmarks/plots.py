"""PNG plots of benchmark reports: latency per backend, FPS against input size, accuracy vs speed.

FPS against input size needs two sizes or more; with one the report gets ``<kind>_fps.png``, a
bar per model, backend and precision at that size, instead of a line plot of single points.

matplotlib is imported inside ``draw_plots`` with the Agg backend (no display needed, works over
SSH on a Jetson); without matplotlib the plots are skipped with a log line.
"""

import logging
import os

__all__ = ["draw_plots", "PLOTS"]

logger = logging.getLogger(__name__)

#: report kind -> plots drawn for it ("fps_vs_size" becomes "fps" when the rows have one size)
PLOTS = {"latency": ("latency", "fps_vs_size"), "accuracy": ("latency", "accuracy_vs_speed")}


def _label(row):
    if row.get("variant"):
        return row["variant"]
    parts = [row.get("model"), row.get("backend"), row.get("precision"), row.get("size")]
    return " ".join(str(p) for p in parts if p)


def _area(size):
    width, height = (int(v) for v in size.split("x"))
    return width * height


def _plot_latency(plt, rows, path, title):
    labels = [_label(r) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.5))
    positions = list(range(len(rows)))
    ax.barh(positions, [r["mean_ms"] for r in rows],
            xerr=[r.get("std_ms") or 0.0 for r in rows], color="#4878a8", capsize=3)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("latency per frame (ms, mean +- std)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _series_label(row):
    return " ".join(str(p) for p in (row.get("model"), row.get("backend"), row.get("precision"),
                                     "batch {}".format(row["batch"])))


def _plot_fps(plt, rows, path, title):
    labels = [_series_label(r) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.5))
    positions = list(range(len(rows)))
    bars = ax.barh(positions, [r["fps"] for r in rows], color="#55a868")
    for bar, row in zip(bars, rows):
        ax.annotate("{:.1f}".format(row["fps"]), (bar.get_width(), bar.get_y() +
                                                  bar.get_height() / 2),
                    textcoords="offset points", xytext=(3, 0), va="center", fontsize=8)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("FPS at {}".format(rows[0]["size"]))
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_fps_vs_size(plt, rows, path, title):
    series = {}
    for row in rows:
        series.setdefault(_series_label(row), []).append((_area(row["size"]) / 1e6, row["fps"], row["size"]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, points in sorted(series.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=key)
        for x, y, size in points:
            ax.annotate(size, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xlabel("input size (megapixels)")
    ax.set_ylabel("FPS")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_accuracy_vs_speed(plt, rows, path, title):
    rows = [r for r in rows if r.get("miou") is not None]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter([r["fps"] for r in rows], [r["miou"] for r in rows], color="#c44e52")
    for row in rows:
        ax.annotate(_label(row), (row["fps"], row["miou"]), textcoords="offset points",
                    xytext=(4, 4), fontsize=8)
    ax.set_xlabel("FPS")
    ax.set_ylabel("mIoU (%)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


_DRAW = {"latency": (_plot_latency, "latency per backend"),
         "fps": (_plot_fps, "FPS per backend"),
         "fps_vs_size": (_plot_fps_vs_size, "FPS against input size"),
         "accuracy_vs_speed": (_plot_accuracy_vs_speed, "accuracy against speed")}


def draw_plots(report, out_dir):
    """Draw the report kind's plots of its ok rows into ``out_dir``; returns the PNG paths."""
    rows = [r for r in report.ok_rows() if r.get("mean_ms") is not None]
    if not rows:
        logger.info("no successful rows: no plots")
        return []
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        logger.warning("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    paths = []
    one_size = len(set(r.get("size") for r in rows)) == 1
    for name in PLOTS.get(report.kind, ("latency",)):
        if name == "fps_vs_size" and one_size:
            name = "fps"
        draw, title = _DRAW[name]
        path = os.path.join(out_dir, "{}_{}.png".format(report.kind, name))
        draw(plt, rows, path, "{} ({})".format(title, report.kind))
        paths.append(path)
    return paths
