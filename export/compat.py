"""TensorRT 8.2 (JetPack 4.6, the last release for TX1/TX2/Nano) compatibility of an ONNX graph.

Checks the opset, every operator against the 8.2-GA parser's table
(``runtime.backends.tensorrt.versions.PARSER_OPS``; an experimental operator, NonMaxSuppression,
is a warning), the ConvTranspose attributes TensorRT's deconvolution takes, zero points of Q/DQ
nodes, and Resize: only the residual-decoder variant may have one, and it is flagged as not
TX1-safe. A uint8 input (8.2 has no uint8 tensors) is no error: ``build`` on a TensorRT before
8.5 converts the file to its raw float input first (``export.build_route.adapt_input``); the
report says so.
Needs the ``onnx`` package, not torch.
"""

import collections

from linknet_edge.errors import ExportError, first_line
from linknet_edge.onnx_file import ONNX_DTYPES
from linknet_edge.runtime.backends.tensorrt.versions import parser_ops

__all__ = ["CompatFinding", "CompatReport", "check_tensorrt_compat"]

trt82 = parser_ops((8, 2))


class CompatFinding(object):
    """One flagged node: ``level`` is "error" (the 8.2 parser rejects it) or "warning"."""

    def __init__(self, level, op, node, message):
        self.level, self.op, self.node, self.message = level, op, node, message

    def __repr__(self):
        return "CompatFinding({!r}, {!r}, {!r})".format(self.level, self.op, self.message)


class CompatReport(object):
    """``passed`` when nothing is an error; ``tx1_safe`` when there is no Resize either."""

    def __init__(self, opset, op_counts, findings, input_dtype="float32"):
        self.opset = opset
        self.op_counts = op_counts
        self.findings = findings
        self.input_dtype = input_dtype

    @property
    def errors(self):
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self):
        return [f for f in self.findings if f.level == "warning"]

    @property
    def passed(self):
        return not self.errors

    @property
    def tx1_safe(self):
        return self.passed and "Resize" not in self.op_counts

    def rows(self):
        ops = ", ".join("{} x{}".format(op, n) for op, n in sorted(self.op_counts.items()))
        rows = [("TensorRT 8.2 opset", "{} (parser accepts up to {})".format(
                    self.opset, trt82.max_opset)),
                ("operators", ops),
                ("input", self.input_dtype if self.input_dtype != "uint8" else
                 "uint8: TensorRT 8.2 has no uint8 tensors; `build` there converts the file to "
                 "its float 0-255 (raw) input, normalised in the engine"),
                ("TensorRT 8.2 parse", "OK" if self.passed else "FAIL ({} errors)".format(
                    len(self.errors))),
                ("TX1-safe", "yes" if self.tx1_safe else "NO")]
        grouped = collections.OrderedDict()
        for finding in self.findings:
            grouped.setdefault((finding.level, finding.op, finding.message), []).append(
                finding.node)
        for (level, op, message), nodes in grouped.items():
            where = nodes[0] + (" and {} more".format(len(nodes) - 1) if len(nodes) > 1 else "")
            rows.append(("{} {}".format(level, op), "{} [{}]".format(message, where)))
        return rows


def _attributes(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _arch_tx1_safe(arch):
    """The registry's verdict for ``arch``, or None where the model package (torch) is absent."""
    try:
        from linknet_edge.architectures import is_tx1_safe
    except ImportError:
        return None
    try:
        return is_tx1_safe(arch)
    except Exception:  # an architecture this version does not know: let the graph decide
        return None


def _default_opset(model):
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return 0


def _check_node(node, constants, producers, add):
    op = node.op_type
    if node.domain not in ("", "ai.onnx"):
        add("error", "custom op from domain {!r}: needs a TensorRT plugin".format(node.domain))
        return
    if op in trt82.experimental:
        add("warning", "experimental in the TensorRT 8.2 ONNX parser: check it builds there")
        return
    if op not in trt82.supported:
        hint = "; use QDQ quantization" if op in ("QLinearConv", "ConvInteger") else ""
        add("error", "not supported by the TensorRT 8.2 ONNX parser" + hint)
        return
    attrs = _attributes(node)
    if op in ("Conv", "ConvTranspose"):
        weight = node.input[1] if len(node.input) > 1 else ""
        if weight not in constants and producers.get(weight) != "DequantizeLinear":
            add("error", "weights are computed at run time; " + trt82.restrictions[op])
    if op == "ConvTranspose":
        pads = list(attrs.get("pads", []))
        half = len(pads) // 2
        if pads[:half] != pads[half:]:
            add("warning", "asymmetric pads {} (begin != end): check TensorRT 8.2 builds "
                           "the same output size".format(pads))
        if any(d != 1 for d in attrs.get("dilations", [])):
            add("warning", "dilations {}: dilated deconvolution is not TensorRT 8.2 "
                           "safe".format(list(attrs["dilations"])))
        if _text(attrs.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID"):
            add("warning", "auto_pad {}: write explicit pads".format(_text(attrs["auto_pad"])))
        if "output_shape" in attrs:
            add("warning", "output_shape attribute: use pads/output_padding instead")
    if op in ("QuantizeLinear", "DequantizeLinear") and len(node.input) > 2:
        zero = constants.get(node.input[2])
        if zero is None or zero.any():
            add("error", "non-zero or non-constant zero point: " + trt82.restrictions[op])
    if op == "Resize":
        mode = _text(attrs.get("mode", "nearest"))
        coords = _text(attrs.get("coordinate_transformation_mode", "half_pixel"))
        if mode not in trt82.resize_modes or coords not in trt82.resize_coordinate_modes:
            add("error", "Resize mode {} / {}: ".format(mode, coords) + trt82.restrictions[op])
    if op == "MaxPool" and len([o for o in node.output if o]) > 1:
        add("error", trt82.restrictions[op])


def check_tensorrt_compat(model, spec=None):
    """A ``CompatReport`` for an ONNX ``ModelProto`` or file path.

    With a ``spec`` a Resize is judged by its architecture: expected (and flagged "not TX1-safe")
    in the residual-decoder variant, an error in an architecture that should have none.
    """
    import onnx
    from onnx import numpy_helper
    if not isinstance(model, onnx.ModelProto):
        try:
            model = onnx.load(str(model))
        except Exception as exc:
            raise ExportError("{}: cannot read ONNX file ({})".format(model, first_line(exc)))
    graph = model.graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    producers = {}
    for node in graph.node:
        for output in node.output:
            producers[output] = node.op_type
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    constants[node.output[0]] = numpy_helper.to_array(attr.t)
    opset = _default_opset(model)
    findings = []
    if opset > trt82.max_opset:
        findings.append(CompatFinding("error", "opset", "graph", "opset {} is newer than TensorRT "
                                      "8.2 parses (<= {})".format(opset, trt82.max_opset)))
    arch_safe = _arch_tx1_safe(spec.arch) if spec is not None else None
    counts = collections.Counter()
    for index, node in enumerate(graph.node):
        counts[node.op_type] += 1
        name = node.name or "{}_{}".format(node.op_type, index)

        def add(level, message, op=node.op_type, name=name):
            findings.append(CompatFinding(level, op, name, message))
        _check_node(node, constants, producers, add)
        if node.op_type == "Resize":
            if arch_safe:
                add("error", "Resize in {}, an architecture that should have none".format(
                    spec.arch))
            else:
                add("warning", "bilinear Resize{}: parsed by TensorRT 8.2 but not TX1-safe".format(
                    " ({})".format(spec.arch) if spec is not None else ""))
    dtype = graph.input[0].type.tensor_type.elem_type if graph.input else 0
    return CompatReport(opset, dict(counts), findings, ONNX_DTYPES.get(dtype, str(dtype)))
