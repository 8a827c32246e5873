"""``linknet-edge demo``: the whole toolkit on an embedded default, in a few minutes on a CPU.

Synthetic street scenes (or real CamVid with ``data_root``) -> a short LinkNet training ->
ONNX export and verification -> a driving clip segmented by the live pipeline into an overlay
video -> PyTorch against ONNX Runtime (mIoU, agreement, FPS). Every step prints the command
that does the same on real data, and the run ends with a table and the paths it wrote.
"""

import logging
import os
import time

from linknet_edge.atomic import check_writable
from linknet_edge.deprecation import renamed_keywords
from linknet_edge.errors import DatasetError
from linknet_edge.sizes import format_size

__all__ = ["run_demo", "DemoResult"]

logger = logging.getLogger(__name__)

#: The CamVid clip of ../shared/data, used as the demo's video in real-data mode when present.
_REAL_CLIP = os.path.join("video", "camvid_0016E5_val_15fps_480x360.mp4")


class DemoResult(object):
    """The steps run (name, seconds, outcome, real-data command), the paths and the bench report."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.steps = []
        self.paths = {}
        self.bench = None

    def format(self):
        from linknet_edge.tables import format_grid, format_rows
        parts = ["", "LinkNet-Edge demo: {}".format(self.out_dir), "",
                 format_grid(["step", "seconds", "result"],
                             [[name, "{:.1f}".format(seconds), outcome]
                              for name, seconds, outcome, _ in self.steps],
                             right=(1,), rule=False)]
        if self.bench is not None:
            parts += ["", self.bench.format()]
        parts += ["", format_rows("Files:", [("  " + k, v) for k, v in self.paths.items()])]
        parts += ["", "The same on your data:"] + ["  " + cmd for _, _, _, cmd in self.steps]
        return "\n".join(parts)


class _Step(object):
    def __init__(self, result, name, command):
        self.result, self.name, self.command, self.outcome = result, name, command, ""

    def __enter__(self):
        logger.info("demo: %s ... (on real data: %s)", self.name, self.command)
        self.start = time.time()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.result.steps.append((self.name, time.time() - self.start, self.outcome,
                                      self.command))


@renamed_keywords(out_dir="out")
def run_demo(out="linknet-edge-demo", data_root=None, size=(160, 224), epochs=20,
             frames=45, limit=None, seed=0):
    """Run every stage once; returns a ``DemoResult``. ``size`` is the network input (H, W).

    Without ``data_root`` the data are synthetic street scenes made here; with it, ``data_root``
    is a CamVid root (SegNet layout) and ``limit`` caps the frames of each split.
    """
    from linknet_edge.data.synthetic import write_clip, write_dataset
    from linknet_edge.training import train
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
    from linknet_edge.data import LabelledSplit
    from .accuracy import measure_accuracy
    from .report import write_reports

    check_writable(out, "--out", folder=True)
    if data_root is not None and not os.path.isdir(data_root):
        raise DatasetError("{}: --data-root does not exist or is not a folder".format(data_root))
    result = DemoResult(os.path.abspath(out))
    out = result.out_dir
    wxh = format_size(*size)
    with _Step(result, "data", "get CamVid in the SegNet layout (or Cityscapes, or a folder of "
               "image/mask pairs): docs/datasets.md") as step:
        if data_root is None:
            root = write_dataset(os.path.join(out, "data"), seed=seed)
            step.outcome = "synthetic street scenes, 48 train / 12 val frames: " + root
        else:
            root = os.path.abspath(data_root)
            step.outcome = "real CamVid at " + root
    result.paths["data"] = root
    with _Step(result, "train", "linknet-edge train --dataset camvid --data-root data/CamVid "
               "--size 480x352 --epochs 300 --device cuda --out runs/camvid") as step:
        trained = train({"dataset": "camvid", "data_root": root, "size": size, "epochs": epochs,
                         "batch_size": 8, "lr": 2e-3, "workers": 0, "device": "cpu",
                         "out": os.path.join(out, "train"), "seed": seed,
                         "limit_train": limit, "limit_val": limit})
        step.outcome = "{} epochs at {}: val mIoU {:.1f}% (best epoch {})".format(
            epochs, wxh, 100 * trained.best_miou, trained.best_epoch)
    checkpoint = trained.files["best"]
    result.paths["checkpoint"] = checkpoint
    onnx_path = os.path.join(out, "linknet.onnx")
    with _Step(result, "export", "linknet-edge export runs/camvid/best.pt -o linknet.onnx "
               "--images data/CamVid/val") as step:
        exported = export_onnx(checkpoint, onnx_path, images=os.path.join(root, "val"))
        step.outcome = exported.summary()
    result.paths["onnx"] = onnx_path
    overlay = os.path.join(out, "overlay.mp4")
    with _Step(result, "run", "linknet-edge run linknet.onnx --input video.mp4 --output "
               "overlay.mp4  (on a Jetson: model.engine --input csi://0)") as step:
        clip = os.path.join(os.path.dirname(root), _REAL_CLIP) if data_root else None
        if not clip or not os.path.isfile(clip):
            clip = write_clip(os.path.join(out, "drive.mp4"), seed=seed + 1, num_frames=frames)[0]
        timings = run_pipeline(onnx_path, clip, [overlay], stream=StreamOptions(limit=frames))
        step.outcome = "{} frames of {} -> {} at {:.1f} FPS".format(
            timings["frames"], os.path.basename(clip), overlay, timings["fps"])
    result.paths["clip"], result.paths["overlay"] = clip, overlay
    with _Step(result, "bench", "linknet-edge bench accuracy runs/camvid/best.pt --dataset camvid "
               "--data-root data/CamVid --split val") as step:
        report = measure_accuracy(checkpoint, LabelledSplit("camvid", root, "val", limit),
                                  backends=["pytorch-fp32", "onnxruntime-fp32"],
                                  out=os.path.join(out, "bench"))
        written = write_reports(report, os.path.join(out, "bench"))
        result.bench = report
        step.outcome = "PyTorch vs ONNX Runtime on val: " + written["markdown"]
    result.paths["report"] = written["markdown"]
    return result
