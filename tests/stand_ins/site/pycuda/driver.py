"""STAND-IN for ``pycuda.driver``: host memory posing as device memory, a context stack.

The GPU follows ``LINKNET_EDGE_STAND_IN_GPU`` ("name|major.minor", default a TX1). Like the real
driver, memory calls and copies fail without a current context, so push/pop mistakes show.
"""

import os

import numpy as np

CALLS = []
_MEMORY = {}
_NEXT = [0x7F0000000000]
_STACK = []
_INITIALISED = []


class LogicError(RuntimeError):
    pass


def _gpu():
    name, cc = os.environ.get("LINKNET_EDGE_STAND_IN_GPU", "NVIDIA Tegra X1|5.3").split("|")
    return name, tuple(int(v) for v in cc.split("."))


def init(flags=0):
    _INITIALISED.append(True)


def _require_context():
    if not _STACK:
        raise LogicError("cuMemAlloc failed: invalid device context")


class Device(object):
    def __init__(self, number):
        if not _INITIALISED:
            raise LogicError("cuInit has not been called")
        self.number = number

    def name(self):
        return _gpu()[0]

    def compute_capability(self):
        return _gpu()[1]

    def retain_primary_context(self):
        CALLS.append(("retain_primary_context", self.number))
        return Context()


class Context(object):
    def push(self):
        CALLS.append(("push", None))
        _STACK.append(self)

    @staticmethod
    def pop():
        CALLS.append(("pop", None))
        if not _STACK:
            raise LogicError("cuCtxPopCurrent failed: invalid context")
        _STACK.pop()


class DeviceAllocation(object):
    def __init__(self, pointer):
        self.pointer = pointer

    def __int__(self):
        return self.pointer

    def free(self):
        _require_context()
        del _MEMORY[self.pointer]


def mem_alloc(nbytes):
    _require_context()
    pointer = _NEXT[0]
    _NEXT[0] += (int(nbytes) + 255) // 256 * 256 + 256
    _MEMORY[pointer] = np.zeros(int(nbytes), np.uint8)
    return DeviceAllocation(pointer)


def pagelocked_empty(shape, dtype):
    return np.empty(shape, dtype)


def _read(pointer, shape, dtype):
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return _MEMORY[int(pointer)][:nbytes].view(dtype).reshape(shape).copy()


def _write(pointer, array):
    raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    _MEMORY[int(pointer)][:raw.size] = raw


def memcpy_htod(dest, src):
    _require_context()
    _write(dest, src)


def memcpy_htod_async(dest, src, stream=None):
    CALLS.append(("memcpy_htod_async", src.nbytes))
    memcpy_htod(dest, src)


def memcpy_dtoh_async(dest, src, stream=None):
    _require_context()
    CALLS.append(("memcpy_dtoh_async", dest.nbytes))
    dest.reshape(-1).view(np.uint8)[:] = _MEMORY[int(src)][:dest.nbytes]


class Stream(object):
    def __init__(self):
        _require_context()
        self.handle = 0x5EED

    def synchronize(self):
        _require_context()
