"""STAND-IN for cuda-python's CUDA runtime module (``cuda.bindings.runtime``, before 12.6
``cuda.cudart``) over the stand-in GPU (``tests.stand_ins.device``). Not cuda-python.

Only what LinkNet-Edge calls, with the real names and parameter names (checked against the
real module by tests/test_runtime/test_tensorrt_real_bindings.py). As in cuda-python every
call returns a tuple whose first element is a ``cudaError_t``; without CUDA
(``LINKNET_EDGE_STAND_IN_NO_CUDA=1``) calls return ``cudaErrorNoDevice`` as cuda-bindings 13
does (12.x raises instead). Calls are appended to ``_CALLS``.
"""

import enum
import threading

from tests.stand_ins import device

_CALLS = []
_CURRENT = threading.local()


class cudaError_t(enum.IntEnum):
    cudaSuccess = 0
    cudaErrorInvalidValue = 1
    cudaErrorMemoryAllocation = 2
    cudaErrorNoDevice = 100


class cudaMemcpyKind(enum.IntEnum):
    cudaMemcpyHostToHost = 0
    cudaMemcpyHostToDevice = 1
    cudaMemcpyDeviceToHost = 2
    cudaMemcpyDeviceToDevice = 3
    cudaMemcpyDefault = 4


class cudaDeviceProp(object):
    def __init__(self):
        name, (major, minor) = device.gpu()
        self.name, self.major, self.minor = name.encode(), major, minor
        self.totalGlobalMem = 4 << 30


class cudaStream_t(object):
    def __init__(self, init_value=0):
        self._pointer = int(init_value)

    def __int__(self):
        return self._pointer

    def __index__(self):
        return self._pointer

    def getPtr(self):
        return self._pointer


def _call(name, *results):
    _CALLS.append((name, getattr(_CURRENT, "device", None)))
    if not device.cuda_works():
        return (cudaError_t.cudaErrorNoDevice,) + (None,) * len(results)
    return (cudaError_t.cudaSuccess,) + results


def cudaGetErrorName(error):
    return cudaError_t.cudaSuccess, cudaError_t(error).name.encode()


def cudaGetDeviceCount():
    return _call("cudaGetDeviceCount", 1)


def cudaGetDeviceProperties(device):
    return _call("cudaGetDeviceProperties", cudaDeviceProp())


def cudaSetDevice(device):
    _CURRENT.device = device
    return _call("cudaSetDevice")


def cudaMalloc(size):
    if not device.cuda_works():
        return _call("cudaMalloc", None)
    return _call("cudaMalloc", device.alloc(size))


def cudaFree(devPtr):
    device.free(devPtr)
    return _call("cudaFree")


def cudaMallocHost(size):
    if not device.cuda_works():
        return _call("cudaMallocHost", None)
    return _call("cudaMallocHost", device.alloc_pinned(size)[0])


def cudaFreeHost(ptr):
    device.free_pinned(ptr)
    return _call("cudaFreeHost")


def cudaStreamCreate():
    return _call("cudaStreamCreate", cudaStream_t(0x5EED))


def cudaStreamSynchronize(stream):
    return _call("cudaStreamSynchronize")


def cudaStreamDestroy(stream):
    return _call("cudaStreamDestroy")


def _copy(dst, src, count, kind):
    if kind == cudaMemcpyKind.cudaMemcpyHostToDevice:
        device.write(dst, device.host_view(int(src), int(count)))
    elif kind == cudaMemcpyKind.cudaMemcpyDeviceToHost:
        device.host_view(int(dst), int(count))[:] = device.MEMORY[int(src)][:int(count)]
    else:
        raise NotImplementedError(kind)


def cudaMemcpyAsync(dst, src, count, kind, stream):
    _copy(dst, src, count, kind)
    return _call("cudaMemcpyAsync")


def cudaMemcpy(dst, src, count, kind):
    _copy(dst, src, count, kind)
    return _call("cudaMemcpy")


__all__ = [name for name in list(globals()) if name.startswith("cuda")]
