"""The shrink filter of the preprocess resize: accuracy and speed of INTER_AREA against
INTER_LINEAR, side by side in one run.

Accuracy: mIoU of one model with each filter on CamVid val (scored at label resolution) and on
the CamVid clip (the 101 val frames as an mp4; ``<clip>.frames.txt`` maps clip frame i to its
label in ``valannot/``), everything else equal. Speed: ms per resize of real dash-cam frames
scaled to 640x360, 1280x720 and 1920x1080 down to the network input, the filters interleaved
round by round (medians, and the ratio measured in the same rounds).

    python -m linknet_edge.benchmarks.preprocess_filter MODEL --data-root ../shared/data/camvid \\
        --clip ../shared/data/video/camvid_0016E5_val_15fps_480x360.mp4 \\
        --speed-video ../shared/data/video/solidWhiteRight.mp4
"""

import argparse
import logging
import os
import sys
import time

import numpy as np

__all__ = ["clip_miou", "split_miou", "resize_speeds", "main"]

logger = logging.getLogger(__name__)

FRAME_SIZES = ((360, 640), (720, 1280), (1080, 1920))


def _prepare(spec, shrink):
    from linknet_edge.preprocessing import prepare_batch

    def prepare(frames, size):
        return prepare_batch(frames, spec, size, shrink=shrink)
    return prepare


def split_miou(runner, root, shrink, split="val"):
    """mIoU (0-1) of ``runner`` on a CamVid split with the ``shrink`` filter."""
    from linknet_edge.data import open_dataset
    from linknet_edge.evaluation import evaluate_predictor
    reader = open_dataset("camvid", root, split)
    matrix = evaluate_predictor(runner.run, reader, runner.spec, batch_size=1,
                                input_size=runner.input_size,
                                prepare=_prepare(runner.spec, shrink))
    return matrix.summary()["miou"], len(reader)


def clip_miou(runner, clip, label_dir, shrink):
    """mIoU (0-1) of ``runner`` on the frames of ``clip`` against their CamVid labels."""
    import cv2
    from linknet_edge.metrics import ConfusionMatrix
    from linknet_edge.preprocessing import prepare_batch, resize_labels
    with open(os.path.splitext(clip)[0] + ".frames.txt") as handle:
        names = [line.strip() for line in handle if line.strip()]
    matrix = ConfusionMatrix(runner.spec.num_classes, runner.spec.ignore_index)
    capture = cv2.VideoCapture(clip)
    try:
        for name in names:
            ok, frame = capture.read()
            if not ok:
                break
            labels = cv2.imread(os.path.join(label_dir, name), cv2.IMREAD_UNCHANGED)
            classes = runner.run(prepare_batch([frame], runner.spec, shrink=shrink))[0]
            matrix.update(resize_labels(classes.astype(np.uint8), labels.shape), labels)
    finally:
        capture.release()
    return matrix.summary()["miou"], len(names)


def resize_speeds(frame, size, rounds=7, repeats=20):
    """``{(frame (H, W), filter): median ms}`` and ``{(frame (H, W), filter): median of
    area ms / filter ms}``: each round times ``repeats`` resizes with each filter in turn."""
    import cv2
    from linknet_edge.preprocessing import SHRINK_FILTERS, resize_image
    times, ratios = {}, {}
    for height, width in FRAME_SIZES:
        scaled = cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR)
        per = {name: [] for name in SHRINK_FILTERS}
        for _ in range(rounds):
            for name in SHRINK_FILTERS:
                start = time.perf_counter()
                for _ in range(repeats):
                    resize_image(scaled, size, shrink=name)
                per[name].append((time.perf_counter() - start) * 1000.0 / repeats)
        for name, values in per.items():
            times[(height, width), name] = float(np.median(values))
            ratios[(height, width), name] = float(np.median(np.array(per["area"]) /
                                                            np.array(values)))
    return times, ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help=".onnx (any input form), .engine or .pt")
    parser.add_argument("--data-root", required=True, help="CamVid root (SegNet layout)")
    parser.add_argument("--clip", help="the CamVid val clip (with its .frames.txt)")
    parser.add_argument("--speed-video", help="a video whose first frame is resized for speed")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    import cv2
    from linknet_edge.preprocessing import SHRINK_FILTERS
    from linknet_edge.runtime.backends import load_model
    from linknet_edge.sizes import format_size
    from linknet_edge.tables import format_grid
    with load_model(args.model) as runner:
        size = runner.input_size
        rows = []
        for name in SHRINK_FILTERS:
            miou, count = split_miou(runner, args.data_root, name)
            row = [name, "{:.2f}".format(100 * miou)]
            if args.clip:
                clip, frames = clip_miou(runner, args.clip, os.path.join(
                    args.data_root, "valannot"), name)
                row.append("{:.2f}".format(100 * clip))
            rows.append(row)
        print(format_grid(["filter", "CamVid val mIoU % ({} frames)".format(count)] + (
            ["clip mIoU % ({} frames)".format(frames)] if args.clip else []), rows,
            right=(1, 2)))
        print("{} {} at {}, {} input".format(runner.name, runner.precision, format_size(*size),
                                             runner.spec.input_form))
    if args.speed_video:
        capture = cv2.VideoCapture(args.speed_video)
        ok, frame = capture.read()
        capture.release()
        others = [n for n in SHRINK_FILTERS if n != "area"]
        for target in sorted(set([tuple(size), (352, 480)])):
            times, ratios = resize_speeds(frame, target, args.rounds)
            print(format_grid(["frame -> {}".format(format_size(*target))] + [
                "{} ms".format(n) for n in SHRINK_FILTERS] + [
                "area / {}".format(n) for n in others],
                [[format_size(*frame_size)] + ["{:.3f}".format(times[frame_size, n])
                                               for n in SHRINK_FILTERS]
                 + ["{:.1f}x".format(ratios[frame_size, n]) for n in others]
                 for frame_size in FRAME_SIZES],
                right=tuple(range(1, 2 + 2 * len(others)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
