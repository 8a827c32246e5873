"""The few pycuda calls the TensorRT backend and engine builder need: GPU identity, a context.

Never ``pycuda.autoinit``: importing this module touches no GPU. The context is the device's
*primary* context (the one the CUDA runtime, hence TensorRT, also uses), pushed only around
the calls that need it, so a runner may be loaded on one thread and run on another.
"""

import threading

from linknet_edge.errors import BackendUnavailable

__all__ = ["driver", "gpu_identity", "CudaContext"]

_INIT_LOCK = threading.Lock()


def driver():
    """``pycuda.driver``, initialised (``cuInit``) on the first call."""
    import pycuda.driver as cuda
    with _INIT_LOCK:
        cuda.init()
    return cuda


def gpu_identity(device=0):
    """``(name, "major.minor")`` of a GPU, e.g. ``("NVIDIA Tegra X1", "5.3")``."""
    try:
        cuda = driver()
        dev = cuda.Device(device)
        major, minor = dev.compute_capability()
        return str(dev.name()), "{}.{}".format(major, minor)
    except Exception as exc:  # pycuda raises its own classes (LogicError, RuntimeError)
        raise BackendUnavailable("no usable CUDA GPU {} ({}: {}); check the NVIDIA driver and "
                                 "that this user may access /dev/nvidia* or /dev/nvhost*".format(
                                     device, type(exc).__name__, str(exc).strip()[:200]))


class CudaContext(object):
    """A retained primary context; ``with ctx:`` makes it current for the block."""

    def __init__(self, device=0):
        self._context = driver().Device(device).retain_primary_context()
        self._depth = 0

    def push(self):
        self._context.push()
        self._depth += 1

    def pop(self):
        if self._depth:
            self._depth -= 1
            self._context.pop()

    def __enter__(self):
        self.push()
        return self

    def __exit__(self, *exc_info):
        self.pop()

    def release(self):
        """Pop whatever we pushed and drop our reference (pycuda releases the retain)."""
        while self._depth:
            self.pop()
        self._context = None
