"""What ``train`` returns: the best epoch, its metrics, the wall time and the files written."""

__all__ = ["TrainResult"]


class TrainResult(object):
    """Outcome of ``train``. ``files`` maps a role (``last``, ``best``, ``history``, ``loss_plot``,
    ``miou_plot``, ``confusion_val``, ``confusion_train``) to the path written (rank 0 only)."""

    def __init__(self, out_dir, history, epochs_run, wall_seconds, files, is_main=True):
        self.out_dir = out_dir
        self.history = history
        self.epochs_run = epochs_run
        self.wall_seconds = wall_seconds
        self.files = dict(files)
        self.is_main = is_main

    @property
    def best(self):
        """The history row of the best epoch by validation mIoU (a dict), or None."""
        return self.history.best()

    @property
    def best_epoch(self):
        return None if self.best is None else self.best["epoch"]

    @property
    def best_miou(self):
        return None if self.best is None else self.best["val_miou"]

    @property
    def epochs_done(self):
        return len(self.history.rows)

    def format_table(self):
        """A plain-text summary table for the console."""
        lines = ["training finished: {} epochs done ({} in this run), wall time {:.1f} s".format(
            self.epochs_done, len(self.epochs_run), self.wall_seconds)]
        best = self.best
        if best is not None:
            lines += [
                _line("best epoch", "{} of {}".format(best["epoch"], self.epochs_done)),
                _line("val mIoU", _percent(best["val_miou"])),
                _line("val mean class acc", _percent(best["val_mean_class_accuracy"])),
                _line("val global acc", _percent(best["val_pixel_accuracy"])),
                _line("val loss", "{:.4f}".format(best["val_loss"])),
            ]
        lines.append(_line("train seconds", "{:.1f} (all epochs, from history)".format(
            sum(row["seconds"] or 0.0 for row in self.history.rows))))
        for role in ("best", "last", "history", "loss_plot", "miou_plot", "confusion_val",
                     "confusion_train"):
            if role in self.files:
                lines.append(_line(role.replace("_", " "), self.files[role]))
        return "\n".join(lines)

    def __repr__(self):
        return "TrainResult(best_epoch={}, best_miou={}, out_dir={!r})".format(
            self.best_epoch, self.best_miou, self.out_dir)


def _line(name, value):
    return "  {:<20} {}".format(name, value)


def _percent(value):
    return "n/a" if value is None or value != value else "{:.2f} %".format(100.0 * value)
