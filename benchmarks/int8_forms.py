"""The INT8 forms on ONNX Runtime's CPU provider: speed measured side by side, where the time
goes, and accuracy on CamVid val.

Makes the FP32 file's INT8 forms with ``export.quantize.quantize_int8`` (``--target tensorrt``:
symmetric Q/DQ; ``--target cpu``: U8S8 QOperator, once per calibration method), then:

- speed: every form run in turn on one frame, round after round (interleaved), with one intra-op
  thread: CPU ms of the calling thread (``CLOCK_THREAD_CPUTIME_ID``: what the kernels cost, whatever
  else the machine runs) and wall ms; the speed-up is the median of the per-round ratios;
- where the time goes: ONNX Runtime's profiler, kernel time summed per operator type;
- accuracy: pixel agreement with FP32 and mIoU on the CamVid val frames.

    python -m linknet_edge.benchmarks.int8_forms linknet.onnx --calib ../shared/data/camvid/train \\
        --data-root ../shared/data/camvid [--rounds 15] [--out int8-forms]
"""

import argparse
import collections
import json
import logging
import os
import sys
import time

import numpy as np

__all__ = ["make_forms", "time_forms", "profile_ops", "score_forms", "main"]

logger = logging.getLogger(__name__)



def _thread_cpu():
    """CPU seconds of the calling thread (``time.thread_time`` is Python 3.7+)."""
    return time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID)

def make_forms(fp32, calib, out_dir, calib_count=32):
    """``{label: path}``: FP32 and its INT8 forms (written once into ``out_dir``)."""
    from linknet_edge.export.quantize import CALIBRATION_METHODS, quantize_int8
    forms = collections.OrderedDict([("fp32", fp32)])
    plans = [("tensorrt", "minmax")] + [("cpu", m) for m in CALIBRATION_METHODS]
    for target, method in plans:
        path = os.path.join(out_dir, "int8_{}_{}.onnx".format(target, method))
        if not os.path.isfile(path):
            quantize_int8(fp32, path, calib, calib_count, target=target, method=method)
        forms["int8 {} ({})".format(target, method)] = path
    return forms


def _session(path, threads, profile_prefix=None):
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def time_forms(forms, batch, rounds=15, repeats=5, threads=1):
    """``{label: {"cpu_ms", "wall_ms", "cpu_speedup", "wall_speedup"}}`` (medians)."""
    sessions = dict((label, _session(path, threads)) for label, path in forms.items())
    feed = {sessions["fp32"].get_inputs()[0].name: batch}
    for session in sessions.values():
        for _ in range(3):
            session.run(None, feed)
    cpu, wall = collections.defaultdict(list), collections.defaultdict(list)
    for _ in range(rounds):
        for label, session in sessions.items():
            start, start_cpu = time.perf_counter(), _thread_cpu()
            for _ in range(repeats):
                session.run(None, feed)
            wall[label].append((time.perf_counter() - start) * 1000.0 / repeats)
            cpu[label].append((_thread_cpu() - start_cpu) * 1000.0 / repeats)
    result = {}
    for label in forms:
        result[label] = {
            "cpu_ms": float(np.median(cpu[label])), "wall_ms": float(np.median(wall[label])),
            "cpu_speedup": float(np.median(np.array(cpu["fp32"]) / np.array(cpu[label]))),
            "wall_speedup": float(np.median(np.array(wall["fp32"]) / np.array(wall[label])))}
    return result


def profile_ops(path, batch, out_dir, runs=10):
    """``[(op type, ms per run, nodes)]``, most costly first, from ONNX Runtime's profiler."""
    session = _session(path, 1, os.path.join(out_dir, "profile"))
    feed = {session.get_inputs()[0].name: batch}
    for _ in range(runs):
        session.run(None, feed)
    trace = session.end_profiling()
    with open(trace) as handle:
        events = json.load(handle)
    os.remove(trace)
    spent, nodes = collections.Counter(), collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event.get("name", "").endswith("_kernel_time"):
            op = event["args"].get("op_name")
            spent[op] += event["dur"]
            nodes[op] += 1
    return [(op, us / 1000.0 / runs, nodes[op] // runs) for op, us in spent.most_common()]


def score_forms(forms, root):
    """``{label: {"miou", "agreement"}}`` on CamVid val (agreement with the FP32 class maps)."""
    from linknet_edge.data import open_dataset
    from linknet_edge.metrics import ConfusionMatrix
    from linknet_edge.preprocessing import resize_labels
    from linknet_edge.runtime.backends import load_model
    reader = open_dataset("camvid", root, "val")
    pairs = [reader.read(i) for i in range(len(reader))]
    scores, reference = {}, None
    for label, path in forms.items():
        with load_model(path, "onnxruntime", providers=["cpu"]) as runner:
            matrix = ConfusionMatrix(runner.spec.num_classes, reader.ignore_index)
            maps = []
            for rgb, labels in pairs:
                classes = runner.run(runner.prepare([rgb[..., ::-1]]))[0]
                maps.append(classes)
                matrix.update(resize_labels(classes.astype(np.uint8), labels.shape), labels)
        maps = np.stack(maps)
        reference = maps if reference is None else reference
        scores[label] = {"miou": 100.0 * matrix.summary()["miou"],
                         "agreement": 100.0 * float((maps == reference).mean())}
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("onnx", help="FP32 ONNX file (any input form) written by export")
    parser.add_argument("--calib", required=True, help="real images to calibrate on")
    parser.add_argument("--data-root", required=True, help="CamVid root (SegNet layout)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", default="int8-forms", help="folder for the INT8 files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from linknet_edge.export.sample_images import read_images
    from linknet_edge.runtime.backends import load_model
    from linknet_edge.tables import format_grid
    if not os.path.isdir(args.out):
        os.makedirs(args.out)
    forms = make_forms(args.onnx, args.calib, args.out)
    with load_model(args.onnx, "onnxruntime", providers=["cpu"]) as runner:
        batch = runner.prepare(read_images(os.path.join(args.data_root, "val"), 1))
    speeds = time_forms(forms, batch, args.rounds)
    scores = score_forms(forms, args.data_root)
    rows = [[label, "{:.1f}".format(speeds[label]["cpu_ms"]),
             "{:.2f}x".format(speeds[label]["cpu_speedup"]),
             "{:.1f}".format(speeds[label]["wall_ms"]),
             "{:.2f}x".format(speeds[label]["wall_speedup"]),
             "{:.2f}".format(scores[label]["agreement"]), "{:.2f}".format(scores[label]["miou"])]
            for label in forms]
    print(format_grid(["form", "CPU ms", "x FP32", "wall ms", "x FP32", "agreement %",
                       "mIoU %"], rows, right=(1, 2, 3, 4, 5, 6)))
    for label in ("fp32", "int8 tensorrt (minmax)", "int8 cpu (minmax)"):
        ops = profile_ops(forms[label], batch, args.out)
        total = sum(ms for _, ms, _ in ops)
        print("\n{}: {:.1f} ms of kernels per run (1 thread); ".format(label, total) + ", ".join(
            "{} {:.1f} ({})".format(op, ms, count) for op, ms, count in ops[:8]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
