"""The optimizer, with weight decay really applied (the original code silently dropped it).

``adam``: ``torch.optim.Adam(weight_decay=wd)``, L2 added to the gradient (what the original
meant to do); ``adamw``: decoupled weight decay; ``sgd``: with momentum (0.9 unless set). Only
SGD has a momentum option: Adam's betas play that part, and the config refuses ``momentum`` there.
"""

import torch

from ..errors import TrainingError

__all__ = ["make_optimizer", "apply_options"]


def make_optimizer(parameters, config):
    """The optimizer ``config.optimizer`` over ``parameters``."""
    name = config.optimizer
    if name == "adam":
        return torch.optim.Adam(parameters, lr=config.lr, weight_decay=config.weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=config.lr, momentum=config.momentum,
                               weight_decay=config.weight_decay)
    raise TrainingError("unknown optimizer {!r}; choose from adam, adamw, sgd".format(name))


def apply_options(optimizer, config):
    """Put ``config``'s weight decay (and SGD momentum) back after ``load_state_dict``, which
    restores the saved ones: options given on resume win."""
    for group in optimizer.param_groups:
        group["weight_decay"] = config.weight_decay
        if "momentum" in group and config.momentum is not None:
            group["momentum"] = config.momentum
