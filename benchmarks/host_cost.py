"""Host work per frame by stage, before and after issue 14, and end-to-end FPS over backend FPS.

On a Jetson the GPU runs the network and four small ARM cores do everything else, so every host
millisecond per frame caps the live pipeline. For real dash-cam frames scaled to 640x360,
1280x720 and 1920x1080 (H.264 files written here), measured side by side in one process, rounds
interleaved (medians of CPU ms per frame):

- capture: decoding the file (``runtime.video.sources``: the hardware decoder on L4T, else FFmpeg);
- preprocess: before, the float input (INTER_AREA resize + normalisation on the host); after,
  the uint8 input (``halving`` resize only: the graph normalises);
- postprocess: before, the pre-issue-14 path (int32 nearest resize, three LUTs merged, a blend,
  the legend drawn anew); after, ``labels_to_frame`` + ``OverlayRenderer``; and the overlay at
  network resolution (``--overlay-size network``);
- write: the overlay to an H.264 .mp4 (``runtime.video.sinks``: NVENC on L4T, else ffmpeg libx264),
  at frame size, or at network size for the network-resolution overlay.

Then, at 1280x720 with an .mp4 output, the live pipeline's FPS over the backend's own FPS on the
same frames (``pipeline_fps``), float input against uint8 input and network-size overlays.
Stage figures are CPU milliseconds per frame (every thread of this process, plus the encoder
subprocess): what the host's cores pay, robust to other jobs on a shared machine.

    python -m linknet_edge.benchmarks.host_cost --video solidWhiteRight.mp4 \\
        --float-model linknet_float.onnx --uint8-model linknet.onnx [--frames 60] [--rounds 5]
"""

import argparse
import logging
import os
import resource
import shutil
import sys
import tempfile

import numpy as np

__all__ = ["SIZES", "baseline_postprocess", "write_clip", "measure_stages", "main"]

logger = logging.getLogger(__name__)

#: (H, W) of the input frames measured
SIZES = ((360, 640), (720, 1280), (1080, 1920))
STAGES = ("capture", "preprocess", "postprocess", "write")
VARIANTS = ("before", "after", "after, network overlay")


def baseline_postprocess(frame_bgr, classes, spec, alpha=0.5):
    """The post-processing of the pipeline before issue 14, to measure against: the int32 class
    map resized to frame size, clipped to uint8 there, coloured by three single-channel LUTs
    merged, blended, and the legend (the classes present) laid out and drawn on every frame."""
    import cv2
    from linknet_edge.runtime.postprocess import palette_bgr
    height, width = frame_bgr.shape[:2]
    index = cv2.resize(np.asarray(classes, np.int32), (width, height),
                       interpolation=cv2.INTER_NEAREST)
    index = np.clip(index, 0, 255).astype(np.uint8)
    table = palette_bgr(spec)
    colours = cv2.merge([cv2.LUT(index, np.ascontiguousarray(table[:, c])) for c in range(3)])
    out = cv2.addWeighted(frame_bgr, 1.0 - alpha, colours, alpha, 0.0)
    counts = cv2.calcHist([index], [0], None, [256], [0, 256]).ravel()
    present = [i for i in range(spec.num_classes) if counts[i]]
    scale = max(0.35, min(0.6, height / 900.0))
    row = int(22 * scale / 0.5)
    text = max(cv2.getTextSize(spec.class_names[i], cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0]
               for i in present)
    box = out[4:4 + row * len(present) + 4, 4:4 + row + text + 12]
    box[:] = (box * 0.4).astype(np.uint8)
    for k, i in enumerate(present):
        top = 6 + k * row
        cv2.rectangle(out, (8, top), (8 + row - 6, top + row - 6),
                      tuple(int(v) for v in spec.colors[i][::-1]), -1)
        cv2.putText(out, spec.class_names[i], (8 + row, top + row - 8),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def write_clip(video, size, count, path):
    """The first ``count`` frames of ``video`` scaled to ``size`` (H, W), as an H.264 file."""
    import cv2
    from linknet_edge.runtime.video.sinks import open_sink
    capture = cv2.VideoCapture(video)
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    with open_sink(path, fps=fps) as sink:
        for index in range(count):
            ok, frame = capture.read()
            if not ok:
                break
            sink.write(index, cv2.resize(frame, (size[1], size[0]),
                                         interpolation=cv2.INTER_LINEAR), None)
    capture.release()
    return path, fps


def _cpu_ms():
    """CPU milliseconds used so far by this process (every thread) and its ended children (an
    ffmpeg encoder, once its file is closed): what a Jetson's cores pay, whatever else runs."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return 1000.0 * (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime)


def _ms(function, items):
    start = _cpu_ms()
    for item in items:
        function(item)
    return (_cpu_ms() - start) / len(items)


def _decode(path):
    """(CPU ms per frame, frames, decoder label) reading ``path`` to its end."""
    from linknet_edge.runtime.video.sources import open_source
    frames = []
    with open_source(path) as source:
        start = _cpu_ms()
        for _, frame, _ in source:
            frames.append(frame)
        ms = (_cpu_ms() - start) / max(1, len(frames))
        return ms, frames, getattr(source, "capture_label", "?")


def _write(frames, fps, folder, name):
    """(CPU ms per frame, encoder description) writing ``frames`` to an H.264 .mp4."""
    from linknet_edge.runtime.video.sinks import open_sink
    path = os.path.join(folder, name + ".mp4")
    start = _cpu_ms()
    with open_sink(path, fps=fps) as sink:
        for index, frame in enumerate(frames):
            sink.write(index, frame, None)
        description = sink.description
    ms = (_cpu_ms() - start) / len(frames)
    os.remove(path)
    return ms, description


def measure_stages(clip, fps, float_runner, uint8_runner, rounds, folder):
    """``({variant: {stage: median ms}}, {"decoder", "encoder"})`` for one clip."""
    from linknet_edge.preprocessing import to_network_input
    from linknet_edge.runtime.postprocess import OverlayRenderer, labels_to_frame
    spec = uint8_runner.spec
    _, frames, decoder = _decode(clip)
    classes = [uint8_runner.run(uint8_runner.prepare([f]))[0] for f in frames]
    pairs = list(zip(frames, classes))
    full = OverlayRenderer(spec, legend=True)
    small = OverlayRenderer(spec, legend=True, at_network=True)

    def after(pair, renderer):
        frame, network = pair
        return renderer(frame, labels_to_frame(network, frame.shape), network)

    samples = dict((v, dict((s, []) for s in STAGES)) for v in VARIANTS)
    overlays = {}
    for _ in range(rounds):
        decode_ms, _, _ = _decode(clip)
        before_pre = _ms(lambda f: to_network_input([f], float_runner.spec, shrink="area"),
                         frames)
        after_pre = _ms(lambda f: uint8_runner.prepare([f]), frames)
        posts = (_ms(lambda p: baseline_postprocess(p[0], p[1], spec), pairs),
                 _ms(lambda p: after(p, full), pairs), _ms(lambda p: after(p, small), pairs))
        overlays = {"full": [after(p, full) for p in pairs],
                    "small": [after(p, small) for p in pairs]}
        write_full, encoder = _write(overlays["full"], fps, folder, "full")
        write_small, _ = _write(overlays["small"], fps, folder, "small")
        for variant, pre, post, write in zip(VARIANTS, (before_pre, after_pre, after_pre), posts,
                                             (write_full, write_full, write_small)):
            for stage, value in zip(STAGES, (decode_ms, pre, post, write)):
                samples[variant][stage].append(value)
    medians = dict((v, dict((s, float(np.median(x))) for s, x in stages.items()))
                   for v, stages in samples.items())
    return medians, {"decoder": decoder, "encoder": encoder}


def _stage_table(size, medians):
    from linknet_edge.sizes import format_size
    from linknet_edge.tables import format_grid
    rows = [[stage] + ["{:.2f}".format(medians[v][stage]) for v in VARIANTS]
            + ["{:.1f}x".format(medians["before"][stage] / medians["after"][stage])]
            for stage in STAGES]
    totals = [sum(medians[v].values()) for v in VARIANTS]
    rows.append(["host total"] + ["{:.2f}".format(t) for t in totals]
                + ["{:.1f}x".format(totals[0] / totals[1])])
    return format_grid(["{} (CPU ms/frame)".format(format_size(*size))] + list(VARIANTS)
                       + ["before / after"], rows, right=(1, 2, 3, 4))


def _pipeline_rows(clip, models, frames, rounds, folder):
    from .pipeline_fps import measure_pipeline_fps
    rows = []
    for label, model, overlay in models:
        out = os.path.join(folder, "pipeline.mp4")
        result = measure_pipeline_fps(model, clip, frames, [out], rounds, overlay=overlay)
        rows.append([label, "{:.2f}".format(result["backend_fps"]),
                     "{:.2f}".format(result["pipeline_fps"]), "{:.3f}".format(result["ratio"]),
                     ", ".join("{} {:.1f}".format(k, v) for k, v in sorted(
                         result["stages_ms"].items()) if k != "latency")])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", required=True, help="a real clip, scaled to each size")
    parser.add_argument("--float-model", required=True, help="ONNX exported with --input float")
    parser.add_argument("--uint8-model", required=True, help="ONNX exported with --input uint8")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pipeline-rounds", type=int, default=3)
    parser.add_argument("--no-pipeline", action="store_true", help="stage costs only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from linknet_edge.runtime.backends import load_model
    from linknet_edge.runtime.pipeline import OverlayOptions
    from linknet_edge.tables import format_grid
    folder = tempfile.mkdtemp(prefix="host-cost-")
    try:
        with load_model(args.float_model) as float_runner, \
                load_model(args.uint8_model) as uint8_runner:
            clips = {}
            for size in SIZES:
                clips[size] = write_clip(args.video, size, args.frames, os.path.join(
                    folder, "clip_{}x{}.mp4".format(size[1], size[0])))
                medians, codecs = measure_stages(clips[size][0], clips[size][1], float_runner,
                                                 uint8_runner, args.rounds, folder)
                print(_stage_table(size, medians))
                print("decode: {decoder}; encode: {encoder}\n".format(**codecs))
            print("network {} at {}x{}; hardware codecs: {}".format(
                uint8_runner.name, uint8_runner.input_size[1], uint8_runner.input_size[0],
                "used above (L4T)" if "hardware" in codecs["encoder"] else
                "none on this machine (L4T only): not measured"))
        if not args.no_pipeline:
            clip = clips[(720, 1280)][0]
            rows = _pipeline_rows(clip, [
                ("float input, frame overlay", args.float_model, OverlayOptions()),
                ("uint8 input, frame overlay", args.uint8_model, OverlayOptions()),
                ("uint8 input, network overlay", args.uint8_model,
                 OverlayOptions(at_network=True))], args.frames, args.pipeline_rounds, folder)
            print("\n" + format_grid(["1280x720 -> .mp4", "backend FPS", "pipeline FPS",
                                      "ratio", "pipeline stage means (ms)"], rows,
                                     right=(1, 2, 3)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
