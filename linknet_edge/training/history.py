"""The per-epoch training log: rows kept in memory (and in checkpoints), written as CSV.

Columns: epoch, train_loss, val_loss, val_miou, val_mean_class_accuracy, val_pixel_accuracy
(global accuracy), lr, seconds. Metrics are fractions (0-1). The whole file is rewritten
atomically after each epoch, so a resumed run's CSV holds exactly the epochs its checkpoint has.
"""

import csv

from ..atomic import atomic_path

__all__ = ["TrainingHistory", "COLUMNS"]

COLUMNS = ("epoch", "train_loss", "val_loss", "val_miou", "val_mean_class_accuracy",
           "val_pixel_accuracy", "lr", "seconds")


class TrainingHistory(object):
    """Epoch rows (dicts keyed by ``COLUMNS``) with the best epoch by validation mIoU."""

    def __init__(self, rows=None):
        self.rows = [dict(row) for row in (rows or [])]

    def append(self, **values):
        self.rows.append({name: values.get(name) for name in COLUMNS})

    def column(self, name):
        return [row[name] for row in self.rows]

    def best(self):
        """The row with the highest ``val_miou`` (the first of equals; NaN never wins), or None."""
        best = None
        for row in self.rows:
            value = row["val_miou"]
            if value is not None and value == value and (best is None or value > best["val_miou"]):
                best = row
        return best

    def to_list(self):
        """Plain rows for a checkpoint."""
        return [dict(row) for row in self.rows]

    def write_csv(self, path):
        with atomic_path(path) as tmp:
            with open(tmp, "w") as handle:
                writer = csv.writer(handle)
                writer.writerow(COLUMNS)
                for row in self.rows:
                    writer.writerow([_format(row[name]) for name in COLUMNS])
        return path


def _format(value):
    if isinstance(value, float):
        return "{:.6g}".format(value)
    return "" if value is None else str(value)
