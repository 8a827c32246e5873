"""The few CUDA calls TensorRT needs, through pycuda or cuda-python, and the GPU's identity.

``api()`` picks pycuda (JetPack 4.6's only choice: cuda-python needs CUDA 11.4+) where it is
installed, else cuda-python (``cuda.bindings.runtime``, or ``cuda.cudart`` before 12.6), which
NVIDIA's own TensorRT samples use since 10.14. Both serve the same verbs: device buffers, pinned
host buffers, a stream, async copies, and a context that is the device's *primary* context (the
one TensorRT's runtime API uses), made current only around the calls that need it, so a runner
may be loaded on one thread and run on another. Never ``pycuda.autoinit``: importing this
module touches no GPU. Which GPU this is: ``gpu``.
"""

import ctypes
import importlib.util
import threading

from linknet_edge.errors import BackendUnavailable, first_line

__all__ = ["flavour", "unavailable_reason", "api", "binding_version", "CudaContext", "Buffer",
           "PyCuda", "CudaPython", "reset", "INSTALL_HINT"]

INSTALL_HINT = ("neither pycuda nor cuda-python is installed: `pip3 install cuda-python` "
                "(CUDA 11.4+: JetPack 5/6, x86) or `pip3 install pycuda` (JetPack 4.6: "
                "pycuda==2021.1, needs CUDA's nvcc on PATH)")

_LOCK = threading.Lock()
_API = []


def _found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # the parent package is missing
        return False


def flavour():
    """"pycuda", "cuda-python" (either module layout), or None; imports nothing."""
    if _found("pycuda"):
        return "pycuda"
    if _found("cuda.bindings.runtime") or _found("cuda.cudart"):
        return "cuda-python"
    return None


def unavailable_reason():
    return None if flavour() else INSTALL_HINT


def reset():
    """Forget the chosen binding (tests switch between them)."""
    del _API[:]


def api():
    """The ``PyCuda`` or ``CudaPython`` verbs, created on the first call."""
    with _LOCK:
        if not _API:
            kind = flavour()
            if kind is None:
                raise BackendUnavailable(INSTALL_HINT)
            try:
                _API.append(PyCuda() if kind == "pycuda" else CudaPython())
            except BackendUnavailable:
                raise
            except Exception as exc:  # an ImportError of a broken install, cuInit failing
                raise BackendUnavailable("{} is installed but cannot start CUDA: {}".format(
                    kind, first_line(exc)))
        return _API[0]


class Buffer(object):
    """Memory with an address (``int()``) and an idempotent ``free()``; ``array`` for host."""

    def __init__(self, address, release, array=None):
        self.address, self._release, self.array = int(address), release, array

    def __int__(self):
        return self.address

    def free(self):
        if self._release is not None:
            release, self._release = self._release, None
            release()


class PyCuda(object):
    name = "pycuda"

    def __init__(self):
        import pycuda.driver as driver
        driver.init()
        self.driver = driver

    def identity(self, device):
        dev = self.driver.Device(device)
        major, minor = dev.compute_capability()
        return str(dev.name()), "{}.{}".format(major, minor)

    def primary_context(self, device):
        return self.driver.Device(device).retain_primary_context()

    def alloc(self, nbytes):
        allocation = self.driver.mem_alloc(int(nbytes))
        return Buffer(int(allocation), allocation.free)

    def pinned(self, shape, dtype):
        array = self.driver.pagelocked_empty(shape, dtype)
        return Buffer(array.ctypes.data, array.base.free, array)  # base: its HostAllocation

    def stream(self):
        stream = self.driver.Stream()
        return Buffer(stream.handle, None, stream)

    def htod_async(self, device, host, stream):
        self.driver.memcpy_htod_async(int(device), host, stream.array)

    def dtoh_async(self, host, device, stream):
        self.driver.memcpy_dtoh_async(host, int(device), stream.array)

    def htod(self, device, array):
        self.driver.memcpy_htod(int(device), array)

    def synchronize(self, stream):
        stream.array.synchronize()


class CudaPython(object):
    """cuda-python's runtime API: every call returns ``(cudaError_t, *results)``."""

    name = "cuda-python"

    def __init__(self):
        try:
            from cuda.bindings import runtime
        except ImportError:
            from cuda import cudart as runtime  # cuda-python < 12.6
        self.rt = runtime

    def call(self, what, result):
        error, values = result[0], result[1:]
        if int(error) != 0:
            raise BackendUnavailable("CUDA {} failed: {}".format(
                what, _text(self.rt.cudaGetErrorName(error)[1])))
        return values[0] if len(values) == 1 else values or None

    def identity(self, device):
        prop = self.call("cudaGetDeviceProperties", self.rt.cudaGetDeviceProperties(device))
        return _text(prop.name).rstrip("\x00"), "{}.{}".format(prop.major, prop.minor)

    def primary_context(self, device):
        return _RuntimeDevice(self, device)

    def alloc(self, nbytes):
        pointer = self.call("cudaMalloc", self.rt.cudaMalloc(int(nbytes)))
        return Buffer(pointer, lambda: self.call("cudaFree", self.rt.cudaFree(pointer)))

    def pinned(self, shape, dtype):
        import numpy as np
        dtype = np.dtype(dtype)
        nbytes = int(np.prod(shape)) * dtype.itemsize
        pointer = self.call("cudaMallocHost", self.rt.cudaMallocHost(nbytes))
        raw = (ctypes.c_uint8 * nbytes).from_address(pointer)
        array = np.frombuffer(raw, np.uint8).view(dtype).reshape(shape)
        return Buffer(pointer, lambda: self.call("cudaFreeHost", self.rt.cudaFreeHost(pointer)),
                      array)

    def stream(self):
        stream = self.call("cudaStreamCreate", self.rt.cudaStreamCreate())
        return Buffer(int(stream), lambda: self.call("cudaStreamDestroy",
                                                     self.rt.cudaStreamDestroy(stream)), stream)

    def _copy(self, dst, src, nbytes, kind, stream):
        self.call("cudaMemcpyAsync", self.rt.cudaMemcpyAsync(
            dst, src, nbytes, getattr(self.rt.cudaMemcpyKind, kind), stream.array))

    def htod_async(self, device, host, stream):
        self._copy(int(device), host.ctypes.data, host.nbytes, "cudaMemcpyHostToDevice", stream)

    def dtoh_async(self, host, device, stream):
        self._copy(host.ctypes.data, int(device), host.nbytes, "cudaMemcpyDeviceToHost", stream)

    def htod(self, device, array):
        self.call("cudaMemcpy", self.rt.cudaMemcpy(int(device), array.ctypes.data, array.nbytes,
                                                   self.rt.cudaMemcpyKind.cudaMemcpyHostToDevice))

    def synchronize(self, stream):
        self.call("cudaStreamSynchronize", self.rt.cudaStreamSynchronize(stream.array))


def _text(value):
    """cuda-python returns names as bytes."""
    return value if isinstance(value, str) else str(bytes(value), "utf-8", "replace")


class _RuntimeDevice(object):
    """cuda-python's stand-in for a pushed context: the runtime API uses the primary context
    of the thread's current device, so making it current is ``cudaSetDevice``."""

    def __init__(self, cuda, device):
        self.cuda, self.device = cuda, device

    def push(self):
        self.cuda.call("cudaSetDevice", self.cuda.rt.cudaSetDevice(self.device))

    def pop(self):
        pass


class CudaContext(object):
    """The device's primary context; ``with ctx:`` makes it current for the block. The push
    depth is kept per thread (CUDA's context stack is per thread)."""

    def __init__(self, device=0):
        self._context = api().primary_context(device)
        self._local = threading.local()

    def _depth(self):
        return getattr(self._local, "depth", 0)

    def push(self):
        self._context.push()
        self._local.depth = self._depth() + 1

    def pop(self):
        if self._depth():
            self._local.depth -= 1
            self._context.pop()

    def __enter__(self):
        self.push()
        return self

    def __exit__(self, *exc_info):
        self.pop()

    def release(self):
        """Pop what this thread pushed (another thread still inside ``with`` pops its own);
        pycuda releases the retain when the context object is collected."""
        while self._depth():
            self.pop()


def binding_version():
    """``(name, version)`` of the CUDA binding ``api()`` would use, or None; imports it."""
    kind = flavour()
    if kind == "pycuda":
        import pycuda
        return kind, getattr(pycuda, "VERSION_TEXT", "installed")
    if kind == "cuda-python":
        import cuda
        try:
            import cuda.bindings as bindings
        except ImportError:  # before 12.6: cuda.cudart only
            bindings = cuda
        return kind, getattr(bindings, "__version__", getattr(cuda, "__version__", "installed"))
    return None
