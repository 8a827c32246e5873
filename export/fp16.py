"""FP32 ONNX -> FP16 ONNX (weights and activations FP16, input and outputs kept as exported).

Uses onnxconverter-common's converter (``pip install onnxconverter-common``, Python >= 3.8: a
workstation step). TensorRT builds its own FP16 engine from the FP32 file; this FP16 file is for
ONNX Runtime and for checking, before reaching a device, that the network survives FP16:
``activation_peaks`` finds activations beyond FP16's 65504, which an FP16 engine turns into inf.
"""

import logging
import warnings

import numpy as np

from linknet_edge.atomic import atomic_path
from linknet_edge.errors import ExportError, first_line
from linknet_edge.runtime.backends.onnxruntime import create_session

from .tools import require_tools

__all__ = ["convert_fp16", "activation_peaks", "FP16_MAX"]

logger = logging.getLogger(__name__)


def convert_fp16(onnx_path, out_path):
    """Write an FP16 copy of ``onnx_path`` to ``out_path`` (atomically); returns ``out_path``.

    ``input`` stays float32 and ``classes`` int32, ``logits`` stays float32 (``keep_io_types``),
    so every runner feeds and reads the FP16 file exactly like the FP32 one. A uint8 or raw
    input stage stays float32 in front of the FP16 network. Metadata is kept.
    """
    require_tools("fp16", "FP16 conversion")
    import onnx
    from onnxconverter_common import float16
    try:
        model = onnx.load(str(onnx_path))
    except Exception as exc:
        raise ExportError("{}: cannot read ONNX file ({})".format(onnx_path, first_line(exc)))
    # Weights beyond FP16's range are clamped by the converter (max_finite_val) and tiny ones
    # flushed (it warns for each); activations are not clamped: ``activation_peaks`` finds those.
    from linknet_edge.onnx_file import read_onnx_spec
    from .input_form import set_input_form
    spec = read_onnx_spec(onnx_path)
    # The network is converted in its float form, then the input stage goes back in front of
    # the converter's float32 -> float16 Cast (so the stage can still be swapped later).
    float_spec = set_input_form(model, spec, "float")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        converted = float16.convert_float_to_float16(model, keep_io_types=True)
    set_input_form(converted, float_spec, spec.input_form)
    if caught:
        logger.info("FP16: %d weight tensors held values outside FP16's range (clamped, or "
                    "flushed to 1e-7)", len(caught))
    del converted.metadata_props[:]
    converted.metadata_props.extend(model.metadata_props)
    with atomic_path(out_path) as tmp:
        onnx.save(converted, tmp)
    logger.info("wrote FP16 %s", out_path)
    return out_path


FP16_MAX = 65504.0


def activation_peaks(onnx_path, batch):
    """``{tensor name: max |value|}`` of every float tensor of the FP32 graph over ``batch``.

    ONNX Runtime's CPU provider computes ops without FP16 kernels in FP32 (it drops the casts
    between them), so an FP16 overflow inside the network would go unseen there; the FP32
    activations show where TensorRT's FP16 engine would saturate (anything above 65504).
    """
    import onnx
    from onnx import TensorProto, shape_inference
    model = shape_inference.infer_shapes(onnx.load(str(onnx_path)))
    graph = model.graph
    known = {o.name for o in graph.output}
    for info in graph.value_info:
        if info.type.tensor_type.elem_type == TensorProto.FLOAT and info.name not in known:
            graph.output.extend([info])
    session = create_session(model.SerializeToString(), quiet=True)
    names = [o.name for o in session.get_outputs()]
    feed = session.get_inputs()[0].name
    peaks = {}
    for i in range(len(batch)):
        for name, value in zip(names, session.run(names, {feed: batch[i:i + 1]})):
            if value.dtype.kind == "f" and value.size:
                peaks[name] = max(peaks.get(name, 0.0), float(np.abs(value).max()))
    return peaks
