"""Random-number-generator states of torch, CUDA, numpy and Python, as checkpoint-safe values.

Every state is stored as tensors, numbers and lists only, so a checkpoint holding it still loads
with ``torch.load(weights_only=True)``. (Data order and augmentation do not depend on these
states: they are functions of (seed, epoch, index); see ``dataset.py`` and ``trainer.py``.)
"""

import random

import numpy as np
import torch

__all__ = ["capture_rng_states", "restore_rng_states", "seed_everything"]


def seed_everything(seed):
    """Seed Python's ``random``, numpy's global generator and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


def capture_rng_states():
    """A dict of the current generator states (tensors, ints, floats and lists)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    states = {
        "torch": torch.get_rng_state(),
        "numpy": {"name": str(name), "keys": torch.from_numpy(keys.astype(np.int64)),
                  "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "python": {"version": int(version), "internal": list(internal), "gauss_next": gauss_next},
        "cuda": None,
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng_states(states):
    """Put back what ``capture_rng_states`` returned (CUDA states only where CUDA is in use)."""
    torch.set_rng_state(states["torch"])
    saved = states["numpy"]
    np.random.set_state((saved["name"], saved["keys"].numpy().astype(np.uint32), saved["pos"],
                         saved["has_gauss"], saved["cached_gaussian"]))
    saved = states["python"]
    random.setstate((saved["version"], tuple(saved["internal"]), saved["gauss_next"]))
    if states.get("cuda") is not None and torch.cuda.is_available():
        if len(states["cuda"]) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(states["cuda"])
