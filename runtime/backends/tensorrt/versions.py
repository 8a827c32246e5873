"""Every piece of TensorRT version knowledge, in one module. Stdlib only; imports no TensorRT.

- ``Capabilities``: what an installed ``tensorrt`` module offers, probed with ``hasattr`` (never
  from its version string). Generations: 8.2 binding API, ``max_workspace_size``, implicit batch
  still exists so ONNX needs EXPLICIT_BATCH; 8.4 memory pools; 8.5 named I/O tensors and
  ``execute_async_v3``; 10.0 binding API and implicit batch removed (EXPLICIT_BATCH deprecated,
  ignored); 10.12 precision flags deprecated for strong typing; 11 no FP16/INT8 flags, no
  calibrators, no EXPLICIT_BATCH: networks are always strongly typed (precision from the ONNX).
- ``trtexec_flags``: trtexec's command line per *binary* version (``samples/common/
  sampleOptions.cpp`` of each release): ``--explicitBatch`` up to 9.x; ``--workspace=MiB`` before
  8.4, ``--memPoolSize=workspace:N`` after; ``--buildOnly`` before 8.6, ``--skipInference`` after;
  11.x rejects ``--fp16 --int8 --calib --best --workspace --explicitBatch --buildOnly``.
- ``decode_version_number``: NV_TENSORRT_VERSION as trtexec's ``&&&& RUNNING TensorRT.trtexec
  [TensorRT v8201]`` line and the calibration cache header ``TRT-8201-EntropyCalibration2`` print
  it (8.x: M*1000+m*100+p; 10.x+: M*10000+m*100+p).
- ``PARSER_OPS``: the ONNX operators a TensorRT ONNX parser imports, per version.
- ``DTYPE_NAMES``: ``trt.DataType`` member name -> numpy dtype name (``trt.nptype`` of 8.2-8.5.2
  uses ``np.bool``, which numpy 1.24-1.26 lack, so the project never calls it).
- uint8 network inputs: ``DataType.UINT8`` and the ONNX parser's mapping of a UINT8 input
  arrived in 8.5 (onnx-tensorrt release/8.5-GA ``convertDtype``; 8.2-GA has no UINT8 case, so
  ``importInput`` fails with "Failed to convert ONNX date type to TensorRT data type."), and a
  UINT8 tensor may only be cast to FLOAT/HALF (8.5-GA Cast importer): ``Capabilities.
  has_uint8_input`` for a module, ``uint8_input_supported`` for a trtexec binary's version.
"""

import re

__all__ = ["parse_version", "version_text", "Capabilities", "trtexec_flags",
           "trtexec_has_precision_flags", "trtexec_version_from_output", "decode_version_number",
           "calibration_cache_version", "ParserOps", "PARSER_OPS", "parser_ops", "DTYPE_NAMES",
           "strongly_typed_flags", "uint8_input_supported", "UINT8_INPUT_SINCE"]


def parse_version(text):
    """``"8.2.1.8"`` -> ``(8, 2, 1, 8)``; stops at the first non-numeric part (``"10.0.0b6"``).

    Versions are compared as int tuples, never as text ("10.0" < "8.6" as strings).
    """
    if isinstance(text, tuple):
        return text
    numbers = []
    for part in str(text).split("."):
        digits = re.match(r"\d*", part).group(0)
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(numbers)


def version_text(version):
    """``(8, 2, 1)`` -> ``"8.2.1"``."""
    return ".".join(str(v) for v in version)


def strongly_typed_flags(module):
    """``create_network`` flags for a strongly typed network: the bit of STRONGLY_TYPED where the
    module has the member (its value is 2 in 9.x, 1 in 10.x, 0 in 11.x), else 0 (11.x is strongly
    typed anyway)."""
    flag = getattr(module.NetworkDefinitionCreationFlag, "STRONGLY_TYPED", None)
    return 0 if flag is None else 1 << int(flag)


class Capabilities(object):
    """What an installed TensorRT offers, probed once from its classes (not its version)."""

    def __init__(self, module):
        self.version_text = str(module.__version__)
        self.version = parse_version(self.version_text)
        creation = module.NetworkDefinitionCreationFlag
        #: named I/O tensors + execute_async_v3 (8.5+); the only path from 10.0
        self.has_tensor_api = hasattr(module.ICudaEngine, "num_io_tensors")
        #: binding API + execute_async_v2 (up to 9.x)
        self.has_binding_api = hasattr(module.ICudaEngine, "num_bindings")
        #: config.set_memory_pool_limit (8.4+); else config.max_workspace_size
        self.has_memory_pool = hasattr(module.IBuilderConfig, "set_memory_pool_limit")
        #: builder.build_serialized_network (8.0+); else build_engine + serialize
        self.has_serialized_build = hasattr(module.Builder, "build_serialized_network")
        #: implicit batch still exists (Builder.max_batch_size, gone in 10.0), so an ONNX
        #: network must ask for EXPLICIT_BATCH; 10.x keeps the member but ignores it
        self.needs_explicit_batch_flag = (hasattr(module.Builder, "max_batch_size")
                                          and hasattr(creation, "EXPLICIT_BATCH"))
        #: BuilderFlag.FP16/INT8 (8.x-10.x; deprecated in 10.12, removed in 11)
        self.has_precision_flags = all(hasattr(module.BuilderFlag, name)
                                       for name in ("FP16", "INT8"))
        #: INT8 calibration from images (IInt8EntropyCalibrator2 + config.int8_calibrator)
        self.has_calibrator = (hasattr(module, "IInt8EntropyCalibrator2")
                               and hasattr(module.IBuilderConfig, "int8_calibrator"))
        #: NetworkDefinitionCreationFlag.STRONGLY_TYPED (9.0+; ignored in 11: always on)
        self.has_strongly_typed_flag = hasattr(creation, "STRONGLY_TYPED")
        #: DataType.UINT8 (8.5+): an ONNX with a uint8 input parses and runs
        self.has_uint8_input = hasattr(module.DataType, "UINT8")

    @property
    def execute_path(self):
        """``"v3"`` (tensor addresses) where offered, else ``"v2"`` (bindings)."""
        return "v3" if self.has_tensor_api else "v2"

    @property
    def strongly_typed_only(self):
        """True where precision can only come from the ONNX graph (no precision flags)."""
        return not self.has_precision_flags

    def to_dict(self):
        names = ("has_tensor_api", "has_binding_api", "has_memory_pool", "has_serialized_build",
                 "needs_explicit_batch_flag", "has_precision_flags", "has_calibrator",
                 "has_strongly_typed_flag", "has_uint8_input")
        return dict((name, getattr(self, name)) for name in names)


#: the first TensorRT whose ONNX parser takes a uint8 network input (onnx-tensorrt 8.5-GA)
UINT8_INPUT_SINCE = (8, 5)


def uint8_input_supported(version):
    """True where a TensorRT (or trtexec binary) of ``version`` parses a uint8 ONNX input."""
    return parse_version(version) >= UINT8_INPUT_SINCE


# -- trtexec ----------------------------------------------------------------------------------

_RUNNING = re.compile(r"&&&& RUNNING TensorRT\.trtexec \[TensorRT v(\d+)\]")


def decode_version_number(number):
    """NV_TENSORRT_VERSION -> ``(major, minor, patch)``: 8201 -> (8, 2, 1), 100300 -> (10, 3, 0).

    8.x (and 7.x) encode M*1000 + m*100 + p, 10.x and 11.x M*10000 + m*100 + p
    (include/NvInferRuntimeBase.h of each release).
    """
    number = int(number)
    if number < 10000:
        return number // 1000, (number // 100) % 10, number % 100
    return number // 10000, (number // 100) % 100, number % 100


def trtexec_version_from_output(text):
    """The TensorRT version trtexec was built with, from the ``&&&& RUNNING`` line every run
    prints first (``[TensorRT v8201]``; 10.4+ append ``[b72]``), or None."""
    match = _RUNNING.search(text)
    return decode_version_number(match.group(1)) if match else None


def trtexec_has_precision_flags(version):
    """``--fp16``/``--int8``/``--calib`` exist up to 10.x; trtexec 11.x rejects them."""
    return parse_version(version) < (11,)


def trtexec_flags(version, workspace_mib, precision=None, calib_cache=None,
                  fp16_fallback=False):
    """trtexec options (after ``--onnx``/``--saveEngine``) for a trtexec binary of ``version``.

    ``precision`` "fp16"/"int8" asks for builder flags, which trtexec 11.x no longer has: there
    pass None and build the FP16 or Q/DQ ONNX (its precision comes from the graph). INT8 with
    ``calib_cache`` adds ``--calib``; without it (a Q/DQ graph) ``--int8`` alone.
    ``fp16_fallback`` adds ``--fp16`` to INT8 (layers without INT8 kernels run in FP16).
    """
    version = parse_version(version)
    flags = []
    if version < (10,):
        flags.append("--explicitBatch")  # deprecated no-op from 8.2, an unknown option from 10.0
    if version < (8, 4):
        flags.append("--workspace={}".format(int(workspace_mib)))
    elif version < (10,):
        flags.append("--memPoolSize=workspace:{}".format(int(workspace_mib)))  # MiB, no suffix
    else:
        flags.append("--memPoolSize=workspace:{}M".format(int(workspace_mib)))
    if precision in ("fp16", "int8"):
        if not trtexec_has_precision_flags(version):
            raise ValueError("trtexec {} has no precision flags; build the {} ONNX instead".format(
                version_text(version), precision))
        if precision == "fp16" or fp16_fallback:
            flags.append("--fp16")
        if precision == "int8":
            flags.append("--int8")
            if calib_cache:
                flags.append("--calib={}".format(calib_cache))
    flags.append("--buildOnly" if version < (8, 6) else "--skipInference")
    return flags


# -- INT8 calibration cache -------------------------------------------------------------------

_CACHE_HEADER = re.compile(br"^TRT-(\d+)-([A-Za-z0-9]+)")


def calibration_cache_version(data):
    """``(version tuple, algorithm)`` from a calibration cache's first line
    (``TRT-8201-EntropyCalibration2``), or None if the bytes do not start with that header."""
    match = _CACHE_HEADER.match(bytes(data[:64]))
    if match is None:
        return None
    return decode_version_number(match.group(1)), match.group(2).decode("ascii")


# -- ONNX parser operator tables ---------------------------------------------------------------

class ParserOps(object):
    """Operators one ONNX parser imports: ``supported`` ("Y"), ``experimental``, ``max_opset``,
    per-op ``restrictions``, Resize modes, and the ``source`` they were read from."""

    def __init__(self, max_opset, supported, experimental, restrictions, resize_modes,
                 resize_coordinate_modes, source):
        self.max_opset = max_opset
        self.supported = frozenset(supported.split())
        self.experimental = frozenset(experimental.split())
        self.restrictions = restrictions
        self.resize_modes = resize_modes
        self.resize_coordinate_modes = resize_coordinate_modes
        self.source = source


#: version -> operators; read from onnx-tensorrt's ``docs/operators.md``.
PARSER_OPS = {
    (8, 2): ParserOps(
        max_opset=13,
        supported="""
Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BatchNormalization Cast Ceil
Celu Clip Concat Constant ConstantOfShape Conv ConvTranspose Cos Cosh CumSum DepthToSpace
DequantizeLinear Div Dropout Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor Gather
GatherElements GatherND Gemm GlobalAveragePool GlobalLpPool GlobalMaxPool Greater GreaterOrEqual
GRU HardSigmoid Identity If ImageScaler InstanceNormalization IsNaN LeakyRelu Less LessOrEqual Log
LogSoftmax Loop LpNormalization LpPool LRN LSTM MatMul Max MaxPool Mean Min Mul Neg Not Or Pad
ParametricSoftplus Pow PRelu QuantizeLinear RandomUniform RandomUniformLike Range ReduceL1
ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum
ReduceSumSquare Relu Reshape Resize ReverseSequence RNN Round ScaledTanh Scan Scatter
ScatterElements ScatterND Selu Shape Sigmoid Sign Sin Sinh Size Slice Softmax Softplus Softsign
SpaceToDepth Split Sqrt Squeeze Sub Sum Tan Tanh ThresholdedRelu Tile TopK Transpose Unsqueeze
Upsample Where""",
        experimental="NonMaxSuppression",
        restrictions={
            "Conv": "2D or 3D convolutions only; weights W must be an initializer",
            "ConvTranspose": "2D or 3D deconvolutions only; weights W must be an initializer",
            "DequantizeLinear": "x_zero_point must be zero",
            "QuantizeLinear": "y_zero_point must be 0",
            "MaxPool": "2D or 3D pooling only; Indices output unsupported",
            "Resize": "modes nearest/linear; coordinate modes half_pixel, pytorch_half_pixel, "
                      "tf_half_pixel_for_nn, asymmetric, align_corners",
        },
        resize_modes=("nearest", "linear"),
        resize_coordinate_modes=("half_pixel", "pytorch_half_pixel", "tf_half_pixel_for_nn",
                                 "asymmetric", "align_corners"),
        source="onnx/onnx-tensorrt branch release/8.2-GA (commit f42daeee), docs/operators.md: "
               "'TensorRT 8.2 supports operators up to Opset 13'; 128 operators marked Y, "
               "NonMaxSuppression 'Y [EXPERIMENTAL]', Xor 'N' (its importer arrived in 8.4-GA)"),
}


def parser_ops(version=(8, 2)):
    """The ``ParserOps`` of the newest table at or below ``version`` (only 8.2 is recorded)."""
    version = parse_version(version)[:2]
    known = sorted(v for v in PARSER_OPS if v <= version) or sorted(PARSER_OPS)
    return PARSER_OPS[known[-1]]


#: ``trt.DataType`` member name -> numpy dtype name. INT64 (9.0+): the 9.x/10.x ONNX parser
#: keeps an ArgMax's indices INT64 (8.x casts them to INT32).
DTYPE_NAMES = {"FLOAT": "float32", "HALF": "float16", "INT8": "int8", "INT32": "int32",
               "INT64": "int64", "BOOL": "bool", "UINT8": "uint8"}
