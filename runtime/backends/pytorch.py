"""PyTorch backend: the reference. Loads a linknet-edge checkpoint; torch is imported in ``load``."""

import importlib.util
import os
import re

import numpy as np

from linknet_edge.errors import BackendUnavailable

from .base import Runner

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


def load(path, spec=None, device="cpu", **_ignored):
    """A ``TorchRunner`` for the checkpoint at ``path`` on ``device`` ("cpu", "cuda[:N]", or
    "auto": CUDA where torch sees a GPU)."""
    if not is_available():
        raise BackendUnavailable(unavailable_reason())
    from linknet_edge.threads import prefer_passive_openmp
    prefer_passive_openmp()  # OpenMP threads that sleep, not spin, on a shared CPU
    import torch
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    from linknet_edge.weights import load_model
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise BackendUnavailable("pytorch: device {!r} asked for, but torch sees no CUDA GPU; "
                                 "use device='cpu'".format(device))
    model, file_spec = load_model(path, map_location=device, expected_spec=spec)
    return TorchRunner(path, model, file_spec, device)


class TorchRunner(Runner):
    """Runs NCHW float32 normalised batches through the model in eval mode, at any multiple of
    32 (the network is fully convolutional). On the CPU the weights and each batch are
    channels-last (NHWC in memory), which oneDNN convolves without reordering every layer:
    1.2-1.4x faster than NCHW here (LinkNet at 224x160, one thread)."""

    backend = NAME
    any_size = True

    def __init__(self, path, model, spec, device):
        import torch
        super(TorchRunner, self).__init__(path, spec, "fp32", "{}:{}".format(NAME, device))
        self.device = str(device)
        self._layout = (torch.channels_last if self.device == "cpu"
                        else torch.contiguous_format)
        self._model = model.to(memory_format=self._layout)

    def _forward(self, batch):
        import torch
        with torch.no_grad():
            tensor = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
            return self._model(tensor.to(self.device).contiguous(memory_format=self._layout))

    def _run_logits(self, batch):
        return self._forward(batch).float().contiguous().cpu().numpy()

    def _run_classes(self, batch):
        # argmax on the device: fewer bytes back
        return self._forward(batch).argmax(1).int().cpu().numpy()

    def _release(self):
        self._model = None
