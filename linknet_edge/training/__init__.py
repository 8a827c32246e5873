"""Training (needs torch): ``train(config)`` with exact resume, DDP, checkpoints, CSV and plots.

See docs/training.md. ``TrainConfig`` holds the options; ``train`` returns a ``TrainResult``
(or raises ``TrainingStopped`` on SIGINT/SIGTERM).
"""

from .augment import augment_pair, flip_horizontal, scale_crop
from .config import TrainConfig
from .dataset import SegmentationDataset
from .distributed import DistributedContext
from .history import TrainingHistory
from .losses import class_weights, make_criterion
from .result import TrainResult
from .schedules import cosine_factor, lr_factor, make_scheduler, poly_factor, step_factor
from .signals import TrainingStopped
from .trainer import OUTPUT_FILES, Trainer, train

__all__ = ["train", "Trainer", "TrainConfig", "TrainResult", "TrainingHistory", "OUTPUT_FILES",
           "SegmentationDataset", "DistributedContext", "augment_pair", "flip_horizontal",
           "scale_crop", "class_weights", "make_criterion", "poly_factor", "step_factor",
           "cosine_factor", "lr_factor", "make_scheduler", "TrainingStopped"]
