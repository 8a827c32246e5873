"""One training epoch and one validation pass, identical on CPU, one GPU or under torchrun.

Batches are NCHW float32 normalised images and (N, H, W) int64 labels. Sums are all-reduced
through the ``DistributedContext``, so every process returns the same loss and confusion matrix.
"""

import contextlib
import math

import numpy as np
import torch

from ..errors import LinkNetEdgeError, TrainingError
from ..metrics import ConfusionMatrix

__all__ = ["train_one_epoch", "evaluate", "make_grad_scaler", "progress_bar", "batches"]


def batches(loader):
    """Iterate ``loader``; an error of ours raised in a DataLoader worker comes out as its own
    one-line message. (torch re-raises it in the main process with the worker's whole traceback
    inside the message: "Caught DatasetError in DataLoader worker process 0. Original ...".)"""
    iterator = iter(loader)
    while True:
        try:
            batch = next(iterator)
        except StopIteration:
            return
        except LinkNetEdgeError as exc:
            raise _unwrapped(exc)
        yield batch


def _unwrapped(exc):
    text = str(exc)
    if "\nOriginal Traceback" not in text:
        return exc
    kind = type(exc)
    prefix = "{}.{}: ".format(kind.__module__, kind.__name__)
    last = text.rstrip().splitlines()[-1]
    clean = kind(last[len(prefix):] if last.startswith(prefix) else last)
    clean.__cause__, clean.__suppress_context__ = None, True
    return clean


def progress_bar(iterable, total, description, enabled):
    """``iterable`` wrapped in a tqdm bar when ``enabled`` (rank 0 writing to a terminal)."""
    if not enabled:
        return iterable
    from tqdm import tqdm
    return tqdm(iterable, total=total, desc=description, leave=False, dynamic_ncols=True)


def make_grad_scaler(enabled):
    """A GradScaler for CUDA mixed precision (a pass-through when not ``enabled``)."""
    amp = getattr(torch, "amp", None)
    if amp is not None and hasattr(amp, "GradScaler"):
        return amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def _autocast(enabled):
    if not enabled:
        return contextlib.suppress()  # a do-nothing context manager on Python 3.6 too
    return torch.autocast("cuda")


def _to_device(images, labels, device, channels_last):
    images = images.to(device, non_blocking=True)
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    return images, labels.to(device, non_blocking=True)


def train_one_epoch(model, loader, criterion, optimizer, scaler, context, epoch, amp=False,
                    channels_last=False, confusion=None, show_progress=False, on_batch_end=None):
    """Train over ``loader`` once; returns the mean batch loss over all processes.

    With ``confusion`` (a ``ConfusionMatrix``) the training predictions are counted too.
    ``on_batch_end(batch_index, loss)`` is called after each optimizer step.
    """
    model.train()
    totals = torch.zeros(2, dtype=torch.float64)
    bar = progress_bar(batches(loader), len(loader), "epoch {} train".format(epoch),
                       show_progress)
    for index, (images, labels) in enumerate(bar):
        images, labels = _to_device(images, labels, context.device, channels_last)
        optimizer.zero_grad()
        with _autocast(amp):
            logits = model(images)
            loss = criterion(logits.float(), labels)
        value = loss.item()
        if not amp and not math.isfinite(value):
            raise TrainingError("training loss became {} in epoch {} (batch {}): lower --lr".format(
                value, epoch, index))
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        totals += torch.tensor([value, 1.0], dtype=torch.float64)
        if confusion is not None:
            confusion.update(logits.argmax(1).cpu().numpy(), labels.cpu().numpy())
        if show_progress:
            bar.set_postfix(loss="{:.4f}".format(value))
        if on_batch_end is not None:
            on_batch_end(index, value)
    context.all_reduce_sum(totals)
    if confusion is not None:
        _all_reduce_confusion(confusion, context)
    return float(totals[0] / max(totals[1], 1.0))


def evaluate(model, loader, criterion, context, num_classes, ignore_index, amp=False,
             channels_last=False, show_progress=False, description="val"):
    """Loss (mean per image) and ``ConfusionMatrix`` of ``model`` over ``loader``, all processes
    summed. Pass the bare model, not the DDP wrapper: shards may differ in batch count."""
    model.eval()
    confusion = ConfusionMatrix(num_classes, ignore_index)
    totals = torch.zeros(2, dtype=torch.float64)
    with torch.no_grad():
        for images, labels in progress_bar(batches(loader), len(loader), description,
                                           show_progress):
            images, labels = _to_device(images, labels, context.device, channels_last)
            with _autocast(amp):
                logits = model(images)
            loss = criterion(logits.float(), labels).item()
            if math.isfinite(loss):  # NaN only for a batch that is all void
                totals += torch.tensor([loss * len(images), len(images)], dtype=torch.float64)
            confusion.update(logits.argmax(1).cpu().numpy(), labels.cpu().numpy())
    context.all_reduce_sum(totals)
    _all_reduce_confusion(confusion, context)
    return float(totals[0] / max(totals[1], 1.0)), confusion


def _all_reduce_confusion(confusion, context):
    if context.distributed:
        counts = torch.from_numpy(confusion.counts.copy())
        context.all_reduce_sum(counts)
        confusion.counts[...] = counts.numpy().astype(np.int64)
