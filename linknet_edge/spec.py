"""The model spec: what every artifact (checkpoint, ONNX, engine) carries about its model.

Plain JSON, stdlib only, so the runtime on a Jetson reads it without torch. A spec is the
registry name of the architecture with its constructor keywords, the classes with display
colours, the label value that means "void", the network input size (H, W) and the
normalisation: ``x = (pixel / 255 - mean) / std`` per channel, channels in ``channel_order``,
and the ``input_form`` of the artifact (``INPUT_FORMS``): which tensor its network input takes.
The specs of the known datasets come from ``linknet_edge.data.preset_spec``.
"""

import json

from .atomic import write_json_atomic
from .errors import SpecError
from .sizes import check_size

__all__ = ["ModelSpec", "IMAGENET_MEAN", "IMAGENET_STD", "default_colors", "INPUT_FORMS",
           "DEFAULT_INPUT_FORM"]

#: ImageNet statistics in RGB order on the 0-1 scale (the encoder was pretrained with these).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

#: What an artifact's network input is. ``float``: NCHW float32 already normalised on the host
#: (checkpoints, and ONNX files before ``input_form`` existed); ``uint8``: NHWC uint8 BGR 0-255,
#: the camera's image at the network's H x W (cast, channel order, layout and normalisation are
#: graph ops); ``raw``: NCHW float32 RGB 0-255 (normalisation in the graph; what DeepStream's
#: nvinfer and Triton clients feed, and TensorRT before 8.5, which has no uint8 tensors, takes).
INPUT_FORMS = {
    "float": {"layout": "NCHW", "dtype": "float32", "channels": None, "normalised": True},
    "uint8": {"layout": "NHWC", "dtype": "uint8", "channels": "BGR", "normalised": False},
    "raw": {"layout": "NCHW", "dtype": "float32", "channels": "RGB", "normalised": False},
}
#: The form a spec without the field has (every file written before the field existed).
DEFAULT_INPUT_FORM = "float"

class ModelSpec(object):
    """Architecture, classes, colours, void label, input size and normalisation of a model."""

    FIELDS = ("arch", "arch_kwargs", "class_names", "colors", "ignore_index", "input_size",
              "mean", "std", "channel_order", "dataset", "input_form")

    def __init__(self, arch, class_names, colors=None, ignore_index=None, input_size=(352, 480),
                 mean=IMAGENET_MEAN, std=IMAGENET_STD, channel_order="RGB", arch_kwargs=None,
                 dataset=None, input_form=DEFAULT_INPUT_FORM):
        self.arch = str(arch)
        self.class_names = [str(n) for n in class_names]
        self.colors = [tuple(int(v) for v in c) for c in (colors or default_colors(len(class_names)))]
        self.ignore_index = None if ignore_index is None else int(ignore_index)
        self.input_size = tuple(int(v) for v in input_size)
        self.mean = tuple(float(v) for v in mean)
        self.std = tuple(float(v) for v in std)
        self.channel_order = str(channel_order).upper()
        self.arch_kwargs = dict(arch_kwargs or {})
        self.dataset = dataset
        self.input_form = str(input_form)
        self._validate()

    @property
    def num_classes(self):
        return len(self.class_names)

    def _validate(self):
        if not self.class_names:
            raise SpecError("spec has no classes")
        if len(self.colors) != self.num_classes or any(len(c) != 3 for c in self.colors):
            raise SpecError("spec has {} colours for {} classes (need one RGB triple each)".format(
                len(self.colors), self.num_classes))
        if len(self.input_size) != 2:
            raise SpecError("spec input_size must be [height, width], got {}".format(
                list(self.input_size)))
        check_size(self.input_size[0], self.input_size[1], what="spec input")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise SpecError("spec mean/std must be three numbers each, std > 0")
        if self.channel_order not in ("RGB", "BGR"):
            raise SpecError("spec channel_order must be RGB or BGR, got {}".format(
                self.channel_order))
        if self.input_form not in INPUT_FORMS:
            raise SpecError("spec input_form must be one of {}, got {!r}".format(
                ", ".join(sorted(INPUT_FORMS)), self.input_form))
        if self.ignore_index is not None and 0 <= self.ignore_index < self.num_classes:
            raise SpecError("spec ignore_index {} is a real class (0..{})".format(
                self.ignore_index, self.num_classes - 1))

    def replace(self, **changes):
        """A copy with some fields changed."""
        data = self.to_dict()
        data.update(changes)
        return ModelSpec.from_dict(data)

    def to_dict(self):
        data = {
            "arch": self.arch, "arch_kwargs": dict(self.arch_kwargs),
            "class_names": list(self.class_names), "colors": [list(c) for c in self.colors],
            "ignore_index": self.ignore_index, "input_size": list(self.input_size),
            "mean": list(self.mean), "std": list(self.std), "channel_order": self.channel_order,
            "dataset": self.dataset,
        }
        if self.input_form != DEFAULT_INPUT_FORM:
            # written only where it differs, so a float file stays readable by older releases
            data["input_form"] = self.input_form
        return data

    @classmethod
    def from_dict(cls, data, source="spec"):
        """Build from a dict; ``source`` names the file in error messages."""
        if not isinstance(data, dict):
            raise SpecError("{}: model spec is not a JSON object".format(source))
        unknown = sorted(set(data) - set(cls.FIELDS))
        missing = [k for k in ("arch", "class_names") if k not in data]
        if unknown or missing:
            raise SpecError("{}: model spec {}".format(source, "; ".join(
                (["unknown fields " + ", ".join(unknown)] if unknown else [])
                + (["missing fields " + ", ".join(missing)] if missing else []))))
        try:
            return cls(**data)
        except SpecError as exc:
            raise SpecError("{}: {}".format(source, exc))
        except (TypeError, ValueError) as exc:
            raise SpecError("{}: malformed model spec ({})".format(source, exc))

    def to_json(self):
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text, source="spec"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SpecError("{}: model spec is not valid JSON ({})".format(source, exc))
        return cls.from_dict(data, source=source)

    def save(self, path):
        """Write as pretty JSON, atomically."""
        write_json_atomic(path, self.to_dict())

    @classmethod
    def load(cls, path):
        try:
            with open(path) as handle:
                text = handle.read()
        except (IOError, OSError) as exc:
            raise SpecError("{}: cannot read model spec ({})".format(path, exc.strerror or exc))
        return cls.from_json(text, source=path)

    def check_compatible(self, other, what="artifact"):
        """Raise ``SpecMismatch`` if ``other`` has another architecture or class list."""
        from .errors import SpecMismatch
        if other.arch != self.arch or other.arch_kwargs != self.arch_kwargs:
            raise SpecMismatch("{} is a {} model, expected {}".format(what, other.arch, self.arch))
        if other.class_names != self.class_names:
            raise SpecMismatch("{} has {} classes ({}), expected {} ({})".format(
                what, other.num_classes, ", ".join(other.class_names[:4]) + ", ...",
                self.num_classes, ", ".join(self.class_names[:4]) + ", ..."))

    def __eq__(self, other):
        return isinstance(other, ModelSpec) and self.to_dict() == other.to_dict()

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "ModelSpec(arch={!r}, classes={}, input_size={}, input_form={!r})".format(
            self.arch, self.num_classes, self.input_size, self.input_form)


def default_colors(count):
    """Distinct, stable colours for classes without any (golden-ratio hue steps)."""
    import colorsys
    colors = []
    for i in range(count):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618033988749895) % 1.0, 0.65, 0.95)
        colors.append((int(r * 255), int(g * 255), int(b * 255)))
    return colors
