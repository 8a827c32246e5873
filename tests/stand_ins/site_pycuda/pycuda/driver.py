"""STAND-IN for ``pycuda.driver`` over the stand-in GPU (``tests.stand_ins.device``).

Like the real driver: ``init()`` first; allocations and copies fail without a current context
on the calling thread (CUDA's context stack is per thread; ``free()`` activates its own, as
pycuda's does); ``pagelocked_empty`` returns an array whose ``base`` is its ``HostAllocation``
(with ``free()``), as pycuda's ``numpy_empty`` sets it.
Calls are appended to ``CALLS`` as ``(name, detail)``.
"""

import numpy as np

from tests.stand_ins import device

CALLS = []
_INITIALISED = []


class Error(Exception):
    pass


class LogicError(Error):
    pass


class RuntimeError(Error):  # noqa: A001 (pycuda's own name)
    pass


def init(flags=0):
    if not device.cuda_works():
        raise RuntimeError("cuInit failed: no CUDA-capable device is detected")
    _INITIALISED.append(True)


def _require_context():
    if not device.stack():
        raise LogicError("cuMemAlloc failed: invalid device context")


class Device(object):
    def __init__(self, number):
        if not _INITIALISED:
            raise LogicError("cuInit has not been called")
        self.number = number

    def name(self):
        return device.gpu()[0]

    def compute_capability(self):
        return device.gpu()[1]

    def retain_primary_context(self):
        CALLS.append(("retain_primary_context", self.number))
        return Context()


class Context(object):
    def push(self):
        CALLS.append(("push", None))
        device.stack().append(self)

    @staticmethod
    def pop():
        CALLS.append(("pop", None))
        if not device.stack():
            raise LogicError("cuCtxPopCurrent failed: invalid context")
        device.stack().pop()


class DeviceAllocation(object):
    def __init__(self, pointer):
        self.pointer = pointer

    def __int__(self):
        return self.pointer

    def free(self):
        device.free(self.pointer)


class HostAllocation(bytearray):
    """Pinned host memory; the ``base`` of the array ``pagelocked_empty`` returns."""

    def free(self):
        CALLS.append(("HostAllocation.free", len(self)))
        device.free_pinned(self.pointer)


def mem_alloc(nbytes):
    _require_context()
    return DeviceAllocation(device.alloc(nbytes))


def pagelocked_empty(shape, dtype, order="C", mem_flags=0):
    _require_context()
    dtype = np.dtype(dtype)
    allocation = HostAllocation(int(np.prod(shape)) * dtype.itemsize)
    array = np.ndarray(shape, dtype, buffer=allocation)
    allocation.pointer = array.ctypes.data
    device.PINNED[allocation.pointer] = array
    return array


def memcpy_htod(dest, src):
    _require_context()
    device.write(dest, src)


def memcpy_htod_async(dest, src, stream=None):
    CALLS.append(("memcpy_htod_async", src.nbytes))
    memcpy_htod(dest, src)


def memcpy_dtoh_async(dest, src, stream=None):
    _require_context()
    CALLS.append(("memcpy_dtoh_async", dest.nbytes))
    dest.reshape(-1).view(np.uint8)[:] = device.MEMORY[int(src)][:dest.nbytes]


class Stream(object):
    def __init__(self, flags=0):
        _require_context()
        self.handle = 0x5EED

    def synchronize(self):
        _require_context()
