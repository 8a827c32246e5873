"""How closely two runs of a model agree: logit errors and class-map agreement. numpy only.

Used to compare ONNX Runtime with PyTorch (FP32 export check) and reduced-precision ONNX files
(FP16, INT8) with their FP32 source.
"""

import numpy as np

__all__ = ["Agreement", "compare_logits"]


class Agreement(object):
    """Numbers from comparing candidate logits (N, C, H, W) with reference logits.

    ``max_abs_error`` and ``mean_abs_error`` are in logit units over finite values;
    ``relative_error`` is ``max_abs_error`` divided by the reference's logit range (max - min);
    ``pixel_agreement`` is the fraction of pixels whose argmax class is the same;
    ``nonfinite`` counts inf/NaN candidate values (an FP16 overflow shows up here).
    """

    def __init__(self, max_abs_error, mean_abs_error, logit_range, pixel_agreement, pixels,
                 nonfinite=0):
        self.max_abs_error = float(max_abs_error)
        self.mean_abs_error = float(mean_abs_error)
        self.logit_range = float(logit_range)
        self.pixel_agreement = float(pixel_agreement)
        self.pixels = int(pixels)
        self.nonfinite = int(nonfinite)

    @property
    def relative_error(self):
        return self.max_abs_error / self.logit_range if self.logit_range > 0 else float("inf")

    def to_dict(self):
        return {"max_abs_error": self.max_abs_error, "mean_abs_error": self.mean_abs_error,
                "logit_range": self.logit_range, "relative_error": self.relative_error,
                "pixel_agreement": self.pixel_agreement, "pixels": self.pixels,
                "nonfinite": self.nonfinite}

    def rows(self, label=""):
        """Table rows ``(quantity, value)`` for a report."""
        prefix = label + " " if label else ""
        return [
            (prefix + "pixel agreement", "{:.4%} of {} pixels".format(self.pixel_agreement,
                                                                    self.pixels)),
            (prefix + "max |logit error|", "{:.3g} ({:.2g} of logit range {:.3g})".format(
                self.max_abs_error, self.relative_error, self.logit_range)),
            (prefix + "mean |logit error|", "{:.3g}".format(self.mean_abs_error)),
            (prefix + "inf/NaN values", "{}{}".format(
                self.nonfinite, " (OVERFLOW)" if self.nonfinite else "")),
        ]


def compare_logits(reference, candidate):
    """An ``Agreement`` between two (N, C, H, W) logit arrays of the same shape."""
    reference = np.asarray(reference, dtype=np.float32)
    candidate = np.asarray(candidate, dtype=np.float32)
    if reference.shape != candidate.shape:
        raise ValueError("logit shapes differ: {} vs {}".format(reference.shape, candidate.shape))
    finite = np.isfinite(candidate)
    nonfinite = int(candidate.size - finite.sum())
    diff = np.abs(np.where(finite, candidate, 0.0) - reference)[finite]
    # a pixel with an inf/NaN logit counts as disagreeing, whatever argmax would make of it
    agree = (reference.argmax(axis=1) == np.where(finite, candidate, 0.0).argmax(axis=1)) \
        & finite.all(axis=1)
    return Agreement(
        max_abs_error=diff.max() if diff.size else float("inf"),
        mean_abs_error=diff.mean() if diff.size else float("inf"),
        logit_range=float(reference.max() - reference.min()),
        pixel_agreement=float(agree.mean()), pixels=agree.size, nonfinite=nonfinite)
