"""Score any deployed artifact (``.pt``, ``.onnx``, ``.engine``) on a labelled dataset split.

The model is loaded through ``runtime.backends`` (so an ONNX file or an engine needs no torch:
a Jetson scores its own FP16 engine) and run over the split by
``linknet_edge.evaluation.evaluate_predictor``, the loop every scorer shares. With ``size`` the
frames and labels are read (and cached) at that size and the network runs at it, which only a
checkpoint can do for sizes other than its own; without it the network runs at its input size
and is scored at the labels' full resolution (the official protocol).
"""

import logging
import warnings

from linknet_edge.atomic import check_writable, write_json_atomic
from linknet_edge.data import open_dataset
from linknet_edge.deprecation import renamed_keywords
from linknet_edge.errors import SpecMismatch
from linknet_edge.evaluation import check_dataset_classes, evaluate_predictor
from linknet_edge.metrics import summary_to_json
from linknet_edge.sizes import format_size

from .backends import backend_for_path, load_model

__all__ = ["evaluate_model", "evaluate_checkpoint"]

logger = logging.getLogger(__name__)


@renamed_keywords(dataset_kind="dataset", root="data_root")
def evaluate_model(model_path, dataset, data_root, split, size=None, batch_size=4,
                   out_json=None, cache_dir=None, limit=None, backend=None, device=None,
                   providers=None):
    """Score a model file on a dataset split; returns a JSON-ready report dict.

    ``backend`` defaults to the one the suffix implies; ``device`` is the PyTorch device
    (default: CUDA if present), ``providers`` the ONNX Runtime providers. ``size`` = (H, W) or
    None (see the module docstring).
    """
    if out_json:
        check_writable(out_json, "--json")
    name = backend or backend_for_path(model_path)
    options = {}
    if name == "pytorch":
        options["device"] = device or "auto"
    elif name == "onnxruntime" and providers:
        options["providers"] = providers
    reader = open_dataset(dataset, data_root, split, size=size, cache_dir=cache_dir)
    with load_model(model_path, name, **options) as runner:
        check_dataset_classes(reader, runner.spec, model_path)
        input_size = tuple(size or runner.input_size)
        if input_size != tuple(runner.input_size) and not runner.any_size:
            raise SpecMismatch("{} runs at {} only; drop --size to score it there, or export it "
                               "at {}".format(model_path, format_size(*runner.input_size),
                                              format_size(*input_size)))
        matrix = evaluate_predictor(runner.run, reader, runner.spec, batch_size, limit,
                                    input_size, prepare=runner.prepare)
        backend_name, precision = runner.name, runner.precision
        class_names = runner.classes
    frames = len(reader) if limit is None else min(int(limit), len(reader))
    report = {
        "model": str(model_path), "dataset": dataset, "root": data_root, "split": split,
        "frames": frames, "input_size": list(input_size),
        "scored_at": "read size" if size else "label resolution",
        "backend": backend_name, "precision": precision, "class_names": class_names,
        "metrics": summary_to_json(matrix.summary(), class_names),
    }
    miou = report["metrics"]["miou"]
    logger.info("%s on %s %s (%d frames): mIoU %.4f", model_path, dataset, split, frames,
                float("nan") if miou is None else miou)
    if out_json:
        write_json_atomic(out_json, report, allow_nan=False)
    return report


def evaluate_checkpoint(checkpoint_path, *args, **kwargs):
    """Deprecated name of ``evaluate_model`` (kept for one release)."""
    warnings.warn("evaluate_checkpoint is now evaluate_model (it scores .pt, .onnx and .engine "
                  "files)", DeprecationWarning, stacklevel=2)
    return evaluate_model(checkpoint_path, *args, **kwargs)
