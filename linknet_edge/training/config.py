"""The training configuration: plain keyword options with defaults, checked once. Stdlib only.

``TrainConfig(dataset="camvid", data_root="...", size=(352, 480), epochs=300)`` or
``TrainConfig.from_dict({...})``; ``train`` also accepts the plain dict. ``size`` is (H, W).
"""

import math

from ..devices import check_device_name
from ..errors import TrainingError
from ..sizes import check_size

__all__ = ["TrainConfig", "OPTIMIZERS", "SCHEDULES", "OVERFIT_DEFAULTS"]

OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("poly", "step", "cosine", "constant")

#: option -> default. Defaults give a sound CamVid run; the paper's setting is size (576, 768),
#: 300 epochs on a GPU (docs/training.md).
DEFAULTS = (
    ("dataset", "camvid"),          # camvid | camvid32 | cityscapes | folder
    ("data_root", None),
    ("arch", "linknet"),
    ("size", (352, 480)),           # network input (H, W), multiples of 32
    ("epochs", 300),
    ("batch_size", 8),              # per process (per GPU under torchrun)
    ("lr", 5e-4),
    ("weight_decay", 2e-4),
    ("optimizer", "adam"),          # adam: L2 added to the gradient; adamw: decoupled
    ("momentum", None),             # sgd only (default 0.9 there)
    ("schedule", "poly"),
    ("poly_power", 0.9),
    ("lr_step", 100),               # step schedule: epochs between decays
    ("lr_gamma", 0.1),              # step schedule: decay factor
    ("flip", True),                 # random horizontal (left-right) flip
    ("scale_range", (0.75, 1.25)),  # random scale, then crop/pad back to size; (1, 1): off
    ("seed", 0),
    ("workers", 2),
    ("out", "runs/train"),
    ("resume", None),               # None, True/"last" (out/last.pt) or a checkpoint path
    ("save_every", 0),              # also keep epoch_NNN.pt every N epochs (0: never)
    ("save_train_conf", False),
    ("amp", False),                 # mixed precision, CUDA only
    ("channels_last", True),        # CUDA only
    ("device", "auto"),             # auto | cpu | cuda | cuda:N
    ("deterministic", False),       # deterministic kernels (bitwise-repeatable runs)
    ("limit_train", None),          # use only the first N frames (quick runs)
    ("limit_val", None),
    ("cache_dir", None),            # resized-split cache (linknet_edge.data)
    ("pretrained_encoder", None),   # torchvision-format resnet18 state_dict file
    ("init_weights", None),         # a linknet-edge checkpoint: its weights start a new run
    ("overfit", None),              # N: memorise the first N train frames (a pipeline check)
    ("progress", None),             # tqdm bar: None = only when stderr is a TTY
)
_NAMES = tuple(name for name, _ in DEFAULTS)

#: What ``overfit=N`` changes where the option is not given: a higher learning rate, decaying
#: over enough epochs to memorise a few frames (each overfit epoch passes over them several
#: times, see overfit.py; measured on 4 CamVid frames: a constant rate oscillates below 95 %).
#: Augmentation is always off and validation runs on the same N frames.
OVERFIT_DEFAULTS = (("epochs", 8), ("lr", 3e-3), ("schedule", "poly"))


class TrainConfig(object):
    """All options of one training run as attributes (see ``DEFAULTS`` for names and meaning)."""

    OPTIONS = _NAMES

    def __init__(self, **options):
        unknown = sorted(set(options) - set(_NAMES))
        if unknown:
            import difflib
            close = difflib.get_close_matches(unknown[0], _NAMES, n=1)
            raise TrainingError("unknown training option {!r}{}".format(
                unknown[0], " (did you mean {!r}?)".format(close[0]) if close else ""))
        #: The options given explicitly (the others hold defaults): a resumed run fills those
        #: from the checkpoint's saved options instead.
        self.given = frozenset(options)
        for name, default in DEFAULTS:
            setattr(self, name, options.get(name, default))
        if self.overfit is not None:
            for name, value in OVERFIT_DEFAULTS:
                if name not in options:
                    setattr(self, name, value)
        self._normalise()

    @classmethod
    def from_dict(cls, data):
        """From a dict (a ``TrainConfig`` passes through); keys with value None keep defaults."""
        if isinstance(data, cls):
            return data
        return cls(**{k: v for k, v in dict(data).items() if v is not None})

    def to_dict(self):
        """Plain values only (it is stored inside checkpoints)."""
        return {name: getattr(self, name) for name in _NAMES}

    def _normalise(self):
        if self.data_root is None:
            raise TrainingError("no data root: set data_root (--data-root DIR)")
        self.size = tuple(int(v) for v in self.size)
        if len(self.size) != 2:
            raise TrainingError("size must be (height, width), got {}".format(self.size))
        check_size(self.size[0], self.size[1], what="training input")
        for name, lowest in (("epochs", 1), ("batch_size", 1), ("lr_step", 1), ("workers", 0),
                             ("save_every", 0)):
            setattr(self, name, int(getattr(self, name)))
            if getattr(self, name) < lowest:
                raise TrainingError("{} must be at least {}, got {}".format(
                    name, lowest, getattr(self, name)))
        self.seed = int(self.seed)
        self.lr, self.weight_decay = float(self.lr), float(self.weight_decay)
        if not (math.isfinite(self.lr) and math.isfinite(self.weight_decay)) or self.lr <= 0 \
                or self.weight_decay < 0:
            raise TrainingError("lr must be a finite number > 0 and weight decay one >= 0 (got "
                                "{}, {})".format(self.lr, self.weight_decay))
        try:
            self.device = check_device_name(self.device)
        except ValueError as exc:
            raise TrainingError(str(exc))
        self._check_choice("optimizer", OPTIMIZERS)
        self._check_choice("schedule", SCHEDULES)
        if self.momentum is not None and self.optimizer != "sgd":
            raise TrainingError("momentum {} given, but the {} optimizer has none (its betas play "
                                "that part); use --optimizer sgd".format(self.momentum,
                                                                         self.optimizer))
        if self.optimizer == "sgd" and self.momentum is None:
            self.momentum = 0.9
        if self.scale_range is not None:
            low, high = (float(v) for v in self.scale_range)
            if not 0 < low <= high:
                raise TrainingError("scale_range must be 0 < low <= high, got {}".format(
                    self.scale_range))
            self.scale_range = (low, high)
        for name in ("limit_train", "limit_val"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                raise TrainingError("{} must be at least 1, got {}".format(name, value))
        if self.resume == "last":
            self.resume = True
        if self.init_weights and self.resume not in (None, False, ""):
            raise TrainingError("init_weights starts a new run from a checkpoint's weights, "
                                "resume continues one: give one of --init-weights, --resume")
        if self.init_weights and self.pretrained_encoder:
            raise TrainingError("init_weights loads the whole network, pretrained_encoder only its "
                                "encoder: give one of --init-weights, --pretrained-encoder")
        if self.overfit is not None:
            self._overfit()

    def _overfit(self):
        self.overfit = int(self.overfit)
        if self.overfit < 1:
            raise TrainingError("overfit must be at least 1 frame, got {}".format(self.overfit))
        # A resumed overfit run brings limit_train=N back from its checkpoint: that one agrees.
        for name, agrees in (("limit_train", (None, self.overfit)), ("limit_val", (None,))):
            if getattr(self, name) not in agrees:
                raise TrainingError("overfit={} trains and validates on the first {} train frames; "
                                    "drop {}".format(self.overfit, self.overfit, name))
        self.limit_train, self.flip, self.scale_range = self.overfit, False, None

    def _check_choice(self, name, choices):
        if getattr(self, name) not in choices:
            raise TrainingError("unknown {} {!r}; choose from {}".format(
                name, getattr(self, name), ", ".join(choices)))

    def __repr__(self):
        return "TrainConfig({})".format(", ".join(
            "{}={!r}".format(k, v) for k, v in sorted(self.to_dict().items())))
