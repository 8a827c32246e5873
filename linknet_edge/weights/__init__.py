"""Weights on disk (needs torch): linknet-edge checkpoints, and imports of foreign weights.

``checkpoint``: spec + state_dict (+ what resuming needs), written atomically, loaded through the
restricted unpickler on every torch version. ``importers``: e-Lab pytorch-linknet checkpoints
(their pickled model object is never executed) and torchvision ResNet-18 encoder files.
"""

from .checkpoint import (HAS_WEIGHTS_ONLY, Checkpoint, load_checkpoint, load_model, load_weights,
                         save_checkpoint, save_weights_only, torch_load)
from .importers import (convert_elab_state_dict, import_elab_checkpoint, load_encoder_weights,
                        read_foreign_checkpoint)

__all__ = ["Checkpoint", "save_checkpoint", "save_weights_only", "load_checkpoint", "load_model", "load_weights",
           "torch_load", "HAS_WEIGHTS_ONLY", "import_elab_checkpoint", "convert_elab_state_dict",
           "load_encoder_weights", "read_foreign_checkpoint"]
