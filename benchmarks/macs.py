"""Multiply-accumulates of one forward pass, counted from the ONNX graph (torch-free) or the model.

For an ONNX file the ``onnx`` package infers every tensor's shape and the convolutions are
counted like ``linknet_edge.model.summary.count_macs`` does: a Conv does (output pixels x
C_out) x (C_in/groups x kh x kw) products, a ConvTranspose scatters each input pixel into
(C_out/groups x kh x kw) outputs. Quantized graphs count the same (QDQ keeps Conv nodes;
QLinearConv and ConvInteger are counted too). Without ``onnx`` the checkpoint's model is
summarised with torch where torch is installed; otherwise the count is unknown (None).

LinkNet is fully convolutional, so MACs scale with the input area: one count per architecture
serves every input size.
"""

import json
import logging
import os

__all__ = ["count_onnx_macs", "MacCounter"]

logger = logging.getLogger(__name__)

#: op type -> (index of the data input, index of the weight input)
_CONV_INPUTS = {"Conv": (0, 1), "ConvTranspose": (0, 1), "ConvInteger": (0, 1),
                "QLinearConv": (0, 3)}


def _prod(values):
    result = 1
    for value in values:
        result *= int(value)
    return result


def _shapes(model):
    """Tensor name -> list of dims (ints, or None where unknown) for every tensor onnx knows."""
    shapes = {}
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    for info in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output):
        dims = info.type.tensor_type.shape.dim
        shapes[info.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    return shapes


def count_onnx_macs(path):
    """``(MACs per image, (H, W) of the graph input)`` of an ONNX file; needs ``onnx``.

    Raises ImportError without ``onnx`` and ValueError when a convolution's shapes are unknown.
    """
    import onnx
    from onnx import shape_inference
    model = shape_inference.infer_shapes(onnx.load(path))
    shapes = _shapes(model)
    graph_input = [i for i in model.graph.input
                   if i.name not in set(t.name for t in model.graph.initializer)][0]
    size = tuple(shapes[graph_input.name][2:4])
    total = 0
    for node in model.graph.node:
        if node.op_type in _CONV_INPUTS:
            data_index, weight_index = _CONV_INPUTS[node.op_type]
            weight = shapes.get(node.input[weight_index])
            if node.op_type == "ConvTranspose":
                pixels = shapes.get(node.input[data_index])
            else:
                pixels = shapes.get(node.output[0])
            if not weight or not pixels or None in weight or None in pixels[1:]:
                raise ValueError("{}: shapes of {} node {!r} are unknown".format(
                    path, node.op_type, node.name))
            total += _prod(pixels[1:]) * _prod(weight[1:])
        elif node.op_type == "Gemm":
            weight = shapes.get(node.input[1])
            if weight and None not in weight:
                total += _prod(weight)
    return total, size


def _torch_macs(spec, size):
    from linknet_edge.model import count_macs, model_from_spec
    return count_macs(model_from_spec(spec), tuple(size))[0]


class MacCounter(object):
    """MACs per image of a model at a size, counted once per architecture and reused.

    ``count(path, spec, size)`` tries the ONNX graph of ``path`` (or of the ``.onnx`` file beside
    an engine), then torch; returns None when neither can count.
    """

    def __init__(self):
        self._per_pixel = {}

    @staticmethod
    def _key(spec):
        return json.dumps([spec.arch, spec.arch_kwargs, spec.num_classes], sort_keys=True)

    def count(self, path, spec, size):
        key = self._key(spec)
        if key not in self._per_pixel:
            self._per_pixel[key] = self._measure(path, spec)
        per_pixel = self._per_pixel[key]
        return None if per_pixel is None else int(round(per_pixel * size[0] * size[1]))

    @staticmethod
    def _measure(path, spec):
        candidates = [str(path)] if str(path).endswith(".onnx") else []
        candidates.append(os.path.splitext(str(path))[0] + ".onnx")
        for candidate in candidates:
            if os.path.isfile(candidate):
                try:
                    macs, size = count_onnx_macs(candidate)
                    return macs / float(size[0] * size[1])
                except ImportError:
                    logger.debug("onnx is not installed: cannot count MACs from %s", candidate)
                    break
                except (ValueError, IndexError, TypeError) as exc:
                    logger.warning("cannot count MACs from %s (%s)", candidate, exc)
        try:
            size = tuple(spec.input_size)
            return _torch_macs(spec, size) / float(size[0] * size[1])
        except ImportError:
            logger.info("%s: neither onnx nor torch is installed; MACs unknown", path)
        except Exception as exc:  # an unknown architecture must not stop the benchmark
            logger.warning("%s: cannot count MACs with torch (%s)", path, exc)
        return None
