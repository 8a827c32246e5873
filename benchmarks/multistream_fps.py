"""Total and per-input FPS of one run segmenting 1, 2, 4, ... inputs at once, as ratios to one.

Every input is the same video file opened once per stream (each decoded on its own, as N
cameras would be), through ``run_pipeline`` into no output, so the figure is capture, batching,
inference and post-processing of N streams sharing one runner. The counts are measured side by
side in one process, interleaved round by round (same machine load, same runner), and the
medians compared with the one-input figure. ``frames/call`` is the mean batch the stream handed
the runner (a static batch-1 file runs a batch as that many calls; export with --dynamic-batch
or --batch-size N to run it in one).

    python benchmarks/multistream_fps.py MODEL.onnx --input clip.mp4 [--streams 1 2 4] \
        [--frames 60] [--rounds 3] [--backend NAME]
"""

import argparse
import logging
import sys

__all__ = ["measure_multistream_fps", "format_multistream", "main"]

logger = logging.getLogger(__name__)


class _CountingRunner(object):
    """A runner that also counts the frames and calls it is given."""

    def __init__(self, runner):
        self._runner, self.calls, self.frames = runner, 0, 0

    def __getattr__(self, name):
        return getattr(self._runner, name)

    def run(self, batch):
        self.calls += 1
        self.frames += len(batch)
        return self._runner.run(batch)


def measure_multistream_fps(model, source, streams=(1, 2, 4), frames=60, rounds=3,
                            backend=None, warmup=5):
    """One dict per stream count: ``streams``, ``total_fps``, ``per_stream_fps`` (one per
    input), ``frames_per_call``, and ``total_ratio`` / ``per_stream_ratio`` (to the smallest
    count); medians of ``rounds`` interleaved runs of ``frames`` frames per input."""
    import numpy as np
    from linknet_edge.runtime.backends import load_model
    from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
    from linknet_edge.runtime.video.sources import open_source
    runner = load_model(model, backend)
    try:
        with open_source(source) as opened:
            images = [item[1] for _, item in zip(range(warmup), opened)]
        runner.run(runner.prepare(images))
        measured = {count: [] for count in streams}
        for round_index in range(rounds):
            for count in streams:
                counting = _CountingRunner(runner)
                summary = run_pipeline(counting, [source] * count, "none", stream=StreamOptions(
                    limit=frames, log_every=None))
                measured[count].append((summary["fps"],
                                        [part["fps"] for part in summary["streams"]],
                                        counting.frames / float(max(1, counting.calls))))
                logger.info("round %d, %d input(s): %.2f FPS in total", round_index + 1, count,
                            summary["fps"])
        rows = []
        for count in streams:
            runs = measured[count]
            rows.append({"streams": count,
                         "total_fps": float(np.median([r[0] for r in runs])),
                         "per_stream_fps": [float(v) for v in np.median([r[1] for r in runs],
                                                                        axis=0)],
                         "frames_per_call": float(np.median([r[2] for r in runs]))})
        base = rows[0]
        for row in rows:
            row["total_ratio"] = row["total_fps"] / base["total_fps"]
            row["per_stream_ratio"] = (np.mean(row["per_stream_fps"])
                                       / np.mean(base["per_stream_fps"]))
        return {"model": runner.name, "precision": runner.precision,
                "input_size": list(runner.input_size), "fixed_batch": runner.fixed_batch,
                "frames": frames, "rounds": rounds, "source": source, "rows": rows}
    finally:
        runner.close()


def format_multistream(result):
    """The result as a plain-text table."""
    from linknet_edge.tables import format_grid
    rows = [[row["streams"], "{:.2f}".format(row["total_fps"]),
             "{:.2f}".format(sum(row["per_stream_fps"]) / len(row["per_stream_fps"])),
             "{:.2f}".format(min(row["per_stream_fps"])), "{:.1f}".format(row["frames_per_call"]),
             "{:.2f}".format(row["total_ratio"]), "{:.2f}".format(row["per_stream_ratio"])]
            for row in result["rows"]]
    title = "{} {} input {}x{} (batch {}), {} frames per input, median of {} rounds".format(
        result["model"], result["precision"], result["input_size"][1], result["input_size"][0],
        result["fixed_batch"] or "dynamic", result["frames"], result["rounds"])
    return title + "\n" + format_grid(
        ["inputs", "total FPS", "FPS per input", "slowest input", "frames/call",
         "total / 1 input", "per input / 1 input"], rows, right=(0, 1, 2, 3, 4, 5, 6))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help=".onnx, .engine or .pt")
    parser.add_argument("--input", required=True, help="a video file, opened once per input")
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 2, 4],
                        help="input counts to compare; the first is the yardstick [1 2 4]")
    parser.add_argument("--frames", type=int, default=60, help="frames per input [60]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    print(format_multistream(measure_multistream_fps(args.model, args.input, args.streams,
                                                     args.frames, args.rounds, args.backend)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
