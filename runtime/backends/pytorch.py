"""PyTorch backend: the reference. Loads a linknet-edge checkpoint; torch is imported in ``load``."""

import importlib.util
import os
import re

import numpy as np

from linknet_edge.errors import BackendUnavailable

__all__ = ["TorchRunner", "is_available", "unavailable_reason", "version", "load"]

NAME = "pytorch"


def is_available():
    return importlib.util.find_spec("torch") is not None


def unavailable_reason():
    if is_available():
        return None
    return "PyTorch is not installed (pip install torch, or NVIDIA's wheel on a Jetson)"


def version():
    """torch's version, read from ``torch/version.py`` so that asking never imports torch."""
    found = importlib.util.find_spec("torch")
    if found is None or not found.submodule_search_locations:
        return None
    path = os.path.join(list(found.submodule_search_locations)[0], "version.py")
    try:
        with open(path) as handle:
            match = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", handle.read(), re.M)
    except (IOError, OSError):
        return None
    return match.group(1) if match else None


def load(path, device="cpu", **_ignored):
    """A ``TorchRunner`` for the checkpoint at ``path`` on ``device`` ("cpu" or "cuda")."""
    if not is_available():
        raise BackendUnavailable(unavailable_reason())
    import torch
    from linknet_edge.checkpoint import load_model
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise BackendUnavailable("pytorch: device {!r} asked for, but torch sees no CUDA GPU; "
                                 "use device='cpu'".format(device))
    model, spec = load_model(path, map_location=device)
    return TorchRunner(path, model, spec, device)


class TorchRunner(object):
    """Runs NCHW float32 normalised batches through the model in eval mode."""

    precision = "fp32"

    def __init__(self, path, model, spec, device):
        self.path = path
        self._model = model
        self.spec = spec
        self.input_size = tuple(spec.input_size)
        self.device = str(device)
        self.name = "{}:{}".format(NAME, self.device)

    def _forward(self, batch):
        import torch
        if self._model is None:
            raise BackendUnavailable("{}: runner is closed".format(self.path))
        with torch.no_grad():
            tensor = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
            return self._model(tensor.to(self.device))

    def run_logits(self, batch):
        """NCHW float32 -> (N, C, H, W) float32 logits."""
        return self._forward(batch).float().cpu().numpy()

    def run(self, batch):
        """NCHW float32 -> (N, H, W) int32 class indices (argmax on the device: fewer bytes back)."""
        return self._forward(batch).argmax(1).int().cpu().numpy()

    def close(self):
        self._model = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
