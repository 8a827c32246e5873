"""runtime.backends.tensorrt: loading an engine with its sidecar and running it.

The ``stand_in`` tests run against the TensorRT and pycuda / cuda-python stand-ins
(tests/stand_ins), whose engine executes the real ONNX model with ONNX Runtime, so the buffers,
bindings and argmax are checked against real numbers.
"""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from linknet_edge.errors import BackendUnavailable, SpecError, SpecMismatch
from tests.markers import ROOT
from tests.stand_ins import FLAVOURS, device, stand_in  # noqa: F401 (fixture)
from tests.stand_ins.tiny_onnx import write_tiny_onnx

ORIN = ("NVIDIA Jetson AGX Orin", "8.7")


def _onnxruntime(onnx_path, batch):
    import onnxruntime
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    return [session.run(None, {"input": batch[i:i + 1]}) for i in range(len(batch))]


def _build(onnx_path, precision="fp16"):
    from linknet_edge.export.tensorrt import build_engine
    return build_engine(onnx_path, precision=precision)


@pytest.mark.parametrize("flavour, cuda, used, unused", [
    ("8.2", "pycuda", "execute_async_v2", "execute_async_v3"),
    ("8.6", "pycuda", "execute_async_v3", "execute_async_v2"),
    ("8.6", "cuda-python-old", "execute_async_v3", "execute_async_v2"),
    ("10.3", "pycuda", "execute_async_v3", "execute_async_v2"),
    ("10.16", "cuda-python", "execute_async_v3", "execute_async_v2"),
    ("11.4", "cuda-python", "execute_async_v3", "execute_async_v2")])
def test_runner_matches_onnxruntime_and_picks_the_path_once_stand_in(
        stand_in, tmp_path, flavour, cuda, used, unused):
    trt, _ = stand_in(FLAVOURS[flavour], *ORIN, cuda=cuda)
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    from linknet_edge.runtime.backends import tensorrt as backend
    runner = backend.load(_build(onnx_path, "fp32"))
    assert runner.execute_path == ("v2" if flavour == "8.2" else "v3")
    assert (runner.spec.num_classes, runner.input_size, runner.precision) == (4, (64, 64), "fp32")
    batch = np.random.RandomState(1).randn(3, 3, 64, 64).astype(np.float32)  # engine batch is 1
    addresses_set = [c for c in trt._CALLS if c[0] == "set_tensor_address"]
    classes = runner.run(batch)
    logits = runner.run_logits(batch)
    reference = _onnxruntime(onnx_path, batch)
    assert classes.dtype == np.int32 and classes.shape == (3, 64, 64)
    np.testing.assert_array_equal(classes, np.concatenate([r[1] for r in reference]))
    np.testing.assert_allclose(logits, np.concatenate([r[0] for r in reference]), rtol=1e-5)
    names = [c[0] for c in trt._CALLS]
    assert names.count(used) == 6 and unused not in names
    # v3 binds addresses once at load, never per frame; v2 never calls set_tensor_address
    assert [c for c in trt._CALLS if c[0] == "set_tensor_address"] == addresses_set
    assert len(addresses_set) == (0 if flavour == "8.2" else 3)
    assert device.MEMORY and device.PINNED
    runner.close()
    assert not device.stack() and not device.MEMORY  # context popped, device memory freed
    assert not device.PINNED  # and the pinned host buffers too


def test_classes_copy_moves_fewer_bytes_than_logits_stand_in(stand_in, tmp_path):
    _, cuda = stand_in()
    from linknet_edge.runtime.backends import tensorrt as backend
    runner = backend.load(_build(write_tiny_onnx(tmp_path / "tiny.onnx")))
    runner.run(np.zeros((1, 3, 64, 64), np.float32))
    copied = [c[1] for c in cuda.CALLS if c[0] == "memcpy_dtoh_async"]
    assert copied == [64 * 64 * 4]  # the int32 class map only, not 4 x 64 x 64 float32 logits
    runner.close()


@pytest.mark.parametrize("flavour, engine_type", [("8.6", np.int32), ("10.3", np.int64)])
def test_argmax_without_cast_int64_on_newer_parsers_stand_in(stand_in, tmp_path, flavour,
                                                             engine_type):
    """An ArgMax output without the Cast: INT32 from 8.x parsers, INT64 from 9.0+ ones; the
    runner accepts both and hands out int32."""
    import onnx
    from onnx import helper
    stand_in(FLAVOURS[flavour], *ORIN)
    onnx_path = str(tmp_path / "argmax.onnx")
    write_tiny_onnx(onnx_path)
    model = onnx.load(onnx_path)
    graph = model.graph
    cast = [n for n in graph.node if n.op_type == "Cast"][0]
    argmax = [n for n in graph.node if n.op_type == "ArgMax"][0]
    argmax.output[0] = "classes"
    graph.node.remove(cast)
    graph.output.remove([o for o in graph.output if o.name == "classes"][0])
    graph.output.extend([helper.make_tensor_value_info("classes", onnx.TensorProto.INT64,
                                                       [1, 64, 64])])
    onnx.save(model, onnx_path)
    from linknet_edge.runtime.backends import tensorrt as backend
    batch = np.random.RandomState(4).randn(2, 3, 64, 64).astype(np.float32)
    with backend.load(_build(onnx_path)) as runner:
        assert runner._classes.dtype is engine_type
        classes = runner.run(batch)
    assert classes.dtype == np.int32
    expected = np.concatenate([r[1] for r in _onnxruntime(onnx_path, batch)])
    np.testing.assert_array_equal(classes, expected)


def test_argmax_on_host_without_classes_output_stand_in(stand_in, tmp_path):
    stand_in("10.3.0.26", *ORIN)
    onnx_path = write_tiny_onnx(tmp_path / "logits.onnx", with_classes=False, seed=3)
    from linknet_edge.runtime.backends import tensorrt as backend
    batch = np.random.RandomState(2).randn(2, 3, 64, 64).astype(np.float32)
    with backend.load(_build(onnx_path)) as runner:
        classes = runner.run(batch)
    expected = np.argmax(np.concatenate([r[0] for r in _onnxruntime(onnx_path, batch)]), axis=1)
    np.testing.assert_array_equal(classes, expected)


def test_logits_unavailable_with_classes_only_engine_stand_in(stand_in, tmp_path):
    stand_in()
    from linknet_edge.runtime.backends import tensorrt as backend
    runner = backend.load(_build(write_tiny_onnx(tmp_path / "tiny.onnx")))
    runner._logits = None  # as an engine exported with classes only
    with pytest.raises(BackendUnavailable, match="only the 'classes' output"):
        runner.run_logits(np.zeros((1, 3, 64, 64), np.float32))
    runner.close()
    runner.close()  # safe twice
    with pytest.raises(BackendUnavailable, match="closed"):
        runner.run(np.zeros((1, 3, 64, 64), np.float32))


def test_context_depth_is_per_thread_stand_in(stand_in):
    """A runner loaded on one thread and closed on another: the closing thread pops only what
    it pushed (a shared depth made it pop the other thread's push: cuCtxPopCurrent failed)."""
    stand_in()
    from linknet_edge.runtime.backends.tensorrt.cuda import CudaContext
    context = CudaContext()
    inside, done, errors = threading.Event(), threading.Event(), []

    def hold():
        with context:
            inside.set()
            done.wait(10)

    def close():
        try:
            with context:
                pass
            context.release()
        except Exception as exc:  # the stand-in raises pycuda's LogicError, as pycuda would
            errors.append(exc)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(10)
    closer = threading.Thread(target=close)
    closer.start()
    closer.join(10)
    done.set()
    holder.join(10)
    assert errors == [] and not device.stack()


def test_refuses_engine_from_another_gpu_or_version_stand_in(stand_in, tmp_path):
    stand_in("8.2.1.8", "NVIDIA Tegra X1", "5.3")
    engine = _build(write_tiny_onnx(tmp_path / "tiny.onnx"))
    from linknet_edge.runtime.backends import tensorrt as backend
    stand_in("8.2.1.8", "NVIDIA Tegra X2", "6.2")
    with pytest.raises(SpecMismatch) as info:
        backend.load(engine)
    message = str(info.value)
    assert "tiny.engine was built for TensorRT 8.2.1.8 on NVIDIA Tegra X1, this is TensorRT " \
           "8.2.1.8 on NVIDIA Tegra X2" in message
    assert "rebuild with `linknet-edge build" in message and "\n" not in message
    stand_in("8.6.1.6", "NVIDIA Tegra X1", "5.3")
    with pytest.raises(SpecMismatch, match="this is TensorRT 8.6.1.6"):
        backend.load(engine)


def test_missing_sidecar_is_explained_stand_in(stand_in, tmp_path):
    stand_in()
    engine = _build(write_tiny_onnx(tmp_path / "tiny.onnx"))
    os.remove(engine + ".json")
    from linknet_edge.runtime.backends import tensorrt as backend
    with pytest.raises(SpecError, match="tiny.engine.json"):
        backend.load(engine)


def test_running_needs_a_cuda_binding_stand_in(stand_in, tmp_path):
    stand_in("10.3.0.26", *ORIN)
    engine = _build(write_tiny_onnx(tmp_path / "tiny.onnx"))
    stand_in("10.3.0.26", *ORIN, cuda=None)
    from linknet_edge.runtime.backends import tensorrt as backend
    with pytest.raises(BackendUnavailable) as info:
        backend.load(engine)
    assert "neither pycuda nor cuda-python is installed" in str(info.value)
    assert "pip3 install cuda-python" in str(info.value)


def test_unavailable_without_tensorrt():
    from linknet_edge.runtime.backends import tensorrt as backend
    if backend.is_available():
        pytest.skip("TensorRT and a CUDA binding are installed here")
    assert "not installed" in backend.unavailable_reason()
    with pytest.raises(BackendUnavailable, match="cannot run x.engine"):
        backend.load("x.engine")


def test_tensorrt_modules_import_without_torch_or_tensorrt():
    code = ("import sys; import linknet_edge.runtime.backends.tensorrt, "
            "linknet_edge.export.tensorrt, linknet_edge.export.calibrate, "
            "linknet_edge.export.trtexec, linknet_edge.export.builders, "
            "linknet_edge.export.build_route, linknet_edge.export.commands.build; "
            "bad = [m for m in ('torch', 'tensorrt', 'pycuda', 'cuda', 'onnx', 'onnxruntime', "
            "'cv2') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout
