"""Learning-rate schedules, stepped once per epoch: poly, step, cosine, constant.

Each is a factor of the base learning rate at a 0-based epoch. ``step`` multiplies by
``gamma`` (0.1) every ``step_size`` epochs; the original code's decay multiplied by 1e-7.
"""

import math

from torch.optim.lr_scheduler import LambdaLR

from ..errors import TrainingError

__all__ = ["poly_factor", "step_factor", "cosine_factor", "lr_factor", "make_scheduler",
           "apply_schedule"]


def poly_factor(epoch, epochs, power=0.9):
    """``(1 - epoch / epochs) ** power``: 1 at the start, near 0 in the last epoch."""
    return max(0.0, 1.0 - float(epoch) / epochs) ** power


def step_factor(epoch, step_size, gamma=0.1):
    """``gamma ** (epoch // step_size)``."""
    return gamma ** (epoch // step_size)


def cosine_factor(epoch, epochs, floor=0.0):
    """Half a cosine from 1 down to ``floor`` over ``epochs``."""
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))


def lr_factor(name, epoch, epochs, power=0.9, step_size=100, gamma=0.1):
    """The factor of schedule ``name`` at 0-based ``epoch`` of ``epochs``."""
    if name == "poly":
        return poly_factor(epoch, epochs, power)
    if name == "step":
        return step_factor(epoch, step_size, gamma)
    if name == "cosine":
        return cosine_factor(epoch, epochs)
    if name == "constant":
        return 1.0
    raise TrainingError("unknown schedule {!r}; choose from poly, step, cosine, constant".format(
        name))


def make_scheduler(optimizer, config):
    """A ``LambdaLR`` following ``config.schedule``; call ``.step()`` after each epoch."""
    step_size = int(config.lr_step)  # >= 1: TrainConfig refuses 0

    # A plain function: LambdaLR saves no state for it, so a resumed run follows its own
    # config (e.g. more epochs) instead of the schedule stored in the checkpoint.
    def factor(epoch):
        return lr_factor(config.schedule, epoch, config.epochs, config.poly_power, step_size,
                         config.lr_gamma)

    return LambdaLR(optimizer, factor)


def apply_schedule(optimizer, scheduler, config):
    """After loading saved states: base LR ``config.lr`` and this epoch's LR from the schedule.

    With unchanged options this reproduces the saved values exactly (same arithmetic).
    """
    scheduler.base_lrs = [config.lr for _ in optimizer.param_groups]
    for group, base in zip(optimizer.param_groups, scheduler.base_lrs):
        group["lr"] = base * scheduler.lr_lambdas[0](scheduler.last_epoch)
