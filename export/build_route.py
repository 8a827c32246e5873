"""How a TensorRT engine gets the precision asked for: builder flags, or a strongly typed network.

TensorRT up to 10.x sets precision with builder flags (FP16; INT8 + a calibrator over real
images). TensorRT 11 has neither (10.12 deprecated them): a network is strongly typed and its
precision is the ONNX graph's, so FP16 needs an FP16 ONNX (``export.fp16.convert_fp16``, float32
I/O) and INT8 the symmetric Q/DQ ONNX of ``export.quantize.quantize_int8``. ``choose_route``
decides from what the TensorRT (or trtexec binary) offers and what the ONNX already is; an FP32
ONNX is converted to a sibling file where the tools are importable (onnx + onnxconverter-common;
onnx + onnxruntime and ``--calib`` images for INT8), else refused with the workstation command.
A requested precision is never silently downgraded.

A uint8-input ONNX (``export --input uint8``, the default) meets a TensorRT without uint8 tensors
(before 8.5: JetPack 4.6) in ``adapt_input``: it becomes its ``raw`` sibling (float32 RGB 0-255,
normalisation still in the graph), or, without the ``onnx`` package, a one-line refusal naming
``export --input raw``.
"""

import importlib
import logging
import os

from linknet_edge.errors import BackendUnavailable, EngineBuildError, first_line
from linknet_edge.onnx_file import read_onnx_info

from .tools import missing_tools

__all__ = ["Route", "choose_route", "adapt_input", "CONVERTED_FROM_KEY"]

logger = logging.getLogger(__name__)

#: metadata key of a converted sibling: the sha256 of the ONNX file it was converted from.
CONVERTED_FROM_KEY = "linknet_edge.converted_from"
_WORDS = {"fp32": "FP32", "fp16": "FP16", "int8": "INT8 (Q/DQ)"}


class Route(object):
    """``name`` (a ``sidecar.ROUTES`` entry), the ``onnx_path`` to parse, ``strongly_typed``,
    builder ``flags`` (names of ``trt.BuilderFlag`` members), ``calibrate`` (INT8 from images)."""

    def __init__(self, name, onnx_path, strongly_typed=False, flags=(), calibrate=False,
                 converted=False):
        self.name, self.onnx_path, self.strongly_typed = name, onnx_path, strongly_typed
        self.flags, self.calibrate, self.converted = tuple(flags), calibrate, converted

    def __repr__(self):
        return "Route({!r}, {!r}, flags={})".format(self.name, self.onnx_path, self.flags)


def _sibling(onnx_path, precision):
    return "{}.{}.onnx".format(os.path.splitext(onnx_path)[0], precision)


def _fresh(path, source_sha):
    """True if ``path`` is a sibling converted from the ONNX whose sha256 is ``source_sha``."""
    if not os.path.isfile(path):
        return False
    try:
        return read_onnx_info(path).metadata.get(CONVERTED_FROM_KEY) == source_sha
    except Exception:  # unreadable: convert again
        return False


def _mark(path, source_sha):
    import onnx
    from linknet_edge.atomic import atomic_path
    model = onnx.load(path)
    entry = model.metadata_props.add()
    entry.key, entry.value = CONVERTED_FROM_KEY, source_sha
    with atomic_path(path) as tmp:
        onnx.save(model, tmp)


def _convert(onnx_path, precision, source_sha, calib_dir, trt_words):
    """The sibling FP16 / Q-DQ ONNX of ``onnx_path``: reused if converted from this very file,
    else written now; ``EngineBuildError`` with the workstation command where it cannot be."""
    target = _sibling(onnx_path, precision)
    if _fresh(target, source_sha):
        logger.info("%s: reusing %s, converted from this ONNX earlier", onnx_path, target)
        return target
    command = "`linknet-edge quantize {} --precision {} -o {}{}`".format(
        onnx_path, precision, target, " --calib IMAGES" if precision == "int8" else "")
    why = "{} builds {} only from {} ONNX and {} is FP32".format(
        trt_words, _WORDS[precision], "an FP16" if precision == "fp16" else "a Q/DQ", onnx_path)
    missing = missing_tools(precision)
    if missing:
        raise EngineBuildError("{}; converting it needs {}, not importable here: on the "
                               "workstation run {}, copy {} here and build it".format(
                                   why, missing, command, os.path.basename(target)))
    if precision == "int8" and calib_dir is None:
        raise EngineBuildError("{}; give --calib DIR (real frames) to quantize it here, or run "
                               "{} on the workstation and build that file".format(why, command))
    logger.info("%s: %s; converting to %s", onnx_path, why, target)
    try:
        if precision == "fp16":
            from .fp16 import convert_fp16
            convert_fp16(onnx_path, target)
        else:
            from .quantize import quantize_int8
            quantize_int8(onnx_path, target, calib_dir)
    except BackendUnavailable as exc:
        raise EngineBuildError("{}; {}: run {} on the workstation".format(why, exc, command))
    _mark(target, source_sha)
    return target


def adapt_input(onnx_path, info, has_uint8_input, source_sha, trt_words="this TensorRT"):
    """``(path, info)`` of the ONNX this TensorRT can parse: ``onnx_path`` itself, or for a uint8
    input on a TensorRT without uint8 tensors its ``raw``-input sibling (reused if converted
    from this very file, else written now). ONNX Runtime's CPU INT8 form is refused."""
    if "QLinearConv" in info.op_types:
        raise EngineBuildError("{} is ONNX Runtime's CPU INT8 form (QLinearConv, `quantize "
                               "--target cpu`), which TensorRT cannot parse: build the FP32 ONNX "
                               "with --precision int8, or its Q/DQ form (`quantize --target "
                               "tensorrt`)".format(onnx_path))
    if info.input.dtype != "uint8" or has_uint8_input:
        return onnx_path, info
    target = _sibling(onnx_path, "raw")
    why = ("{} has no uint8 tensors (DataType.UINT8 came with TensorRT 8.5) and {} takes the "
           "uint8 camera image".format(trt_words, onnx_path))
    if _fresh(target, source_sha):
        logger.info("%s: reusing %s, its raw-input form converted earlier", onnx_path, target)
        return target, read_onnx_info(target)
    try:
        importlib.import_module("onnx")  # the conversion edits the graph with it
    except ImportError as exc:
        raise EngineBuildError("{}; converting it to the float 0-255 input needs the onnx package "
                               "({}): export with `--input raw` on the workstation (the engine "
                               "still normalises) and build that file".format(why, first_line(exc)))
    from .input_form import convert_input_form
    logger.info("%s; building its raw-input form %s (float32 RGB 0-255, normalised in the "
                "engine)", why, target)
    convert_input_form(onnx_path, target, "raw")
    _mark(target, source_sha)
    return target, read_onnx_info(target)


def choose_route(onnx_path, onnx_precision, precision, has_precision_flags, source_sha,
                 calib_dir=None, trt_words="this TensorRT"):
    """The ``Route`` that builds a ``precision`` engine from ``onnx_path``.

    ``onnx_precision`` is what the file already is ("fp32", "fp16", "int8" for Q/DQ);
    ``has_precision_flags`` whether the builder (or trtexec binary) has FP16/INT8 flags.
    """
    if onnx_precision != "fp32" and onnx_precision != precision:
        raise EngineBuildError("{} is an {} ONNX: build it with --precision {}, or give the FP32 "
                               "ONNX for a {} engine".format(onnx_path, _WORDS[onnx_precision],
                                                            onnx_precision, precision))
    if has_precision_flags:
        flags = {"fp32": (), "fp16": ("FP16",), "int8": ("INT8",)}[precision]
        suffix = {"fp32": "", "fp16": "-fp16-onnx", "int8": "-qdq-onnx"}[onnx_precision]
        return Route("builder-flags" + suffix, onnx_path, flags=flags,
                     calibrate=precision == "int8" and onnx_precision == "fp32")
    name = {"fp32": "strongly-typed-fp32-onnx", "fp16": "strongly-typed-fp16-onnx",
            "int8": "strongly-typed-qdq-onnx"}[precision]
    if onnx_precision == precision:
        return Route(name, onnx_path, strongly_typed=True)
    return Route(name, _convert(onnx_path, precision, source_sha, calib_dir, trt_words),
                 strongly_typed=True, converted=True)
