"""FP32 ONNX -> INT8 ONNX by static QDQ quantization, calibrated on real images.

The result runs on ONNX Runtime (x86 CPUs with VNNI gain most) and is the explicitly-quantized
graph TensorRT 8.x takes on Xavier/Orin: QuantizeLinear/DequantizeLinear pairs with zero zero
points (TensorRT requires symmetric INT8), per-channel weight scales, INT8 activations.
TX1, TX2 and Nano have no INT8 (compute capability 5.3/6.2): build FP16 there.
"""

import contextlib
import logging
import os

from linknet_edge.atomic import atomic_path
from linknet_edge.errors import BackendUnavailable, ExportError, first_line
from linknet_edge.preprocessing import prepare_batch

from .sample_images import read_images

__all__ = ["quantize_int8", "QUANTIZED_OPS"]

logger = logging.getLogger(__name__)

#: Ops that get INT8 inputs. Resize (residual decoder) stays float: TensorRT 8.2 resizes in
#: FP32/FP16 only; ArgMax and the BN left after ConvTranspose stay float as well.
QUANTIZED_OPS = ("Conv", "ConvTranspose", "Add", "MaxPool")


def _calibration_reader(batch, input_name):
    """An onnxruntime ``CalibrationDataReader`` feeding ``batch`` one image at a time."""
    from onnxruntime.quantization import CalibrationDataReader

    class ImageCalibrationReader(CalibrationDataReader):
        def __init__(self):
            self.index = 0

        def get_next(self):
            if self.index >= len(batch):
                return None
            self.index += 1
            return {input_name: batch[self.index - 1:self.index]}

        def rewind(self):
            self.index = 0

    return ImageCalibrationReader()


@contextlib.contextmanager
def _quiet_root_logger():
    """ONNX Runtime's quantizer logs one INFO line per copied bias on the root logger."""
    level = logging.root.level
    logging.root.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logging.root.setLevel(level)


def _prepare(source, out_path):
    """Opset 13 (per-channel Q/DQ has an ``axis`` only from 13), then ONNX Runtime's
    pre-quantization pass (shape inference, BN folding) where this onnxruntime has it.
    Writes ``out_path`` and returns it."""
    import onnx
    from onnx import version_converter
    opset = max([e.version for e in source.opset_import if e.domain in ("", "ai.onnx")] or [0])
    if opset < 13:
        logger.info("INT8: converting opset %d -> 13 (per-channel quantization needs it)", opset)
        source = version_converter.convert_version(source, 13)
    onnx.save(source, out_path)
    try:
        from onnxruntime.quantization.shape_inference import quant_pre_process
    except ImportError:
        return out_path
    try:
        quant_pre_process(out_path, out_path, skip_symbolic_shape=True)
    except Exception as exc:  # the pass is an optimisation; quantizing without it still works
        logger.warning("quantization pre-processing skipped: %s", first_line(exc))
    return out_path


def _stem_convs(model_path, input_name):
    """Names of the convolutions that read the network input directly (the 7x7 stem).

    They stay float: quantizing the normalised image itself cost 9.4 mIoU points on CamVid val
    at 480x352 (24.1 -> 14.7 %), while keeping this one layer float cost nothing (+0.16).
    """
    import onnx
    graph = onnx.load(model_path, load_external_data=False).graph
    return [n.name for n in graph.node if n.op_type == "Conv" and input_name in n.input]


def quantize_int8(onnx_path, out_path, calib, calib_count=32, spec=None):
    """Write an INT8 QDQ copy of ``onnx_path`` to ``out_path``, calibrated on images.

    ``calib``: a folder, glob or list of real images (``calib_count`` of them, evenly spread),
    preprocessed with ``prepare_batch`` exactly like at run time. Metadata is kept.
    Returns ``out_path``.
    """
    import onnx
    try:
        from onnxruntime.quantization import (CalibrationMethod, QuantFormat, QuantType,
                                              quantize_static)
    except ImportError:
        raise BackendUnavailable("INT8 quantization needs onnxruntime: pip install onnxruntime")
    if spec is None:
        from linknet_edge.onnx_file import read_onnx_spec
        spec = read_onnx_spec(onnx_path)
    if calib is None:
        raise ExportError("{}: INT8 needs calibration images (--calib DIR of real frames)".format(
            onnx_path))
    batch = prepare_batch(read_images(calib, calib_count), spec)
    source = onnx.load(str(onnx_path), load_external_data=False)
    input_name = source.graph.input[0].name
    with atomic_path(out_path) as tmp:
        prepared_path = tmp + ".pre.onnx"
        try:
            with _quiet_root_logger():
                prepared = _prepare(source, prepared_path)
                quantize_static(
                    prepared, tmp, _calibration_reader(batch, input_name),
                    quant_format=QuantFormat.QDQ, op_types_to_quantize=list(QUANTIZED_OPS),
                    nodes_to_exclude=_stem_convs(prepared, input_name),
                    per_channel=True, activation_type=QuantType.QInt8,
                    weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                    extra_options={"ActivationSymmetric": True, "WeightSymmetric": True})
        finally:
            if os.path.exists(prepared_path):
                os.remove(prepared_path)
        quantized = onnx.load(tmp)
        del quantized.metadata_props[:]
        quantized.metadata_props.extend(source.metadata_props)
        onnx.save(quantized, tmp)
    logger.info("wrote INT8 %s (calibrated on %d images from %s)", out_path, len(batch), calib)
    return out_path
