"""End-to-end FPS of the live pipeline against the backend's own FPS on the same frames.

Both are measured side by side in one process, alternating rounds, so the ratio compares like
with like (same machine load, same frames, same runner). The backend figure is ``runner.run``
alone on frames preprocessed beforehand; the pipeline figure is ``run_pipeline`` reading,
preprocessing, inferring, postprocessing and writing the same file. Goal: ratio >= 0.9.

    python benchmarks/pipeline_fps.py MODEL.onnx --input clip.mp4 [--frames 100] \
        [--output none] [--rounds 3] [--backend NAME]
"""

import argparse
import logging
import sys
import time

__all__ = ["measure_pipeline_fps", "main"]

logger = logging.getLogger(__name__)


def _backend_fps(runner, batches):
    start = time.perf_counter()
    for batch in batches:
        runner.run(batch)
    return sum(len(b) for b in batches) / (time.perf_counter() - start)


def measure_pipeline_fps(model, source, frames=100, outputs="none", rounds=3, batch=1,
                         backend=None, warmup=5, overlay=None):
    """``{"backend_fps", "pipeline_fps", "ratio", "frames", "model", ...}`` (medians of
    ``rounds`` alternating measurements). ``overlay``: ``runtime.pipeline.OverlayOptions``."""
    import numpy as np
    from linknet_edge.runtime.backends import load_model
    from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
    from linknet_edge.runtime.video.sources import open_source
    runner = load_model(model, backend)
    try:
        with open_source(source) as opened:
            images = [item[1] for _, item in zip(range(frames), opened)]
        batches = [runner.prepare(images[i:i + batch]) for i in range(0, len(images), batch)]
        for item in batches[:warmup]:
            runner.run(item)
        backend_fps, pipeline_fps, summary = [], [], None
        for round_index in range(rounds):
            backend_fps.append(_backend_fps(runner, batches))
            summary = run_pipeline(runner, source, outputs, overlay=overlay,
                                   stream=StreamOptions(batch, limit=len(images),
                                                        log_every=None))
            pipeline_fps.append(summary["fps"])
            logger.info("round %d: backend %.2f FPS, pipeline %.2f FPS", round_index + 1,
                        backend_fps[-1], pipeline_fps[-1])
        result = {"model": runner.name, "precision": runner.precision,
                  "input_size": list(runner.input_size), "frames": len(images),
                  "frame_size": list(images[0].shape[:2]), "outputs": outputs, "batch": batch,
                  "backend_fps": float(np.median(backend_fps)),
                  "pipeline_fps": float(np.median(pipeline_fps)),
                  "stages_ms": {k: v["mean"] for k, v in summary["stages"].items()}}
        result["ratio"] = result["pipeline_fps"] / result["backend_fps"]
        return result
    finally:
        runner.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help=".onnx, .engine or .pt")
    parser.add_argument("--input", required=True, help="a video file (or any source URI)")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--output", action="append", help="sink URI(s) [none]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--backend")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    result = measure_pipeline_fps(args.model, args.input, args.frames, args.output or "none",
                                  args.rounds, args.batch, args.backend)
    print("{model} {precision} input {w}x{h}, {frames} frames of {fw}x{fh}, outputs {outputs}"
          .format(w=result["input_size"][1], h=result["input_size"][0],
                  fw=result["frame_size"][1], fh=result["frame_size"][0], **result))
    print("backend alone: {:.2f} FPS | pipeline end to end: {:.2f} FPS | ratio {:.3f} "
          "(goal >= 0.9)".format(result["backend_fps"], result["pipeline_fps"], result["ratio"]))
    print("pipeline stage means (ms): " + ", ".join(
        "{} {:.1f}".format(k, v) for k, v in sorted(result["stages_ms"].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
