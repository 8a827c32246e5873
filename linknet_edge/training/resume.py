"""Training checkpoints (``last.pt``, ``best.pt``, ``epoch_NNN.pt``) and resuming from them.

A training checkpoint is a ``linknet_edge.weights.checkpoint`` file (written atomically, so a kill during
a write leaves the previous file intact) whose ``extra`` holds what an exact resume needs beyond
weights, optimizer and scheduler: the options, GradScaler, RNG states, loss weights, the epoch
rows and the best epoch's confusion matrices (so the logs can be rewritten from it).
Everything in it is tensors, numbers, strings and lists: it loads with ``weights_only=True``.
"""

import logging
import os

import numpy as np
import torch

from ..weights import load_checkpoint, load_weights, save_checkpoint
from ..errors import CheckpointError, SpecMismatch
from .config import DEFAULTS, TrainConfig
from .history import TrainingHistory
from .optimizers import apply_options
from .rng import capture_rng_states, restore_rng_states
from .schedules import apply_schedule

__all__ = ["TrainingState", "resume_path", "resumed_config", "save_training_checkpoint",
           "load_training_state", "load_initial_weights"]

logger = logging.getLogger(__name__)

#: Options a resumed run does not take from its checkpoint: they only start a run.
_NOT_INHERITED = ("resume", "init_weights", "pretrained_encoder", "progress")


class TrainingState(object):
    """Where a run stands: ``epoch`` (completed), ``history``, ``class_weights`` (or None) and
    the best epoch's val (and, with ``save_train_conf``, train) confusion counts (C x C)."""

    def __init__(self, epoch=0, history=None, class_weights=None, best_confusion=None):
        self.epoch = epoch
        self.history = history or TrainingHistory()
        self.class_weights = class_weights
        self.best_confusion = dict(best_confusion or {})  # "val"/"train" -> int64 array


def _resume_file(out, resume):
    path = os.path.join(out, "last.pt") if resume is True else str(resume)
    if not os.path.isfile(path):
        raise CheckpointError("{}: nothing to resume from (no such checkpoint; drop --resume to "
                              "start a new run)".format(path))
    return path


def resume_path(config):
    """The checkpoint ``config.resume`` names (True: ``<out>/last.pt``), or None."""
    if config.resume in (None, False, ""):
        return None
    return _resume_file(config.out, config.resume)


def resumed_config(options):
    """A ``TrainConfig`` from ``options`` (a dict or a ``TrainConfig``); when they resume a run,
    the options not given explicitly are the saved run's (its checkpoint's ``config``).

    ``--resume CKPT`` without ``out`` writes beside CKPT.
    """
    if isinstance(options, TrainConfig):
        options = {name: getattr(options, name) for name in options.given}
    given = {name: value for name, value in dict(options).items() if value is not None}
    resume = given.get("resume")
    if resume in (None, False, "") or given.get("init_weights"):
        return TrainConfig(**given)  # (which refuses init_weights with resume)
    resume = True if resume == "last" else resume
    path = _resume_file(given.get("out", dict(DEFAULTS)["out"]), resume)
    saved = load_checkpoint(path).extra.get("config") or {}
    merged = {name: value for name, value in saved.items()
              if name in TrainConfig.OPTIONS and name not in _NOT_INHERITED and value is not None}
    merged.update(given)
    merged.setdefault("out", os.path.dirname(path) or ".")
    return TrainConfig(**merged)


def load_initial_weights(path, model, spec):
    """Start a new run from the weights of checkpoint ``path`` (same architecture and classes;
    any input size: the network is fully convolutional)."""
    checkpoint = load_checkpoint(path)
    spec.check_compatible(checkpoint.spec, what=path)
    load_weights(getattr(model, "module", model), checkpoint.state_dict, source=path)
    height, width = checkpoint.spec.input_size
    logger.info("initial weights from %s (trained at %dx%d, %s)", path, width, height,
                "epoch {}".format(checkpoint.epoch) if checkpoint.epoch else "no epoch recorded")


def save_training_checkpoint(path, model, spec, optimizer, scheduler, scaler, state, config,
                             metrics):
    """Write a resumable checkpoint of completed epoch ``state.epoch``."""
    extra = {
        "config": config.to_dict(),
        "history": state.history.to_list(),
        "class_weights": torch.as_tensor(state.class_weights),
        "scaler": scaler.state_dict() if scaler.is_enabled() else None,
        "rng": capture_rng_states(),
        "torch_version": str(torch.__version__),
        "best_confusion": {name: torch.from_numpy(np.asarray(counts, dtype=np.int64))
                           for name, counts in state.best_confusion.items()},
    }
    return save_checkpoint(path, model, spec, optimizer=optimizer, scheduler=scheduler,
                           epoch=state.epoch, metrics=metrics, extra=extra)


def load_training_state(path, model, spec, optimizer, scheduler, scaler, config):
    """Load ``path`` into the freshly built objects and restore the RNG states.

    Refuses a checkpoint of another architecture, class list or input size.
    """
    checkpoint = load_checkpoint(path)
    spec.check_compatible(checkpoint.spec, what=path)
    if tuple(checkpoint.spec.input_size) != tuple(spec.input_size):
        raise SpecMismatch("{} was trained at {}x{} (WxH), this run asks for {}x{}: resume with "
                           "the same --size".format(path, checkpoint.spec.input_size[1],
                                                    checkpoint.spec.input_size[0],
                                                    spec.input_size[1], spec.input_size[0]))
    extra = checkpoint.extra
    if checkpoint.optimizer is None or "rng" not in extra or checkpoint.epoch is None:
        raise CheckpointError("{}: holds weights only, no training state to resume (start a new "
                              "run with --pretrained-encoder or from scratch)".format(path))
    load_weights(getattr(model, "module", model), checkpoint.state_dict, source=path)
    optimizer.load_state_dict(checkpoint.optimizer)
    scheduler.load_state_dict(checkpoint.scheduler)
    apply_options(optimizer, config)
    apply_schedule(optimizer, scheduler, config)
    if extra.get("scaler") is not None and scaler.is_enabled():
        scaler.load_state_dict(extra["scaler"])
    restore_rng_states(extra["rng"])
    _warn_changed_options(path, extra.get("config", {}), config)
    weights = extra.get("class_weights")
    logger.info("resuming from %s (epoch %d done)", path, checkpoint.epoch)
    confusion = {name: counts.numpy() for name, counts in
                 (extra.get("best_confusion") or {}).items()}
    return TrainingState(int(checkpoint.epoch), TrainingHistory(extra.get("history")),
                         None if weights is None else weights.numpy(), confusion)


def _warn_changed_options(path, saved, config):
    changed = ["{}={!r} (was {!r})".format(name, getattr(config, name), saved[name])
               for name in _RESULT_OPTIONS
               if name in saved and _plain(saved[name]) != _plain(getattr(config, name))]
    if changed:
        logger.warning("%s: resuming with changed options %s: the run will differ from an "
                       "uninterrupted one", path, ", ".join(changed))


def _plain(value):
    return list(value) if isinstance(value, (tuple, list)) else value


#: Options that change the trained weights (workers, output and progress options do not).
_RESULT_OPTIONS = ("dataset", "arch", "epochs", "batch_size", "lr", "weight_decay",
                   "optimizer", "momentum", "schedule", "poly_power", "lr_step", "lr_gamma",
                   "flip", "scale_range", "seed", "limit_train", "amp", "overfit")
