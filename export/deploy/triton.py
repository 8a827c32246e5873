"""``deploy triton``: a Triton model repository for an ``.onnx`` file or a built engine.

``REPO/NAME/config.pbtxt`` (protobuf text of Triton's ``inference.ModelConfig``), the model as
``REPO/NAME/VERSION/model.onnx`` (platform ``onnxruntime_onnx``) or ``model.plan``
(``tensorrt_plan``) and ``REPO/NAME/labels.txt``. Inputs and outputs, dims and data types come
from the file itself (``artifact``). A dynamic batch becomes ``max_batch_size`` with
``dynamic_batching`` (the server gathers requests into batches), the dims without the batch
("the full shape is formed as [ -1 ] + dims"); a fixed batch gives ``max_batch_size: 0`` and the
full shape, since Triton's batching needs a first dimension of -1. Triton's model configuration
docs (server ``docs/user_guide/model_configuration.md``, ``model_repository.md``).
"""

import os

from linknet_edge.errors import DeployError
from linknet_edge.reports import Report
from linknet_edge.tables import format_rows

from .artifact import read_artifact
from .files import copy_model, prepare_folder, write_labels, write_text

__all__ = ["write_triton_repository", "triton_config", "TritonReport", "TRITON_TYPES"]

#: ONNX dtype -> Triton DataType
TRITON_TYPES = {"float32": "TYPE_FP32", "float16": "TYPE_FP16", "uint8": "TYPE_UINT8",
                "int8": "TYPE_INT8", "int32": "TYPE_INT32", "int64": "TYPE_INT64",
                "bool": "TYPE_BOOL", "float64": "TYPE_FP64"}
_PLATFORMS = {"onnx": ("onnxruntime_onnx", "model.onnx"),
              "engine": ("tensorrt_plan", "model.plan")}


class TritonReport(Report):
    """What ``write_triton_repository`` wrote."""

    def __init__(self, artifact, directory, files, platform, max_batch_size, notes):
        self.artifact, self.directory, self.files = artifact, directory, files
        self.platform, self.max_batch_size, self.notes = platform, max_batch_size, notes

    def summary(self):
        return "{}: Triton model {} in {}".format(self.artifact.path, self.platform,
                                                  self.directory)

    def format(self):
        repository = os.path.dirname(self.directory)
        rows = [("model", "{} ({} classes)".format(self.artifact.path,
                                                   self.artifact.spec.num_classes)),
                ("platform", self.platform),
                ("batching", "dynamic, up to {}".format(self.max_batch_size)
                 if self.max_batch_size else "none (fixed batch {})".format(self.artifact.batch))]
        rows.extend(("note", note) for note in self.notes)
        rows.extend(("wrote", path) for path in self.files)
        rows.append(("serve", "tritonserver --model-repository={}".format(
            os.path.abspath(repository))))
        return format_rows("Triton model repository", rows)


def _dims(values):
    return "[ {} ]".format(", ".join(str(v) for v in values))


def _tensor(tensor, batched, extra=()):
    if tensor.dtype not in TRITON_TYPES:
        raise DeployError("{}: Triton has no data type for {} ({})".format(
            tensor.name, tensor.dtype, tensor.shape))
    dims = tensor.shape[1:] if batched else tensor.shape
    lines = ["    name: \"{}\"".format(tensor.name),
             "    data_type: {}".format(TRITON_TYPES[tensor.dtype])]
    lines.extend("    " + line for line in extra)
    lines.append("    dims: {}".format(_dims(dims)))
    return "  {\n" + "\n".join(lines) + "\n  }"


def _input_format(tensor, batched):
    """FORMAT_NCHW / FORMAT_NHWC for a 3-channel image input; Triton allows a format only
    with 3 dims ("model input NHWC/NCHW require 3 dims", model_config_utils.cc), so not for
    a fixed-batch file, whose dims include the batch."""
    dims = tensor.shape[1:] if batched else tensor.shape
    if len(dims) == 3 and dims[0] == 3:
        return ["format: FORMAT_NCHW"]
    if len(dims) == 3 and dims[2] == 3:
        return ["format: FORMAT_NHWC"]
    return []


def triton_config(artifact, name, max_batch_size=8, queue_delay_us=100, instances=1,
                  device="gpu"):
    """``(config.pbtxt text, max_batch_size used)`` for an ``Artifact``."""
    platform, filename = _PLATFORMS[artifact.kind]
    if device not in ("gpu", "cpu"):
        raise DeployError("--device {!r}: choose gpu or cpu".format(device))
    if artifact.kind == "engine" and device != "gpu":
        raise DeployError("{}: a TensorRT plan runs on the GPU only; use the ONNX file for a "
                          "CPU instance".format(artifact.path))
    batched = artifact.batch is None
    size = int(max_batch_size) if batched else 0
    if batched and size < 1:
        raise DeployError("--max-batch {}: give 1 or more".format(max_batch_size))
    lines = ["# written by `linknet-edge deploy triton` from {} ({}, {} classes)".format(
                 os.path.basename(artifact.path), artifact.spec.arch,
                 artifact.spec.num_classes),
             "name: \"{}\"".format(name), "platform: \"{}\"".format(platform),
             "max_batch_size: {}".format(size),
             "default_model_filename: \"{}\"".format(filename),
             "input [", _tensor(artifact.input, batched, _input_format(artifact.input, batched)), "]",
             "output ["]
    outputs = []
    for tensor in artifact.outputs:
        extra = ["label_filename: \"labels.txt\""] if tensor.name == "logits" else []
        outputs.append(_tensor(tensor, batched, extra))
    lines.extend([",\n".join(outputs), "]"])
    if batched:
        lines.extend(["dynamic_batching {",
                      "  max_queue_delay_microseconds: {}".format(int(queue_delay_us)), "}"])
    lines.extend(["instance_group [", "  {", "    count: {}".format(int(instances)),
                  "    kind: KIND_{}".format(device.upper()), "  }", "]"])
    return "\n".join(lines) + "\n", size


def write_triton_repository(model, repository="model_repository", name=None, version=1,
                            max_batch_size=8, queue_delay_us=100, instances=1, device="gpu"):
    """Write ``REPOSITORY/NAME/config.pbtxt``, ``REPOSITORY/NAME/VERSION/model.onnx`` (or
    ``model.plan``) and ``REPOSITORY/NAME/labels.txt``; returns a ``TritonReport``.

    ``name`` defaults to the file's stem; ``max_batch_size`` and ``queue_delay_us`` apply to a
    dynamic-batch file; ``instances`` copies of the model run on the ``device`` (gpu or cpu).
    """
    artifact = read_artifact(model)
    name = name or artifact.name
    if not name or any(not (c.isalnum() or c in "_-") for c in name):
        raise DeployError("--name {!r}: use letters, digits, '_' and '-'".format(name))
    if int(version) < 1:
        raise DeployError("--version {}: Triton versions are whole numbers from 1".format(
            version))
    text, size = triton_config(artifact, name, max_batch_size, queue_delay_us, instances, device)
    folder = os.path.join(repository, name)
    prepare_folder(os.path.join(folder, str(int(version))))
    platform, filename = _PLATFORMS[artifact.kind]
    paths = [os.path.join(folder, "config.pbtxt"), os.path.join(folder, str(int(version)),
                                                                filename),
             os.path.join(folder, "labels.txt")]
    copy_model(artifact.path, paths[1])
    write_text(paths[0], text)
    write_labels(paths[2], artifact.spec)
    notes = []
    if artifact.kind == "engine":
        notes.append("a plan runs only on the GPU model and TensorRT version it was built with "
                     "(its sidecar says which); a mixed fleet needs one per compute capability "
                     "(cc_model_filenames) or the ONNX file")
    elif artifact.batch is not None:
        notes.append("fixed batch {}: export with --dynamic-batch to let Triton batch "
                     "requests".format(artifact.batch))
    return TritonReport(artifact, folder, paths, platform, size, notes)
