"""Produce the README's performance table: PyTorch FP32 and ONNX Runtime FP32/FP16/INT8 on the CPU.

All four run side by side in one process on the same CamVid val frames at one stated size, so
their ratios are comparable even on a shared machine. Prints the Markdown table (environment,
mIoU, agreement, ms, FPS, share of the float32 matrix-product peak) and whether the goals were
met: ONNX Runtime INT8 at least 2x the FPS of FP32 with at most 1 point of mIoU lost, and ONNX
Runtime FP32 within 10% of the matrix-product peak. Without a checkpoint an untrained model is
measured (speed is real, mIoU is not) and the table says so.

    python -m linknet_edge.benchmarks.readme_performance --checkpoint runs/camvid/best.pt \\
        --data-root ../shared/data/camvid --size 480x352 --out bench-readme
"""

import argparse
import logging
import os
import sys

__all__ = ["goal_lines", "main"]

#: The goals the README states.
INT8_SPEEDUP, INT8_MAX_DROP, FP32_PEAK_SHARE = 2.0, 1.0, 0.9


def _untrained_checkpoint(path, size):
    from linknet_edge.weights import save_checkpoint
    from linknet_edge.model import build_model
    from linknet_edge.data import preset_spec
    return save_checkpoint(path, build_model("linknet", 11).eval(),
                           preset_spec("camvid", input_size=size))


def goal_lines(report):
    """Markdown bullet lines saying whether each goal was met, with the measured numbers."""
    rows = dict((row["variant"], row) for row in report.ok_rows())
    fp32, int8 = rows.get("onnxruntime-fp32"), rows.get("onnxruntime-int8")
    lines = []
    if fp32 and int8:
        speedup = int8["fps"] / fp32["fps"]
        drop = -(int8.get("miou_delta") or 0.0)
        met = speedup >= INT8_SPEEDUP and drop <= INT8_MAX_DROP
        lines.append("- ONNX Runtime INT8 vs FP32: {:.2f}x the FPS, {:+.2f} mIoU points "
                     "(goal: >= {:g}x with <= {:g} point lost): {}".format(
                         speedup, -drop, INT8_SPEEDUP, INT8_MAX_DROP,
                         "met" if met else "NOT met"))
    if fp32 and fp32.get("peak_share") is not None:
        met = fp32["peak_share"] >= FP32_PEAK_SHARE
        lines.append("- ONNX Runtime FP32 reaches {:.0%} of the matrix-product peak "
                     "(goal: >= {:.0%}): {}".format(fp32["peak_share"], FP32_PEAK_SHARE,
                                                    "met" if met else "NOT met"))
    return lines


def main(argv=None):
    from linknet_edge.sizes import format_size, parse_size
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=None,
                        help="trained .pt (default: an untrained 11-class LinkNet, said so)")
    parser.add_argument("--data-root", default=os.path.join("..", "shared", "data", "camvid"))
    parser.add_argument("--size", type=parse_size, default=(352, 480), metavar="WxH")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="first N val frames (default: all 101)")
    parser.add_argument("--out", default="bench-readme", metavar="DIR")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from linknet_edge.benchmarks import format_markdown, measure_accuracy, write_reports
    from linknet_edge.data import LabelledSplit
    checkpoint, note = args.checkpoint, "trained checkpoint {}".format(args.checkpoint)
    if checkpoint is None:
        if not os.path.isdir(args.out):
            os.makedirs(args.out)
        checkpoint = _untrained_checkpoint(os.path.join(args.out, "untrained.pt"), args.size)
        note = "UNTRAINED model (random weights): speed is real, mIoU is meaningless"
    report = measure_accuracy(checkpoint, LabelledSplit("camvid", args.data_root, "val",
                                                        args.limit), size=args.size,
                              backends=["pytorch", "onnxruntime"],
                              out=args.out)
    write_reports(report, args.out)
    frames = max([row.get("frames") or 0 for row in report.rows] or [0])
    print(format_markdown(report, title="CamVid val, {} frames at {}, CPU".format(
        frames, format_size(*args.size))))
    print("- model: " + note)
    print("\n".join(goal_lines(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
