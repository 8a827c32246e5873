"""FP32 ONNX -> INT8 ONNX by static quantization, calibrated on real images, in the form that is
fast where it runs (``target``):

- ``tensorrt``: QuantizeLinear/DequantizeLinear pairs, symmetric signed INT8 (S8S8: zero zero
  points, as TensorRT's explicit quantization requires), per-channel weights, on Conv,
  ConvTranspose, Add and MaxPool: the graph TensorRT 8.x-10.x takes on Xavier/Orin and the only
  INT8 route of TensorRT 11. ONNX Runtime's CPU kernels run it barely faster than FP32.
- ``cpu``: ONNX Runtime's own operators (QOperator: QLinearConv, QLinearAdd), unsigned INT8
  activations with zero points and signed per-channel weights (U8S8), on Conv and the residual
  Adds, so consecutive quantized ops hand uint8 to each other. MaxPool stays float (with its
  Adds): ONNX Runtime's uint8 MaxPool measured 14-30x slower than its float one here. For
  ONNX Runtime on x86 and Arm CPUs; TensorRT cannot parse it (``build`` refuses it).

In both the convolutions that read the normalised image (the stem) stay float: quantizing the
image itself cost 9.4 mIoU points on CamVid val (S8S8; 9.2 with U8S8), keeping that one layer
float cost nothing. A uint8/raw input stage (``export.input_form``) stays float too. TX1, TX2
and Nano have no INT8 (compute capability 5.3/6.2): build FP16 there.
Measured forms and calibration methods: docs/export.md ("INT8: two forms").
"""

import contextlib
import logging
import os

from linknet_edge.atomic import atomic_path
from linknet_edge.errors import BackendUnavailable, ExportError, first_line
from linknet_edge.preprocessing import prepare_batch

from .sample_images import read_images

__all__ = ["quantize_int8", "QUANTIZED_OPS", "TARGETS", "CALIBRATION_METHODS",
           "TARGET_KEY"]

logger = logging.getLogger(__name__)

#: target -> ops that get INT8 inputs. Resize (residual decoder) stays float (TensorRT 8.2
#: resizes in FP32/FP16 only), so do ArgMax and the BN left after ConvTranspose.
QUANTIZED_OPS = {"tensorrt": ("Conv", "ConvTranspose", "Add", "MaxPool"),
                 "cpu": ("Conv", "Add")}
TARGETS = tuple(sorted(QUANTIZED_OPS))
#: calibration methods (onnxruntime's CalibrationMethod); on CamVid val MinMax, Entropy and
#: Percentile (99.999) agreed within 0.1 point (docs/export.md), MinMax is the quickest
CALIBRATION_METHODS = ("minmax", "entropy", "percentile")
#: metadata key recording which target an INT8 file was made for
TARGET_KEY = "linknet_edge.int8_target"


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


def _float_nodes(model_path, input_name, target):
    """Nodes kept float: the convolutions that read the (normalised) image, and for the CPU
    form the Adds that read a MaxPool output (so the MaxPool stays float)."""
    import onnx
    from .input_form import NORMALIZED
    graph = onnx.load(model_path, load_external_data=False).graph
    image = {input_name, NORMALIZED}
    names = [n.name for n in graph.node if n.op_type == "Conv" and image & set(n.input)]
    if target == "cpu":
        pooled = set(o for n in graph.node if n.op_type == "MaxPool" for o in n.output)
        names += [n.name for n in graph.node if n.op_type == "Add" and pooled & set(n.input)]
    return names


def _options(target, method):
    """quantize_static keywords for ``target``."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType
    options = dict(op_types_to_quantize=list(QUANTIZED_OPS[target]), per_channel=True,
                   weight_type=QuantType.QInt8,
                   calibrate_method={"minmax": CalibrationMethod.MinMax,
                                     "entropy": CalibrationMethod.Entropy,
                                     "percentile": CalibrationMethod.Percentile}[method])
    extra = {"CalibPercentile": 99.999} if method == "percentile" else {}
    if target == "tensorrt":
        options.update(quant_format=QuantFormat.QDQ, activation_type=QuantType.QInt8)
        extra.update(ActivationSymmetric=True, WeightSymmetric=True)
    else:
        options.update(quant_format=QuantFormat.QOperator, activation_type=QuantType.QUInt8)
    options["extra_options"] = extra
    return options


def quantize_int8(onnx_path, out_path, calib, calib_count=32, spec=None, target="tensorrt",
                  method="minmax"):
    """Write an INT8 copy of ``onnx_path`` for ``target`` ("tensorrt": symmetric Q/DQ; "cpu":
    ONNX Runtime's U8S8 QOperator form) to ``out_path``, calibrated on images with ``method``
    (one of ``CALIBRATION_METHODS``).

    ``calib``: a folder, glob or list of real images (``calib_count`` of them, evenly spread),
    preprocessed with ``prepare_batch`` exactly like at run time. Metadata is kept, and the
    target recorded under ``TARGET_KEY``. Returns ``out_path``.
    """
    import onnx
    if target not in TARGETS:
        raise ExportError("INT8 target {!r}: choose from {}".format(target, ", ".join(TARGETS)))
    if method not in CALIBRATION_METHODS:
        raise ExportError("calibration method {!r}: choose from {}".format(
            method, ", ".join(CALIBRATION_METHODS)))
    try:
        from onnxruntime.quantization import quantize_static
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
        # NAME.pre.tmpPID: a name that the next write's sweep removes if a kill leaves it
        prepared_path = "{}.pre.tmp{}".format(out_path, os.getpid())
        try:
            with _quiet_root_logger():
                prepared = _prepare(source, prepared_path)
                quantize_static(prepared, tmp, _calibration_reader(batch, input_name),
                                nodes_to_exclude=_float_nodes(prepared, input_name, target),
                                **_options(target, method))
        finally:
            if os.path.exists(prepared_path):
                os.remove(prepared_path)
        quantized = onnx.load(tmp)
        del quantized.metadata_props[:]
        quantized.metadata_props.extend(source.metadata_props)
        entry = quantized.metadata_props.add()
        entry.key, entry.value = TARGET_KEY, target
        onnx.save(quantized, tmp)
    where = calib if isinstance(calib, str) else os.path.commonpath([str(p) for p in calib])
    logger.info("wrote INT8 %s for %s (%s calibration on %d images from %s)", out_path, target,
                method, len(batch), where)
    return out_path
