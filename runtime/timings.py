"""Per-stage timings of the live pipeline: a log line every few seconds and a summary table.

Every frame carries a dict of milliseconds per stage (capture, preprocess, infer, postprocess,
write) and ``latency`` (capture finished -> frame handed to its outputs). Batched stages report
their batch time divided by the batch size.
"""

import logging
import time
from array import array

import numpy as np

from linknet_edge.tables import format_grid

__all__ = ["PipelineTimings", "STAGES", "format_table", "format_streams_table"]

logger = logging.getLogger(__name__)

STAGES = ("capture", "preprocess", "infer", "postprocess", "write")
_COLUMNS = STAGES + ("latency",)


class PipelineTimings(object):
    """Collects frame timings; ``log_every`` seconds (None: never) logs the recent window."""

    def __init__(self, log_every=5.0, label="pipeline"):
        self.log_every = log_every
        self.label = label
        # one float64 array per column, not a dict per frame: a live run keeps every frame's
        # times for the summary's percentiles, and 8 bytes a value keeps that small for days
        self._values = {name: array("d") for name in _COLUMNS}
        self._frames = 0
        self._start = None
        self._window_start, self._window_rows = None, 0
        self._window_marks = {name: 0 for name in _COLUMNS}
        self.dropped = 0

    def start(self):
        self._start = self._window_start = time.perf_counter()

    def add(self, timings):
        if self._start is None:
            self.start()
        for name, values in self._values.items():
            if name in timings:
                values.append(timings[name])
        self._frames += 1
        self._window_rows += 1
        now = time.perf_counter()
        if self.log_every and now - self._window_start >= self.log_every:
            self._log_window(now)

    def _window_mean(self, name):
        """Mean over the window's frames; a frame without this stage counts as 0 ms."""
        return sum(self._values[name][self._window_marks[name]:]) / self._window_rows

    def _log_window(self, now):
        fps = self._window_rows / (now - self._window_start)
        parts = ["{} {:.1f}".format(s, self._window_mean(s)) for s in STAGES]
        logger.info("%s: %.1f FPS | %s ms | latency %.1f ms | dropped %d", self.label, fps,
                    " | ".join(parts), self._window_mean("latency"), self.dropped)
        self._window_start, self._window_rows = now, 0
        self._window_marks = {name: len(values) for name, values in self._values.items()}

    def summary(self):
        """``{"frames", "seconds", "fps", "dropped", "stages": {name: {mean, p50, p95, max}}}``;
        ``stages`` includes ``latency``."""
        seconds = time.perf_counter() - self._start if self._start is not None else 0.0
        stages = {}
        for name in _COLUMNS:
            values = np.array(self._values[name], dtype=np.float64)
            if len(values):
                stages[name] = {"mean": float(values.mean()),
                                "p50": float(np.percentile(values, 50)),
                                "p95": float(np.percentile(values, 95)),
                                "max": float(values.max())}
        frames = self._frames
        return {"frames": frames, "seconds": seconds,
                "fps": frames / seconds if seconds > 0 else 0.0,
                "dropped": self.dropped, "stages": stages}


def format_table(summary):
    """The summary as a plain-text table (ms per stage), then frames, FPS and drops."""
    rows = [[name] + ["{:.2f}".format(summary["stages"][name][k])
                      for k in ("mean", "p50", "p95", "max")]
            for name in _COLUMNS if summary["stages"].get(name)]
    footer = ["{} frames in {:.2f} s: {:.1f} FPS, {} dropped".format(
        summary["frames"], summary["seconds"], summary["fps"], summary["dropped"])]
    return format_grid(["stage (ms)", "mean", "p50", "p95", "max"], rows, right=(1, 2, 3, 4),
                       footer=footer)


def format_streams_table(summary):
    """Per-stream frames, FPS, drops and latency of a several-input summary (its ``streams``),
    then the total."""
    def latency(part, key):
        stage = part["stages"].get("latency")
        return "{:.1f}".format(stage[key]) if stage else "-"

    rows = [[str(n), part["source"], part["frames"], "{:.1f}".format(part["fps"]),
             part["dropped"], latency(part, "p50"), latency(part, "p95"),
             ", ".join(part.get("outputs") or ["none"])]
            for n, part in enumerate(summary["streams"])]
    rows.append(["total", "{} inputs".format(len(summary["streams"])), summary["frames"],
                 "{:.1f}".format(summary["fps"]), summary["dropped"],
                 latency(summary, "p50"), latency(summary, "p95"), ""])
    return format_grid(["stream", "input", "frames", "FPS", "dropped", "latency p50 (ms)",
                        "p95", "outputs"], rows, right=(2, 3, 4, 5, 6))
