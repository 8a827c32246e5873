"""Typed errors for user mistakes. ``cli.main`` prints them as one line and exits 1.

Stdlib only: the runtime imports this on a Jetson without torch.
"""

__all__ = [
    "LinkNetEdgeError", "BackendUnavailable", "SpecMismatch", "CheckpointError",
    "DatasetError", "ExportError", "EngineBuildError", "SourceError", "SinkError",
    "InputSizeError", "SpecError", "TrainingError", "BenchmarkError", "AccuracyFloorError",
    "ModelFileError", "RunnerClosed", "InferenceError", "DeployError", "OutputError",
    "first_line",
]


class LinkNetEdgeError(Exception):
    """Base class: a problem the user can fix; the message says what and where."""


class BackendUnavailable(LinkNetEdgeError):
    """A backend library (TensorRT, pycuda, onnxruntime, torch) is not installed or not usable."""


class RunnerClosed(BackendUnavailable):
    """A runner was used after ``close()``."""


class InferenceError(LinkNetEdgeError):
    """A backend accepted the model but failed to run a batch (TensorRT refused to execute)."""


class SpecMismatch(LinkNetEdgeError):
    """Two artifacts disagree: architecture, class count, input size, TensorRT version or GPU."""


class CheckpointError(LinkNetEdgeError):
    """A checkpoint or weight file is missing, truncated or of an unknown format."""


class ModelFileError(LinkNetEdgeError):
    """A model file (.onnx, .engine) is missing, unreadable, or not what its suffix says."""


class DatasetError(LinkNetEdgeError):
    """A dataset folder, image or label file is missing, unpaired, corrupt or out of range."""


class ExportError(LinkNetEdgeError):
    """ONNX export or its verification failed."""


class EngineBuildError(LinkNetEdgeError):
    """TensorRT could not parse the ONNX file or build the engine."""


class DeployError(LinkNetEdgeError):
    """A model cannot be deployed as asked (a DeepStream or Triton config it cannot serve)."""


class SourceError(LinkNetEdgeError):
    """A video source cannot be opened or read."""


class SinkError(LinkNetEdgeError):
    """An output cannot be opened or written."""


class OutputError(LinkNetEdgeError):
    """An output file or folder cannot be written (read-only, a file where a folder is needed,
    a folder where a file is)."""


class InputSizeError(LinkNetEdgeError):
    """An input height or width is not a multiple of the network stride (32)."""


class SpecError(LinkNetEdgeError):
    """A model spec is malformed (missing field, wrong type, colours not matching classes)."""


class TrainingError(LinkNetEdgeError):
    """A training option is invalid or contradicts the run being resumed."""


class BenchmarkError(LinkNetEdgeError):
    """Rows of a benchmark did not run: one the user named, or every row (see ``bench``)."""


class AccuracyFloorError(BenchmarkError):
    """A benchmarked backend missed a floor of ``bench accuracy`` (--min-miou, --max-miou-drop)."""


def first_line(exc):
    """An exception's first message line, capped at 200 characters, for one-line errors."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]
