"""``train(config)``: LinkNet training with exact resume, on CPU, one GPU or under torchrun.

Per epoch: train (augmented, class-weighted cross-entropy), step the schedule, validate, then
rank 0 writes the checkpoints (``best.pt`` when mIoU improves, ``epoch_NNN.pt`` every
``save_every``, ``last.pt``) and after them the logs (``history.csv``, ``loss.png``, ``miou.png``,
``confusion_val.png``; see outputs.py). SIGINT and SIGTERM stop a run with ``TrainingStopped``.
"""

import logging
import os
import sys
import time

import torch

from ..errors import TrainingError
from ..metrics import ConfusionMatrix
from ..model import build_model
from . import overfit
from .distributed import DistributedContext
from .loaders import open_training_data
from .loops import evaluate, make_grad_scaler, train_one_epoch
from .losses import class_weights, make_criterion
from .optimizers import make_optimizer
from .outputs import prepare_output_folder, write_logs
from .result import TrainResult
from .resume import (TrainingState, load_initial_weights, load_training_state, resume_path,
                     resumed_config, save_training_checkpoint)
from .rng import seed_everything
from .schedules import make_scheduler
from .signals import stop_on_sigterm, stopped
from .summary import applied_settings

__all__ = ["train", "Trainer", "OUTPUT_FILES"]

logger = logging.getLogger(__name__)

#: role -> file name in the output folder (``epoch_NNN.pt`` come on top with ``save_every``).
OUTPUT_FILES = (("best", "best.pt"), ("last", "last.pt"), ("history", "history.csv"),
                ("loss_plot", "loss.png"), ("miou_plot", "miou.png"),
                ("confusion_val", "confusion_val.png"), ("confusion_train", "confusion_train.png"))


def train(config, callbacks=()):
    """Train as ``config`` (a ``TrainConfig`` or a dict of its options) says; returns a
    ``TrainResult``. A resumed run takes the options not given from its checkpoint.

    ``callbacks`` are called as ``callback(event, info)``: ``"batch_end"`` after each optimizer
    step (info: epoch, batch, loss) and ``"epoch_end"`` once the epoch's files are written (info:
    epoch, row). Under torchrun every process calls ``train``; only rank 0 writes and logs.
    SIGINT or SIGTERM raise ``TrainingStopped`` (a KeyboardInterrupt) saying what is saved.
    ``overfit`` runs raise ``TrainingError`` when they miss ``overfit.TARGET``.
    """
    trainer = None
    try:
        with stop_on_sigterm():
            config = resumed_config(config)
            context = DistributedContext.from_environment(config.device)
            if not context.is_main:  # one log for the run: other ranks report warnings only
                logging.getLogger("linknet_edge").setLevel(logging.WARNING)
            previous = _set_determinism(config.deterministic, context.device)
            try:
                trainer = Trainer(config, context, callbacks)
                return trainer.run()
            finally:
                _restore_determinism(previous)
                context.close()
    except KeyboardInterrupt as exc:
        raise stopped(exc, trainer) from None


class Trainer(object):
    """One run: data, model, optimizer, schedule and (on resume) their saved state."""

    def __init__(self, config, context, callbacks=()):
        self.config, self.context, self.callbacks = config, context, list(callbacks)
        cuda = context.device.type == "cuda"
        self.amp = bool(config.amp) and cuda
        self.channels_last = bool(config.channels_last) and cuda
        if config.amp and not cuda:
            logger.warning("--amp ignored: mixed precision is used on CUDA devices only")
        tty = sys.stderr.isatty() if config.progress is None else bool(config.progress)
        self.show_progress = context.is_main and tty
        path = resume_path(config)
        if path is None and os.path.exists(os.path.join(config.out, "last.pt")):
            raise TrainingError("{}: already holds a training run (last.pt); continue it with "
                                "--resume or choose another --out".format(config.out))
        if context.is_main:  # before hours of work: a bad --out fails now
            prepare_output_folder(config.out)
        seed_everything(config.seed)
        self.data = open_training_data(config, context)
        self.spec = self.data.spec
        self.model = build_model(config.arch, self.spec.num_classes, **self.spec.arch_kwargs)
        self.model.to(context.device)
        if self.channels_last:
            self.model.to(memory_format=torch.channels_last)
        self.optimizer = make_optimizer(self.model.parameters(), config)
        self.scheduler = make_scheduler(self.optimizer, config)
        self.scaler = make_grad_scaler(self.amp)
        self.init = self._load_weights(path)
        self.saved_epoch = self.state.epoch
        if self.state.class_weights is None:
            self.state.class_weights = class_weights(self.data.class_frequencies())
        self.ignore_index = self.data.train_reader.ignore_index
        self.criterion = make_criterion(self.state.class_weights, self.ignore_index, context.device)
        self.parallel_model = context.wrap(self.model)

    def _load_weights(self, resume):
        """Set ``self.state``; returns where the weights came from, for the summary line."""
        config = self.config
        if resume is not None:
            self.state = load_training_state(resume, self.model, self.spec, self.optimizer,
                                             self.scheduler, self.scaler, config)
            return "resumed from {} (epoch {})".format(resume, self.state.epoch)
        self.state = TrainingState()
        if config.init_weights:
            load_initial_weights(config.init_weights, self.model, self.spec)
            return "from " + config.init_weights
        if config.pretrained_encoder:
            from ..weights import load_encoder_weights
            load_encoder_weights(self.model, config.pretrained_encoder)
            return "encoder from " + config.pretrained_encoder
        return "random init (seed {})".format(config.seed)

    def run(self):
        """Train the remaining epochs; returns a ``TrainResult``."""
        config, context = self.config, self.context
        start = time.time()
        if context.is_main:
            self._log_start()
            if self.state.epoch:  # logs of a killed run may lag last.pt by an epoch
                write_logs(config.out, self.state, self.spec.class_names)
        epochs_run = []
        for epoch in range(self.state.epoch + 1, config.epochs + 1):
            if config.overfit and self.state.history.rows and \
                    overfit.reached(self.state.history.rows[-1]):
                break
            self._run_epoch(epoch)
            epochs_run.append(epoch)
        if not epochs_run and context.is_main:
            logger.info("nothing to train: %d of %d epochs already done", self.state.epoch,
                        config.epochs)
        context.barrier()
        files = {}
        if context.is_main:
            files = {role: os.path.join(config.out, name) for role, name in OUTPUT_FILES
                     if os.path.isfile(os.path.join(config.out, name))}
        if config.overfit:
            overfit.check_result(self.state.history, len(self.data.train_reader),
                                 self.state.epoch)
        return TrainResult(config.out, self.state.history, epochs_run, time.time() - start, files,
                           context.is_main)

    def _run_epoch(self, epoch):
        config, context = self.config, self.context
        started = time.time()
        self.data.set_epoch(epoch)
        lr = self.optimizer.param_groups[0]["lr"]
        train_confusion = None
        if config.save_train_conf:
            train_confusion = ConfusionMatrix(self.spec.num_classes, self.ignore_index)
        train_loss = train_one_epoch(
            self.parallel_model, self.data.train_loader, self.criterion, self.optimizer,
            self.scaler, context, epoch, self.amp, self.channels_last, train_confusion,
            self.show_progress,
            lambda batch, loss: self._notify("batch_end", epoch=epoch, batch=batch, loss=loss))
        self.scheduler.step()
        context.broadcast_buffers(self.model)
        val_loss, val_confusion = evaluate(
            self.model, self.data.val_loader, self.criterion, context, self.spec.num_classes,
            self.ignore_index, self.amp, self.channels_last, self.show_progress,
            "epoch {} val".format(epoch))
        summary = val_confusion.summary()
        history = self.state.history
        history.append(epoch=epoch, train_loss=train_loss, val_loss=val_loss,
                       val_miou=summary["miou"],
                       val_mean_class_accuracy=summary["mean_class_accuracy"],
                       val_pixel_accuracy=summary["pixel_accuracy"], lr=lr,
                       seconds=time.time() - started)
        self.state.epoch = epoch
        if history.best() is history.rows[-1]:
            self.state.best_confusion["val"] = val_confusion.counts.copy()
            if train_confusion is not None:
                self.state.best_confusion["train"] = train_confusion.counts.copy()
        if context.is_main:
            self._write_epoch(epoch, summary)
            row = history.rows[-1]
            logger.info("epoch %d/%d: train loss %.4f, val loss %.4f, val mIoU %.2f %%, mean class "
                        "acc %.2f %%, global acc %.2f %%, lr %.3g, %.1f s", epoch, config.epochs,
                        train_loss, val_loss, 100 * row["val_miou"],
                        100 * row["val_mean_class_accuracy"], 100 * row["val_pixel_accuracy"], lr,
                        row["seconds"])
        self._notify("epoch_end", epoch=epoch, row=history.rows[-1])

    def _write_epoch(self, epoch, summary):
        """Checkpoints first, then the logs (which must never show an epoch last.pt lacks)."""
        out, history = self.config.out, self.state.history
        metrics = dict(history.rows[-1], val_iou=summary["iou"])
        if history.best() is history.rows[-1]:
            self._save(os.path.join(out, "best.pt"), metrics)
        if self.config.save_every and epoch % self.config.save_every == 0:
            self._save(os.path.join(out, "epoch_{:03d}.pt".format(epoch)), metrics)
        self._save(os.path.join(out, "last.pt"), metrics)
        self.saved_epoch = epoch
        write_logs(out, self.state, self.spec.class_names)

    def _save(self, path, metrics):
        save_training_checkpoint(path, self.model, self.spec, self.optimizer, self.scheduler,
                                 self.scaler, self.state, self.config, metrics)

    def _notify(self, event, **info):
        for callback in self.callbacks:
            callback(event, info)

    def _log_start(self):
        config, data = self.config, self.data
        what = "overfit check on the first {} train frames (validated on them)".format(
            len(data.train_reader)) if config.overfit else "{} train / {} val frames".format(
            len(data.train_reader), len(data.val_reader))
        logger.info("training %s on %s: %s, epochs %d-%d -> %s", config.arch, config.dataset,
                    what, self.state.epoch + 1, config.epochs, config.out)
        logger.info("%s", applied_settings(config, self.spec, self.state.class_weights,
                                           self.context.device, self.amp, self.channels_last,
                                           self.context.world_size, self.init))


def _set_determinism(enabled, device):
    previous = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
                torch.backends.cudnn.benchmark)
    if enabled:
        try:
            torch.use_deterministic_algorithms(True, warn_only=True)
        except TypeError:  # torch < 1.11 has no warn_only
            torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    elif device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    return previous


def _restore_determinism(previous):
    torch.use_deterministic_algorithms(previous[0])
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = previous[1], previous[2]
