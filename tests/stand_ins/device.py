"""The STAND-IN GPU behind the pycuda, cuda-python and TensorRT stand-ins: host memory posing as
device memory, pinned host buffers, and a per-thread context stack (like CUDA's).

``MEMORY`` maps device pointers to byte arrays, ``PINNED`` pinned host pointers to theirs, so a
test can see that everything allocated was freed. The GPU follows ``LINKNET_EDGE_STAND_IN_GPU``
("name|major.minor", default a TX1); ``LINKNET_EDGE_STAND_IN_NO_CUDA=1`` makes CUDA fail to start.
"""

import os
import threading

import numpy as np

MEMORY = {}
PINNED = {}
_NEXT = [0x7F0000000000]
_THREAD = threading.local()


def gpu():
    name, cc = os.environ.get("LINKNET_EDGE_STAND_IN_GPU", "NVIDIA Tegra X1|5.3").split("|")
    return name, tuple(int(v) for v in cc.split("."))


def cuda_works():
    return os.environ.get("LINKNET_EDGE_STAND_IN_NO_CUDA") != "1"


def stack():
    """This thread's context stack (CUDA keeps one per host thread)."""
    if not hasattr(_THREAD, "stack"):
        _THREAD.stack = []
    return _THREAD.stack


def _address(nbytes):
    pointer = _NEXT[0]
    _NEXT[0] += (int(nbytes) + 255) // 256 * 256 + 256
    return pointer


def alloc(nbytes):
    pointer = _address(nbytes)
    MEMORY[pointer] = np.zeros(int(nbytes), np.uint8)
    return pointer


def free(pointer):
    del MEMORY[int(pointer)]


def alloc_pinned(nbytes):
    """A pinned host buffer: (pointer, uint8 array whose data is at that pointer)."""
    raw = np.zeros(int(nbytes), np.uint8)
    PINNED[raw.ctypes.data] = raw
    return raw.ctypes.data, raw


def free_pinned(pointer):
    del PINNED[int(pointer)]


def read(pointer, shape, dtype):
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return MEMORY[int(pointer)][:nbytes].view(dtype).reshape(shape).copy()


def write(pointer, array):
    raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    MEMORY[int(pointer)][:raw.size] = raw


def host_view(pointer, nbytes):
    """The bytes of host memory at ``pointer`` (a pinned buffer or any numpy array's data)."""
    for start, raw in PINNED.items():
        if start <= pointer < start + raw.size:
            return raw[pointer - start:pointer - start + nbytes]
    import ctypes
    return np.frombuffer((ctypes.c_uint8 * nbytes).from_address(pointer), np.uint8)
