"""Segmentation metrics from a confusion matrix; numpy only, so a Jetson can score any backend.

``ConfusionMatrix`` counts (ground truth, prediction) pixel pairs over the real classes: void in
the ground truth is skipped, a prediction outside 0..C-1 counts as wrong (a false negative of
the true class, nobody's false positive). From it: per-class IoU = TP / (TP + FP + FN), mIoU,
per-class accuracy (recall) = TP / (TP + FN), mean class accuracy, global pixel accuracy. Classes
absent from both ground truth and prediction are NaN and left out of the means, as
cityscapesscripts does.

With instance maps (Cityscapes ``instanceIds``: ``labelId * 1000 + k``, ids above 1000 are
objects) it also computes Cityscapes' instance-weighted iIoU like
``cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling``: for each object of an instance
class, TP and FN are weighted by ``avgClassSize / objectSize``; FP stay unweighted pixel counts.

Note on the original LinkNet README: its CamVid "IoU 69.10 / iIoU 55.83" are, in its code, the
mean class accuracy and the mean IoU respectively (neither is Cityscapes' iIoU). Compare our
``mean_class_accuracy`` with its "IoU" and our ``miou`` with its "iIoU".
"""

import math

import numpy as np

from .tables import format_grid

__all__ = ["ConfusionMatrix", "score_predictions", "format_table", "summary_to_json",
           "CITYSCAPES_INSTANCE_SIZES", "CITYSCAPES_REFERENCE_AREA"]

#: Average object size in pixels at 2048x1024 (cityscapesscripts' ``avgClassSize``).
CITYSCAPES_INSTANCE_SIZES = {
    "bicycle": 4672.3249222261, "caravan": 36771.8241758242, "motorcycle": 6298.7200839748,
    "rider": 3930.4788056518, "bus": 35732.1511111111, "train": 67583.7075812274,
    "car": 12794.0202738185, "person": 3462.4756337644, "truck": 27855.1264367816,
    "trailer": 16926.9763313609,
}
#: Pixels of a full-resolution Cityscapes frame, the resolution the average sizes refer to.
CITYSCAPES_REFERENCE_AREA = 2048 * 1024


class ConfusionMatrix(object):
    """Accumulates pixel counts; ``summary()`` turns them into metrics.

    ``class_names`` with ``instance_sizes`` (name -> average object size in pixels, default the
    Cityscapes table) name the instance classes for iIoU. With ``reference_area`` set, the average
    sizes are scaled by (pixels of the scored map) / reference_area, so iIoU of downscaled frames
    weighs objects as at full resolution; None (the default) uses them as given, like
    cityscapesscripts.
    """

    def __init__(self, num_classes, ignore_index=None, class_names=None, instance_sizes=None,
                 reference_area=None):
        self.num_classes = int(num_classes)
        self.ignore_index = ignore_index
        # column C collects predictions outside the classes
        self.counts = np.zeros((self.num_classes, self.num_classes + 1), dtype=np.int64)
        sizes = CITYSCAPES_INSTANCE_SIZES if instance_sizes is None else instance_sizes
        self.instance_sizes = np.array([sizes.get(n, np.nan) for n in class_names] if class_names
                                       else [np.nan] * self.num_classes, dtype=np.float64)
        self.reference_area = reference_area
        self.instance_tp = np.zeros(self.num_classes, dtype=np.float64)   # weighted
        self.instance_fn = np.zeros(self.num_classes, dtype=np.float64)   # weighted
        self.has_instances = False

    @property
    def matrix(self):
        """C x C counts: row = ground truth class, column = predicted class."""
        return self.counts[:, :self.num_classes]

    def update(self, pred, target, instances=None):
        """Add one (or a batch of) prediction/ground-truth maps of the same shape."""
        pred, target = np.asarray(pred), np.asarray(target)
        if pred.shape != target.shape:
            raise ValueError("prediction shape {} differs from ground truth {}".format(
                pred.shape, target.shape))
        classes = self.num_classes
        t = target.ravel().astype(np.int64)
        p = pred.ravel().astype(np.int64)
        valid = (t >= 0) & (t < classes)
        stray = ~valid & (t != (-1 if self.ignore_index is None else self.ignore_index))
        if stray.any():
            raise ValueError("ground truth values {} are neither classes 0..{} nor void {}".format(
                np.unique(t[stray])[:8].tolist(), classes - 1, self.ignore_index))
        p = np.where((p >= 0) & (p < classes), p, classes)
        self.counts += np.bincount(t[valid] * (classes + 1) + p[valid],
                                   minlength=classes * (classes + 1)).reshape(classes, classes + 1)
        if instances is not None:
            instances = np.asarray(instances)
            if instances.shape != target.shape:
                raise ValueError("instance map shape {} differs from ground truth {}".format(
                    instances.shape, target.shape))
            self.has_instances = True
            if target.ndim == 2:
                self._update_instances(pred, target, instances)
            for k in range(target.shape[0] if target.ndim == 3 else 0):
                self._update_instances(pred[k], target[k], instances[k])   # ids are per frame

    def _update_instances(self, pred, target, instances):
        # cityscapesscripts takes ids > 1000 as objects (labelId * 1000 + k)
        objects = instances.ravel() > 1000
        ids, first, inverse = np.unique(instances.ravel()[objects], return_index=True,
                                        return_inverse=True)
        if not ids.size:
            return
        truth = target.ravel()[objects].astype(np.int64)
        cls = truth[first]
        hits = pred.ravel()[objects] == cls[inverse]
        sizes = np.bincount(inverse).astype(np.float64)
        tp = np.bincount(inverse, weights=hits.astype(np.float64), minlength=ids.size)
        avg = np.full(cls.shape, np.nan)
        real = (cls >= 0) & (cls < self.num_classes)
        avg[real] = self.instance_sizes[cls[real]]
        keep = ~np.isnan(avg)   # objects of instance classes (void ones, e.g. caravan, skipped)
        if self.reference_area:
            avg *= target.size / float(self.reference_area)
        weight = avg[keep] / sizes[keep]
        np.add.at(self.instance_tp, cls[keep], tp[keep] * weight)
        np.add.at(self.instance_fn, cls[keep], (sizes[keep] - tp[keep]) * weight)

    def summary(self):
        """Metrics as a dict of floats (0-1; NaN where undefined) and per-class lists."""
        counts = self.counts.astype(np.float64)
        tp = np.diag(counts)
        gt = counts.sum(axis=1)
        fp = counts[:, :self.num_classes].sum(axis=0) - tp
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = tp / (gt + fp)
            accuracy = tp / gt
            result = {
                "pixels": int(gt.sum()),
                "iou": iou.tolist(), "miou": _nanmean(iou),
                "class_accuracy": accuracy.tolist(), "mean_class_accuracy": _nanmean(accuracy),
                "pixel_accuracy": float(tp.sum() / gt.sum()) if gt.sum() else float("nan"),
                "iiou": None, "miiou": None,
            }
            if self.has_instances:
                iiou = self.instance_tp / (self.instance_tp + fp + self.instance_fn)
                iiou[np.isnan(self.instance_sizes)] = np.nan
                result["iiou"], result["miiou"] = iiou.tolist(), _nanmean(iiou)
        return result


def _nanmean(values):
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else float("nan")


def score_predictions(pairs, num_classes, ignore_index=None, class_names=None, **options):
    """A filled ``ConfusionMatrix`` from an iterable of (pred, target[, instances]) maps."""
    matrix = ConfusionMatrix(num_classes, ignore_index, class_names=class_names, **options)
    for item in pairs:
        matrix.update(*item)
    return matrix


def _json_number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def summary_to_json(summary, class_names):
    """A JSON-ready copy: NaN -> null, plus ``classes``: per-class values keyed by class name.

    ``format_table`` reads this form as well as the raw summary.
    """
    out = {key: _json_number(summary[key]) for key in
           ("pixels", "miou", "mean_class_accuracy", "pixel_accuracy", "miiou")}
    for key in ("iou", "class_accuracy", "iiou"):
        out[key] = None if summary[key] is None else [_json_number(v) for v in summary[key]]
    out["classes"] = {}
    for i, name in enumerate(class_names):
        out["classes"][name] = {
            "iou": _json_number(summary["iou"][i]),
            "accuracy": _json_number(summary["class_accuracy"][i]),
            "iiou": _json_number(summary["iiou"][i]) if summary["iiou"] is not None else None,
        }
    return out


def _percent(value):
    return "-" if value is None or math.isnan(value) else "{:.1f}".format(100.0 * value)


def format_table(summary, class_names):
    """The metrics as a plain-text table (percentages): per class, then the means."""
    instances = summary["iiou"] is not None
    header = ["class", "IoU", "Acc"] + (["iIoU"] if instances else [])
    rows = []
    for i, name in enumerate(class_names):
        row = [name, _percent(summary["iou"][i]), _percent(summary["class_accuracy"][i])]
        rows.append(row + ([_percent(summary["iiou"][i])] if instances else []))
    means = [("mean IoU", _percent(summary["miou"]), ""),
             ("mean class accuracy", "", _percent(summary["mean_class_accuracy"])),
             ("pixel accuracy", "", _percent(summary["pixel_accuracy"]))]
    if instances:
        means.append(("mean iIoU", "", "", _percent(summary["miiou"])))
    width = max([len(n) for n in class_names] + [20])
    rows = [[row[0].ljust(width)] + row[1:] for row in rows]
    table = format_grid([header[0].ljust(width)] + header[1:], rows + [[]] + [
        [m[0].ljust(width)] + list(m[1:]) for m in means], right=range(1, len(header)))
    return table
