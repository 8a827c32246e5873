"""The training loss: class-weighted cross-entropy with void ignored (the paper's ENet weighting).

``w_c = 1 / ln(c + p_c)`` with ``c = 1.02`` and ``p_c`` the class's share of the labelled pixels,
so rare classes weigh up to ~50 and frequent ones ~1.5 or more; void pixels are left out of both
the shares and the loss (``ignore_index``).
"""

import numpy as np
import torch
import torch.nn as nn

__all__ = ["class_weights", "make_criterion"]


def class_weights(frequencies, c=1.02):
    """float32 array (C,) of ``1 / ln(c + p_c)`` for per-class pixel shares ``frequencies``."""
    shares = np.asarray(frequencies, dtype=np.float64)
    return (1.0 / np.log(c + shares)).astype(np.float32)


def make_criterion(weights, ignore_index, device="cpu"):
    """``CrossEntropyLoss`` over logits (N, C, H, W) and int64 labels (N, H, W)."""
    weight = None if weights is None else torch.as_tensor(np.asarray(weights), dtype=torch.float32)
    return nn.CrossEntropyLoss(
        weight=None if weight is None else weight.to(device),
        ignore_index=-100 if ignore_index is None else int(ignore_index))
