"""Checkpoints: spec + weights + what resuming needs, written atomically, loaded safely.

Format (a plain dict, loadable with ``torch.load(weights_only=True)``)::

    {"format": "linknet-edge-checkpoint", "format_version": 1, "spec": {...},
     "state_dict": {...}, "optimizer": {...} | None, "scheduler": {...} | None,
     "epoch": int | None, "metrics": {...}, "extra": {...}}

A weights-only file (``save_weights_only``; ``linknet-edge export --format pt``) is the same
format without the optimizer, scheduler and RNG state: a third of the size with Adam, loadable
everywhere a checkpoint is, except ``train --resume``.
"""

import os
import re

import torch

from . import _safe_pickle
from ..atomic import atomic_path
from ..errors import CheckpointError, ModelFileError, SpecError, SpecMismatch, first_line
from ..model import model_from_spec
from ..spec import ModelSpec

__all__ = ["Checkpoint", "save_checkpoint", "save_weights_only", "load_checkpoint", "load_model",
           "load_weights", "torch_load", "HAS_WEIGHTS_ONLY"]

FORMAT = "linknet-edge-checkpoint"
FORMAT_VERSION = 1
#: ``extra`` entries only an exact resume reads (a weights-only file drops them)
_RESUME_ONLY = ("rng", "scaler")


class Checkpoint(object):
    """A loaded checkpoint: ``spec``, ``state_dict``, ``optimizer``, ``scheduler``, ``epoch``,
    ``metrics``, ``extra`` and the ``path`` it came from."""

    def __init__(self, path, spec, state_dict, optimizer=None, scheduler=None, epoch=None,
                 metrics=None, extra=None):
        self.path = path
        self.spec = spec
        self.state_dict = state_dict
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.epoch = epoch
        self.metrics = metrics or {}
        self.extra = extra or {}


def _has_weights_only():
    import inspect
    try:
        return "weights_only" in inspect.signature(torch.load).parameters
    except (TypeError, ValueError):
        return False


#: torch >= 1.13 has ``torch.load(weights_only=...)``; JetPack 4.6's torch 1.10 does not.
HAS_WEIGHTS_ONLY = _has_weights_only()


def _not_a_checkpoint(path):
    """Why ``path`` is no PyTorch file at all (neither a zip archive nor a pickle), or None."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if not head:
        return "an empty file"
    if head.startswith(b"PK") or head.startswith(b"\x80"):
        return None
    from ..onnx_file import read_onnx_info
    try:
        read_onnx_info(path)
    except ModelFileError:  # not ONNX's wire format either (an ONNX without a spec is ONNX)
        return "random bytes or another format"
    except SpecError:
        pass
    return ("an ONNX file: run it with --backend onnxruntime, or give the .pt it was exported "
            "from")


#: torch's weights_only refusal of a name: 2.x "Unsupported global: GLOBAL x", 1.13 "Unsupported
#: class x"
_TORCH_REFUSAL = re.compile(r"Unsupported (?:global: GLOBAL|class) (\S+)")


def _foreign_global(exc):
    """The refused name if ``exc`` is an unpickler's refusal of a class or function, else None."""
    if isinstance(exc, _safe_pickle.ForbiddenGlobal):
        return str(exc)
    match = _TORCH_REFUSAL.search(str(exc))
    return match.group(1) if match else None


def torch_load(path):
    """``torch.load`` on CPU through a restricted unpickler on every torch version:
    ``weights_only=True`` where this torch has it (>= 1.13), else ``_safe_pickle.strict``.

    Raises ``CheckpointError`` naming the file for a missing, truncated or foreign file.
    """
    if not os.path.isfile(path):
        raise CheckpointError("{}: no such checkpoint file".format(path))
    why = _not_a_checkpoint(path)
    if why:
        raise CheckpointError("{}: not a PyTorch checkpoint ({})".format(path, why))
    kwargs = {"map_location": "cpu"}
    if HAS_WEIGHTS_ONLY:
        kwargs["weights_only"] = True
    else:
        kwargs["pickle_module"] = _safe_pickle.strict
    try:
        return torch.load(path, **kwargs)
    except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError, ...
        name = _foreign_global(exc)
        if name is None:
            raise CheckpointError("{}: not a readable PyTorch checkpoint (truncated or "
                                  "another format?): {}".format(path, _reason(exc)))
        raise CheckpointError("{}: refused to load: it holds Python objects beyond tensors "
                              "({}); for e-Lab pytorch-linknet files use `linknet-edge "
                              "import`".format(path, name))


def _reason(exc):
    """A short cause: torch's weights_only errors open with paragraphs of advice."""
    text = str(exc)
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
    return first_line(text) if text.strip() else type(exc).__name__


def _state(obj):
    return None if obj is None else obj.state_dict()


def save_checkpoint(path, model, spec, optimizer=None, scheduler=None, epoch=None, metrics=None,
                    extra=None):
    """Write a checkpoint atomically. ``model`` may be wrapped in DistributedDataParallel."""
    model = getattr(model, "module", model)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return _write(path, spec, state, _state(optimizer), _state(scheduler), epoch, metrics, extra)


def save_weights_only(checkpoint, path):
    """Write a loaded ``Checkpoint``'s spec, weights, epoch and metrics (no optimizer, scheduler
    or RNG state) atomically to ``path``."""
    extra = dict((k, v) for k, v in checkpoint.extra.items() if k not in _RESUME_ONLY)
    return _write(path, checkpoint.spec, checkpoint.state_dict, None, None, checkpoint.epoch,
                  checkpoint.metrics, extra)


def _write(path, spec, state, optimizer, scheduler, epoch, metrics, extra):
    with atomic_path(path) as tmp:
        torch.save({
            "format": FORMAT, "format_version": FORMAT_VERSION, "spec": spec.to_dict(),
            "state_dict": state, "optimizer": optimizer, "scheduler": scheduler,
            "epoch": epoch, "metrics": dict(metrics or {}), "extra": dict(extra or {}),
        }, tmp)
    return path


def load_checkpoint(path):
    """Read a checkpoint written by ``save_checkpoint``."""
    data = torch_load(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        hint = ""
        if isinstance(data, dict) and "state_dict" in data:
            hint = "; to convert e-Lab pytorch-linknet weights run `linknet-edge import`"
        raise CheckpointError("{}: not a linknet-edge checkpoint{}".format(path, hint))
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise CheckpointError("{}: written by a newer linknet-edge (format {}); upgrade".format(
            path, data["format_version"]))
    try:
        spec = ModelSpec.from_dict(data["spec"], source=path)
    except (KeyError, SpecError) as exc:
        raise CheckpointError("{}: bad model spec: {}".format(path, exc))
    return Checkpoint(path, spec, data["state_dict"], data.get("optimizer"),
                      data.get("scheduler"), data.get("epoch"), data.get("metrics"),
                      data.get("extra"))


def load_model(path, map_location="cpu", expected_spec=None):
    """Build the model a checkpoint describes and load its weights; returns ``(model, spec)``.

    The model is in eval mode. With ``expected_spec``, refuse another architecture or class list.
    """
    checkpoint = load_checkpoint(path)
    if expected_spec is not None:
        expected_spec.check_compatible(checkpoint.spec, what=path)
    model = model_from_spec(checkpoint.spec)
    load_weights(model, checkpoint.state_dict, source=path)
    return model.to(map_location).eval(), checkpoint.spec


def load_weights(model, state_dict, source="weights"):
    """Load a state_dict strictly; shape or key mismatches become one ``SpecMismatch`` line."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    wrong = sorted(k for k in set(own) & set(state_dict)
                   if tuple(own[k].shape) != tuple(state_dict[k].shape))
    if missing or unexpected or wrong:
        parts = []
        if wrong:
            parts.append("{} tensors of another shape (first: {} {} vs {})".format(
                len(wrong), wrong[0], tuple(state_dict[wrong[0]].shape), tuple(own[wrong[0]].shape)))
        if missing:
            parts.append("{} missing (first: {})".format(len(missing), missing[0]))
        if unexpected:
            parts.append("{} unexpected (first: {})".format(len(unexpected), unexpected[0]))
        raise SpecMismatch("{}: weights do not fit the {} model: {}".format(
            source, type(model).__name__, "; ".join(parts)))
    model.load_state_dict(state_dict)
