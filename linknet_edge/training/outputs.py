"""The run's output folder: checked before any data is read, swept of what a killed run left,
and its logs, which are a function of the checkpoint's state alone.

Per epoch the trainer writes the checkpoints first (``best.pt``, ``epoch_NNN.pt``, then
``last.pt``) and the logs after them (``write_logs``: ``history.csv``, ``loss.png``,
``miou.png``, the confusion plots of the best epoch). A kill between the two leaves logs one
epoch behind ``last.pt``, never ahead of it, and ``--resume`` rewrites them from ``last.pt``.
"""

import os

from ..atomic import check_writable, sweep_stale_temps
from .plots import plot_confusion, plot_losses, plot_metrics

__all__ = ["prepare_output_folder", "write_logs"]


def prepare_output_folder(out):
    """Prove ``out`` writable (one ``OutputError`` line otherwise), create it, and remove the
    temporary files of a killed run there."""
    os.makedirs(check_writable(out, "--out", folder=True), exist_ok=True)
    sweep_stale_temps(out)


def write_logs(out, state, class_names):
    """Rewrite the CSV and plots of ``state`` (a ``TrainingState``) in ``out``."""
    history = state.history
    if not history.rows:
        return
    history.write_csv(os.path.join(out, "history.csv"))
    plot_losses(history, os.path.join(out, "loss.png"))
    plot_metrics(history, os.path.join(out, "miou.png"))
    best = history.best()
    for name, title in (("val", "val"), ("train", "train (augmented)")):
        counts = state.best_confusion.get(name)
        if counts is not None and best is not None:
            plot_confusion(counts, class_names, os.path.join(out, "confusion_{}.png".format(name)),
                           "{}, epoch {} (best.pt)".format(title, best["epoch"]))
