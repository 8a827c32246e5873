"""``deploy deepstream``: a Gst-nvinfer config for the segmentation model and a deepstream-app
config with N sources, from an ``.onnx`` file or a built engine.

What nvinfer needs (keys checked against ``deepstream_keys``): ``network-type=2``
(segmentation), the model (``onnx-file``, from which nvinfer builds and caches an engine named
``<onnx>_b<batch>_gpu0_<precision>.engine``, or ``model-engine-file``), ``infer-dims`` c;h;w,
``batch-size``, ``network-mode``, ``num-detected-classes``, ``output-blob-names`` and the
normalisation (``nvinfer_input``): nvinfer has one scale for all channels, so for an ONNX file
the per-channel std is folded into a copy's stem convolution (``fold``), which makes it exact;
an engine can only be approximated, and the config and the report say by how much. Its
segmentation parser reads only the *first* output, as
float scores, and takes the argmax of the values above ``segmentation-threshold`` (DeepStream
6.3 ``nvdsinfer_context_impl_output_parsing.cpp``, ``fillSegmentationOutput``), so the float
``logits`` must come first (they do in every ``linknet-edge export``) and the threshold must lie
below any logit (0.0 would mark pixels whose best logit is negative as -1).
"""

import math
import os

from linknet_edge.errors import DeployError
from linknet_edge.reports import Report
from linknet_edge.tables import format_rows

from .artifact import read_artifact
from .files import Group, copy_model, format_groups, prepare_folder, write_labels, write_text
from .fold import fold_std_into_stem
from .nvinfer_input import measure_agreement, nvinfer_normalisation

__all__ = ["write_deepstream", "DeepStreamReport", "SINKS", "DEFAULT_URI"]

#: nvinfer ``network-mode`` (NvDsInferNetworkMode: 0 FP32, 1 INT8, 2 FP16)
NETWORK_MODES = {"fp32": 0, "int8": 1, "fp16": 2}
#: the sample clip every DeepStream install has, for a config written without ``uris``
DEFAULT_URI = "file:///opt/nvidia/deepstream/deepstream/samples/streams/sample_1080p_h264.mp4"
#: ``sink`` choice -> deepstream-app ``[sink0]`` keys (type 1 fakesink, 2 window, 3 file,
#: 4 RTSP server; container 1 mp4; codec 1 H.264; enc-type 0 hardware)
SINKS = {
    "file": [("type", 3), ("container", 1), ("codec", 1), ("enc-type", 0),
             ("bitrate", 4000000), ("output-file", "{name}_deepstream.mp4")],
    "rtsp": [("type", 4), ("codec", 1), ("enc-type", 0), ("bitrate", 4000000),
             ("rtsp-port", 8554), ("udp-port", 5400)],
    "display": [("type", 2)],
    "fake": [("type", 1)],
}
#: below any logit: nvinfer's argmax then equals the model's
SEGMENTATION_THRESHOLD = -1e9
_LIVE = ("rtsp", "csi", "v4l2", "http")


class DeepStreamReport(Report):
    """What ``write_deepstream`` wrote and the facts behind it."""

    def __init__(self, artifact, directory, files, sources, precision, normalisation,
                 agreement, notes):
        self.artifact, self.directory, self.files = artifact, directory, files
        #: one line on how nvinfer's normalisation relates to the spec's
        self.sources, self.precision, self.normalisation = sources, precision, normalisation
        #: ``(share of pixels 0-1 or None, one line)``, or None when nothing was changed
        self.agreement, self.notes = agreement, notes

    def summary(self):
        return "{}: DeepStream configs for {} source(s) in {}".format(
            self.artifact.path, len(self.sources), self.directory)

    def format(self):
        rows = [("model", "{} ({}, {} classes, input {})".format(
                    self.artifact.path, self.artifact.kind, self.artifact.spec.num_classes,
                    "x".join(str(d) for d in self.artifact.input.shape))),
                ("precision", "{} (network-mode={})".format(self.precision,
                                                           NETWORK_MODES[self.precision])),
                ("sources", ", ".join(self.sources)),
                ("normalisation", self.normalisation)]
        if self.agreement is not None:
            rows.append(("class maps", self.agreement[1]))
        rows.extend(("note", note) for note in self.notes)
        rows.extend(("wrote", path) for path in self.files)
        rows.append(("run", "deepstream-app -c {}".format(self.files[1])))
        return format_rows("DeepStream deployment", rows)


def _precision(artifact, precision, calib_file):
    if artifact.kind == "engine":
        if precision not in (None, artifact.precision):
            raise DeployError("{}: the engine was built for {}, not {}; build another engine "
                              "with `linknet-edge build --precision {}`".format(
                                  artifact.path, artifact.precision, precision, precision))
        return artifact.precision
    chosen = precision or (artifact.precision if artifact.precision != "fp32" else "fp16")
    if chosen not in NETWORK_MODES:
        raise DeployError("--precision {!r}: choose fp32, fp16 or int8".format(chosen))
    if chosen == "int8" and artifact.precision != "int8" and not calib_file:
        raise DeployError("{}: INT8 from a float ONNX file needs a calibration cache "
                          "(--int8-calib-file, written by `linknet-edge build --precision int8`) "
                          "or a Q/DQ file from `linknet-edge quantize`".format(artifact.path))
    return chosen


def _check_model(artifact, sources):
    if artifact.input_form == "uint8":
        raise DeployError("{}: its input is uint8 {} (camera images); nvinfer feeds float NCHW "
                          "tensors, so export the DeepStream model with `--input raw` (exact: "
                          "normalised in the graph) or `--input float`".format(
                              artifact.path, artifact.input.shape))
    first = artifact.outputs[0] if artifact.outputs else None
    if first is None or first.dtype != "float32" or len(first.shape) != 4:
        raise DeployError("{}: nvinfer's segmentation parser reads the first output as float32 "
                          "(N, C, H, W) scores, but the first output is {}; export with "
                          "`linknet-edge export` (logits first)".format(artifact.path, first))
    if artifact.batch is not None and artifact.batch != sources:
        raise DeployError("{}: its batch is fixed at {} but {} source(s) make batches of {}; "
                          "export with --batch-size {} (then build the engine again) or "
                          "--dynamic-batch".format(artifact.path, artifact.batch, sources,
                                                   sources, sources))
    return first


def _source_group(number, uri):
    """``[sourceN]`` for a source URI in ``linknet-edge run``'s vocabulary."""
    from linknet_edge.runtime.video.sources import parse_source_uri
    kind, location, options = parse_source_uri(uri)
    group = Group("source{}".format(number)).add("enable", 1)
    if kind == "file":
        group.add("type", 2).add("uri", "file://" + os.path.abspath(location))
    elif kind == "http":
        group.add("type", 2).add("uri", location)
    elif kind == "rtsp":
        group.add("type", 4).add("uri", location).add("latency", int(options.get("latency", 200)))
    elif kind in ("csi", "v4l2"):
        width, height = int(options.get("width", 1280)), int(options.get("height", 720))
        if kind == "csi":
            group.add("type", 5).add("camera-csi-sensor-id", int(location))
        else:
            group.add("type", 1).add("camera-v4l2-dev-node", int(location.replace(
                "/dev/video", "") or 0))
        group.add("camera-width", width).add("camera-height", height)
        group.add("camera-fps-n", int(options.get("framerate", 30))).add("camera-fps-d", 1)
    else:
        raise DeployError("{}: deepstream-app reads files, rtsp://, http(s)://, csi:// and "
                          "v4l2:// sources, not image folders".format(uri))
    return group, kind in _LIVE


def _infer_config(artifact, model_file, precision, batch, normalisation, described,
                  calib_file):
    channels, height, width = artifact.input.shape[1:4]
    group = Group("property")
    group.add("gpu-id", 0)
    group.add("net-scale-factor", normalisation.scale,
              "y = net-scale-factor * (x - offsets[c]) on 0-255 pixels; " + described)
    group.add("offsets", normalisation.offsets)
    group.add("model-color-format", normalisation.color_format, "0 RGB, 1 BGR")
    if artifact.kind == "onnx":
        group.add("onnx-file", model_file)
        group.add("model-engine-file", "{}_b{}_gpu0_{}.engine".format(model_file, batch, precision),
                  "nvinfer builds this engine from onnx-file on first start (minutes on a "
                  "Jetson) and reuses it after")
    else:
        group.add("model-engine-file", model_file,
                  "built for one TensorRT version and GPU: rebuild it on each device model")
    if calib_file:
        group.add("int8-calib-file", calib_file)
    group.add("labelfile-path", "labels.txt")
    group.add("infer-dims", [channels, height, width])
    group.add("batch-size", batch)
    group.add("network-mode", NETWORK_MODES[precision], "0 FP32, 1 INT8, 2 FP16")
    group.add("num-detected-classes", artifact.spec.num_classes)
    group.add("interval", 0)
    group.add("gie-unique-id", 1)
    group.add("process-mode", 1, "primary: on full frames")
    group.add("network-type", 2, "segmentation")
    group.add("output-blob-names", [artifact.outputs[0].name],
              "nvinfer's segmentation parser reads the first output only, as float scores")
    group.add("segmentation-threshold", SEGMENTATION_THRESHOLD,
              "the output is logits, not probabilities: a threshold below every logit makes "
              "nvinfer's argmax the model's (0.0 would mark pixels whose best logit is <= 0 as "
              "-1)")
    group.add("maintain-aspect-ratio", False, "the toolkit stretches frames to the input too")
    group.add("scaling-filter", 1, "bilinear (NvBufSurfTransformInter_Bilinear)")
    return [group]


def _app_config(name, infer_file, sources, live, batch, network_size, sink):
    columns = int(math.ceil(math.sqrt(len(sources))))
    rows = int(math.ceil(len(sources) / float(columns)))
    groups = [Group("application").add("enable-perf-measurement", 1)
              .add("perf-measurement-interval-sec", 5),
              Group("tiled-display").add("enable", 1).add("rows", rows).add("columns", columns)
              .add("width", 1280).add("height", 720)]
    groups.extend(sources)
    groups.append(Group("streammux").add("gpu-id", 0).add("live-source", int(live))
                  .add("batch-size", batch)
                  .add("batched-push-timeout", 40000,
                       "microseconds a batch waits for a late source; then it goes without it")
                  .add("width", 1280).add("height", 720).add("enable-padding", 0))
    groups.append(Group("primary-gie").add("enable", 1).add("gpu-id", 0)
                  .add("batch-size", batch).add("gie-unique-id", 1).add("interval", 0)
                  .add("config-file", infer_file))
    groups.append(Group("segvisual", "the class map drawn in colour (DeepStream 6.3 and later; "
                                     "older releases skip this group)")
                  .add("enable", 1).add("gpu-id", 0).add("batch-size", batch)
                  .add("width", network_size[1]).add("height", network_size[0]))
    groups.append(Group("osd").add("enable", 1).add("border-width", 1).add("text-size", 15)
                  .add("font", "Serif"))
    sink_group = Group("sink0", "enc-type 0 is the hardware encoder; the Orin Nano has none: "
                                "set enc-type=1").add("enable", 1).add("sync", 0)
    for key, value in SINKS[sink]:
        sink_group.add(key, value.format(name=name) if isinstance(value, str) else value)
    groups.append(sink_group)
    return groups


def write_deepstream(model, directory=None, sources=None, uris=None, precision=None,
                     sink="file", int8_calib_file=None, images=None, frames=8, fold=True):
    """Write ``config_infer_primary_NAME.txt``, ``deepstream_app_NAME.txt``, ``labels.txt``
    and the model into ``directory`` (default ``deepstream_NAME``); returns a
    ``DeepStreamReport``.

    ``sources``: the number of inputs (default: one per URI, or 1); ``uris``: their URIs (one
    for all, or one each; default DeepStream's sample clip); ``precision``: fp32, fp16 or int8
    (default: the file's, FP16 for an FP32 ONNX file); ``sink``: file, rtsp, display or fake.
    An ONNX file is written as ``NAME_deepstream.onnx`` with the std folded into its stem
    (``fold=False``: copied as it is, normalisation approximate). The class maps nvinfer's input
    gives are compared with the exact ones on ``frames`` images from ``images`` (synthetic
    street scenes without), where ONNX Runtime is installed.
    """
    artifact = read_artifact(model)
    uris = list(uris or [])
    count = int(sources or len(uris) or 1)
    if count < 1 or (len(uris) not in (0, 1, count)):
        raise DeployError("--uri: {} URIs for {} sources; give one URI for all or one per "
                          "source".format(len(uris), count))
    if sink not in SINKS:
        raise DeployError("--sink {!r}: choose {}".format(sink, ", ".join(sorted(SINKS))))
    uris = (uris * count)[:count] if uris else [DEFAULT_URI] * count
    _check_model(artifact, count)
    chosen = _precision(artifact, precision, int8_calib_file)
    directory = prepare_folder(directory or "deepstream_" + artifact.name)
    groups, live = zip(*[_source_group(n, uri) for n, uri in enumerate(uris)])
    model_path, normalisation, described, changed = _model_for_nvinfer(artifact, directory,
                                                                        fold)
    name, model_file = artifact.name, os.path.basename(model_path)
    calib = None
    if int8_calib_file:
        calib = os.path.basename(int8_calib_file)
        copy_model(int8_calib_file, os.path.join(directory, calib))
    infer_file = "config_infer_primary_{}.txt".format(name)
    header = ("written by `linknet-edge deploy deepstream` from {} ({}, {} classes: {})".format(
        os.path.basename(artifact.path), artifact.spec.arch, artifact.spec.num_classes,
        ", ".join(artifact.spec.class_names)))
    paths = [os.path.join(directory, infer_file),
             os.path.join(directory, "deepstream_app_{}.txt".format(name)),
             os.path.join(directory, "labels.txt"), model_path]
    write_text(paths[0], format_groups(_infer_config(artifact, model_file, chosen, count,
                                                     normalisation, described, calib), header))
    write_text(paths[1], format_groups(_app_config(
        name, infer_file, list(groups), any(live), count, artifact.input.shape[-2:], sink),
        header))
    write_labels(paths[2], artifact.spec)
    notes = []
    if artifact.output("classes") is not None:
        notes.append("the 'classes' output is not read by nvinfer (it takes the first output); "
                     "export without --argmax to save its copy")
    agreement = (_agreement(artifact, model_path, normalisation, images, frames) if changed
                 else None)
    return DeepStreamReport(artifact, directory, paths, uris, chosen, described, agreement,
                            notes)


def _model_for_nvinfer(artifact, directory, fold):
    """``(path in directory, NvinferNormalisation, one line on it, changed)``: the std folded
    into an ONNX copy's stem where it can be, else the model copied and the normalisation
    approximate; ``changed`` unless the spec's own normalisation fits nvinfer."""
    normalisation = nvinfer_normalisation(artifact.spec)
    if normalisation.exact:
        return (copy_model(artifact.path, os.path.join(directory, os.path.basename(
            artifact.path))), normalisation, normalisation.describe(), False)
    why = "--no-fold" if not fold else "an engine cannot be changed: deploy its ONNX file"
    if artifact.kind == "onnx" and fold:
        target = os.path.join(directory, artifact.name + "_deepstream.onnx")
        folded, result = fold_std_into_stem(artifact.path, target, artifact.spec)
        if folded:
            described = ("exact: the per-channel std {} is folded into the stem convolution "
                         "of {} (its spec says std {:.4g} for every channel), so one "
                         "net-scale-factor fits".format(
                             "/".join("{:.4g}".format(v) for v in artifact.spec.std),
                             os.path.basename(target), result.std[0]))
            return target, nvinfer_normalisation(result), described, True
        why = result
    path = copy_model(artifact.path, os.path.join(directory, os.path.basename(artifact.path)))
    if artifact.kind == "engine" and os.path.isfile(artifact.path + ".json"):
        copy_model(artifact.path + ".json", path + ".json")
    return (path, normalisation, "{} (not folded: {})".format(normalisation.describe(), why),
            True)


def _agreement(artifact, model_path, normalisation, images, frames):
    """``(share, line)``: the pixels whose class nvinfer's input keeps, or ``(None, why not)``."""
    if artifact.kind != "onnx":
        return None, "effect not measured for an engine: deploy its ONNX file to see it"
    from linknet_edge.runtime.backends import is_available
    if not is_available("onnxruntime"):
        return None, "effect not measured: ONNX Runtime is not installed"
    from ..sample_images import select_images
    chosen, description = select_images(images, frames)
    share = measure_agreement(artifact.path, model_path, normalisation, chosen)
    return share, ("{:.2f} % of pixels keep the class {} gives with exact normalisation "
                   "({})".format(100.0 * share, os.path.basename(artifact.path), description))
