"""``overfit=N`` (``--overfit N``): can the pipeline memorise N frames? A check worth running
before GPU hours are spent.

It trains on the first N train frames, without augmentation, and validates on the same N
frames, with a constant, higher learning rate (see
``config.OVERFIT_DEFAULTS``). An overfit epoch passes over the N frames ``repeats(N)`` times, so
it holds about ``FRAMES_PER_EPOCH`` frames and the per-epoch work (validation, checkpoint, plots)
stays small next to the training. The run stops at the first epoch that reaches
``TARGET`` global pixel accuracy (passed) or after its epochs (failed: ``TrainingError``).
"""

import logging

from ..errors import TrainingError

__all__ = ["TARGET", "FRAMES_PER_EPOCH", "repeats", "reached", "check_result"]

logger = logging.getLogger(__name__)

TARGET = 0.95
FRAMES_PER_EPOCH = 100


def repeats(frames):
    """How many passes over ``frames`` frames one overfit epoch makes (>= 1)."""
    return max(1, -(-FRAMES_PER_EPOCH // int(frames)))


def reached(row):
    """True if a history row's val pixel accuracy meets ``TARGET``."""
    value = row["val_pixel_accuracy"]
    return value is not None and value >= TARGET


def check_result(history, frames, epochs):
    """Log the pass, or raise ``TrainingError`` saying what was reached."""
    rows = history.rows
    best = max((row["val_pixel_accuracy"] for row in rows), default=float("nan"))
    if rows and reached(rows[-1]):
        logger.info("overfit check passed: %.2f %% pixel accuracy on the %d train frame(s) after "
                    "%d epoch(s) (needed %.0f %%)", 100 * rows[-1]["val_pixel_accuracy"], frames,
                    rows[-1]["epoch"], 100 * TARGET)
        return
    raise TrainingError("overfit check failed: {:.2f} % pixel accuracy at best on the {} train "
                        "frame(s) after {} epoch(s), {:.0f} % needed (check labels, class weights "
                        "and --lr, or give more --epochs)".format(100 * best, frames, epochs,
                                                                  100 * TARGET))
