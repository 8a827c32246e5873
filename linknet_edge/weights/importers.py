"""Import existing weights: e-Lab pytorch-linknet checkpoints and torchvision ResNet-18 files.

e-Lab checkpoints are read with ``_safe_pickle``: their pickled ``model_def`` object is never
unpickled for real, so its (absent) classes are never imported and none of its code runs.
"""

import logging
import os
import re

import torch

from ..atomic import check_writable
from ..errors import CheckpointError, SpecMismatch, first_line
from ..model import build_model
from . import _safe_pickle
from .checkpoint import (FORMAT, HAS_WEIGHTS_ONLY, _not_a_checkpoint, load_weights,
                         save_checkpoint)

__all__ = ["read_foreign_checkpoint", "convert_elab_state_dict", "import_elab_checkpoint",
           "load_encoder_weights"]

logger = logging.getLogger(__name__)

# e-Lab key (after "module.") -> ours. Two namings: the torchvision-based LinkNet
# (in_block, encoderN.K) and the older LinkNetBase (conv1/bn1, encoderN.blockK).
_RULES = (
    (r"^in_block\.0\.", "encoder.conv1."),
    (r"^in_block\.1\.", "encoder.bn1."),
    (r"^conv1\.", "encoder.conv1."),
    (r"^bn1\.", "encoder.bn1."),
    (r"^encoder(\d)\.block(\d)\.", lambda m: "encoder.layer{}.{}.".format(
        m.group(1), int(m.group(2)) - 1)),
    (r"^encoder(\d)\.(\d)\.", r"encoder.layer\1.\2."),
    (r"^decoder(\d)\.", r"decoder.decoder\1."),
    (r"^(tp_conv1|conv2|tp_conv2)\.", r"head.\1."),
)


def read_foreign_checkpoint(path):
    """Load any torch file without executing the code of classes it names."""
    if not os.path.isfile(path):
        raise CheckpointError("{}: no such file".format(path))
    why = _not_a_checkpoint(path)
    if why:
        raise CheckpointError("{}: not a PyTorch file ({})".format(path, why))
    kwargs = {"map_location": "cpu", "pickle_module": _safe_pickle}
    if HAS_WEIGHTS_ONLY:
        kwargs["weights_only"] = False  # safe: _safe_pickle resolves only tensors and containers
    try:
        return torch.load(path, **kwargs)
    except Exception as exc:
        raise CheckpointError("{}: not a readable PyTorch file ({})".format(path, first_line(exc)))


def _state_dict_of(data, path):
    if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
        data = data["state_dict"]
    if not isinstance(data, dict) or not all(torch.is_tensor(v) for v in data.values()):
        raise CheckpointError("{}: holds no state_dict of tensors".format(path))
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in data.items()}


def convert_elab_state_dict(state_dict):
    """Rename e-Lab pytorch-linknet keys (either naming, ``module.`` stripped) to ours."""
    converted = {}
    for key, value in state_dict.items():
        if key.endswith("num_batches_tracked"):
            continue
        new = key
        for pattern, replacement in _RULES:
            new, count = re.subn(pattern, replacement, key)
            if count:
                break
        converted[new] = value
    return converted


def import_elab_checkpoint(path, output_path, spec, drop_outputs=()):
    """Convert an e-Lab checkpoint to ours; returns the output path.

    ``drop_outputs`` lists output channels to remove from the head (e.g. CamVid's void class 11,
    which e-Lab trained as a 12th class), so the class count matches ``spec``.
    """
    check_writable(output_path, "-o")
    data = read_foreign_checkpoint(path)
    if isinstance(data, dict) and data.get("format") == FORMAT:
        raise CheckpointError("{}: already a linknet-edge checkpoint; use it as it is".format(
            path))
    state = convert_elab_state_dict(_state_dict_of(data, path))
    if "head.tp_conv2.weight" not in state:
        raise CheckpointError("{}: not a pytorch-linknet checkpoint (no tp_conv2 head)".format(path))
    outputs = state["head.tp_conv2.weight"].shape[1]
    keep = [c for c in range(outputs) if c not in set(drop_outputs)]
    if len(keep) != spec.num_classes:
        raise SpecMismatch("{}: the network has {} outputs, {} after dropping {}, but the spec has "
                           "{} classes; use --drop-output to remove extra (void) outputs".format(
                               path, outputs, len(keep), list(drop_outputs) or "none",
                               spec.num_classes))
    if len(keep) != outputs:
        index = torch.tensor(keep)
        state["head.tp_conv2.weight"] = state["head.tp_conv2.weight"][:, index].contiguous()
        state["head.tp_conv2.bias"] = state["head.tp_conv2.bias"][index].contiguous()
    model = build_model(spec.arch, spec.num_classes, **spec.arch_kwargs)
    _fill_missing_counters(model, state)
    load_weights(model, state, source=path)
    logger.info("imported %s (%d outputs -> %d classes)", path, outputs, spec.num_classes)
    return save_checkpoint(output_path, model, spec, extra={"imported_from": os.path.abspath(path)})


def _fill_missing_counters(model, state):
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = value.clone()


def load_encoder_weights(model, path):
    """Load a torchvision-format ResNet-18 state_dict (``conv1``, ``layer1.0...``, ``fc``) into
    ``model.encoder``; the ``fc`` classifier is dropped."""
    state = _state_dict_of(read_foreign_checkpoint(path), path)
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    encoder = getattr(model, "module", model).encoder
    _fill_missing_counters(encoder, state)
    load_weights(encoder, state, source=path)
    logger.info("loaded encoder weights from %s", path)
    return model
