"""A weights-only checkpoint to ship: spec + weights, without what resuming needs.

``export_weights`` reads a checkpoint (``train`` writes the Adam moments beside the weights, three
times their size), writes ``linknet_edge.weights.save_weights_only`` atomically, loads the new file
back and checks every tensor is the source's. The file loads wherever a checkpoint does
(``evaluate``, ``run --backend pytorch``, ``export``, ``train --init-weights``); ``train
--resume`` refuses it in one line.
"""

import logging
import os

from linknet_edge.errors import ExportError
from linknet_edge.progress import Progress
from linknet_edge.reports import Report
from linknet_edge.tables import format_rows

__all__ = ["WeightsReport", "export_weights"]

logger = logging.getLogger(__name__)


class WeightsReport(Report):
    """``source`` -> ``path``: their sizes in bytes, the parts left out, tensors checked."""

    error = ExportError

    def __init__(self, source, path, source_bytes, output_bytes, dropped, tensors, mismatched):
        self.source, self.path = source, path
        self.source_bytes, self.output_bytes = source_bytes, output_bytes
        self.dropped, self.tensors, self.mismatched = list(dropped), tensors, list(mismatched)

    def failures(self):
        if self.mismatched:
            return ["{} of {} tensors differ from the source (first: {})".format(
                len(self.mismatched), self.tensors, self.mismatched[0])]
        return []

    def summary(self):
        if self.failures():
            return "{}: {}".format(self.path, self.failures()[0])
        return "{}: {:.1f} MB of weights ({:.0%} of {})".format(
            self.path, self.output_bytes / 1e6, self.output_bytes / float(self.source_bytes),
            os.path.basename(self.source))

    def format(self):
        return format_rows("weights-only checkpoint", [
            ("file", self.path),
            ("from", self.source),
            ("size", "{:.1f} MB (source {:.1f} MB, {:.0%})".format(
                self.output_bytes / 1e6, self.source_bytes / 1e6,
                self.output_bytes / float(self.source_bytes))),
            ("left out", ", ".join(self.dropped) or "nothing (the source held weights only)"),
            ("tensors", "{} reloaded, {}".format(
                self.tensors, "all equal to the source" if not self.mismatched else
                "{} DIFFER".format(len(self.mismatched)))),
        ])


def export_weights(checkpoint_path, output_path):
    """Write the weights-only form of ``checkpoint_path`` to ``output_path``; returns a
    ``WeightsReport`` (its ``check()`` fails if a reloaded tensor differs)."""
    import torch
    from linknet_edge.weights import load_checkpoint, save_weights_only
    if os.path.abspath(output_path) == os.path.abspath(checkpoint_path):
        raise ExportError("-o {}: give another file than the checkpoint itself".format(
            output_path))
    with Progress(2, "export", log=logger) as progress:
        progress.step("writing the weights of {}".format(checkpoint_path))
        checkpoint = load_checkpoint(checkpoint_path)
        save_weights_only(checkpoint, output_path)
        progress.step("reloading {} to check it".format(output_path))
        written = load_checkpoint(output_path)
    dropped = [name for name in ("optimizer", "scheduler") if getattr(checkpoint, name)]
    dropped += ["{} state".format(key) for key in checkpoint.extra if key not in written.extra]
    mismatched = sorted(k for k, v in checkpoint.state_dict.items()
                        if k not in written.state_dict or not torch.equal(v, written.state_dict[k]))
    report = WeightsReport(checkpoint_path, output_path, os.path.getsize(checkpoint_path),
                           os.path.getsize(output_path), dropped, len(checkpoint.state_dict),
                           mismatched)
    logger.info("%s", report.summary())
    return report
