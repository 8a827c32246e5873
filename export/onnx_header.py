"""What engine building needs from an ONNX file before TensorRT sees it: spec and input shape.

Read with the ``onnx`` package where installed, else with ONNX Runtime (a Jetson often has one
of the two, rarely both). No torch.
"""

import importlib.util

from linknet_edge.errors import BackendUnavailable, ExportError, SpecError, first_line
from linknet_edge.spec import ONNX_SPEC_KEY as SPEC_KEY, ModelSpec


__all__ = ["OnnxHeader", "read_onnx_header", "read_onnx_spec"]


class OnnxHeader(object):
    """The model spec, and the first graph input's name and shape (ints; -1 where dynamic)."""

    def __init__(self, spec, input_name, input_shape):
        self.spec = spec
        self.input_name = input_name
        self.input_shape = [int(d) for d in input_shape]


def _with_onnx(path):
    import onnx
    model = onnx.load(path, load_external_data=False)
    props = {prop.key: prop.value for prop in model.metadata_props}
    weights = set(init.name for init in model.graph.initializer)
    graph_input = [i for i in model.graph.input if i.name not in weights][0]
    dims = [d.dim_value if d.HasField("dim_value") else -1
            for d in graph_input.type.tensor_type.shape.dim]
    return props, graph_input.name, dims


def _with_onnxruntime(path):
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    graph_input = session.get_inputs()[0]
    dims = [d if isinstance(d, int) else -1 for d in graph_input.shape]
    return dict(session.get_modelmeta().custom_metadata_map), graph_input.name, dims


def read_onnx_header(path):
    """``OnnxHeader`` of an ONNX file written by ``linknet-edge export``."""
    if importlib.util.find_spec("onnx") is not None:
        reader = _with_onnx
    elif importlib.util.find_spec("onnxruntime") is not None:
        reader = _with_onnxruntime
    else:
        raise BackendUnavailable("{}: reading the model spec from an ONNX file needs the onnx "
                                 "package (pip3 install onnx) or ONNX Runtime".format(path))
    try:
        props, input_name, dims = reader(path)
    except (IOError, OSError) as exc:
        raise ExportError("{}: cannot read the ONNX file ({})".format(path, exc.strerror or exc))
    except Exception as exc:  # onnx / ORT raise their own classes (DecodeError, InvalidProtobuf)
        raise ExportError("{}: not a readable ONNX model ({})".format(path, first_line(exc)))
    if SPEC_KEY not in props:
        raise SpecError("{}: no '{}' metadata, so the engine would not know its classes and "
                        "normalisation; export the model with `linknet-edge export`".format(
                            path, SPEC_KEY))
    return OnnxHeader(ModelSpec.from_json(props[SPEC_KEY], source=path), input_name, dims)


def read_onnx_spec(path):
    """The ``ModelSpec`` stored in an ONNX file written by ``export_onnx``."""
    return read_onnx_header(path).spec
