"""The live pipeline application: a source through the stream engine into sinks, until done.

``run_pipeline`` opens the source and the model, draws overlays only when a sink needs them,
writes every processed frame to its sinks in the calling thread, logs FPS every few seconds and
returns the timing summary. Ctrl-C and SIGTERM (in the main thread) or setting ``stop_event``
stop the capture, drain the frames in flight and close every output, so a video file is left
playable. The engine itself is ``runtime.stream``.
"""

import contextlib
import logging
import signal
import threading
import time

from .stream import FrameStream, ms_since, opened

__all__ = ["run_pipeline", "OverlayOptions", "StreamOptions"]

logger = logging.getLogger(__name__)


class OverlayOptions(object):
    """How class maps are drawn for sinks that show them: ``alpha`` (0-1 opacity of the
    colours), ``mask_only`` (colours without the frame), ``legend`` (class names),
    ``at_network`` (overlays at the network's resolution: less host work, e.g. on a Jetson)."""

    def __init__(self, alpha=0.5, mask_only=False, legend=False, at_network=False):
        self.alpha, self.mask_only, self.legend = float(alpha), bool(mask_only), bool(legend)
        self.at_network = bool(at_network)


class StreamOptions(object):
    """How frames flow: ``batch`` frames per inference call, stop after ``max_frames`` (None:
    at the end of the source), a log line every ``log_every`` seconds (None: never)."""

    def __init__(self, batch=1, max_frames=None, log_every=5.0):
        self.batch, self.max_frames, self.log_every = int(batch), max_frames, log_every


@contextlib.contextmanager
def _stop_on_signals(stop, caught):
    """SIGINT/SIGTERM set ``stop`` (finish cleanly); a second SIGINT raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum, _frame):
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        caught.append(signal.Signals(signum).name)
        logger.warning("%s: finishing the frames in flight and closing outputs (Ctrl-C again "
                       "to abort)", caught[-1])
        stop.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_pipeline(model, inputs, outputs="none", overlay=None, stream=None, model_options=None,
                 source_options=None, sink_options=None, stop_event=None):
    """Segment ``inputs`` (a source URI or an open ``FrameSource``) into ``outputs`` (a sink URI
    or a list of them) with ``model`` (a model file path or a runner).

    ``overlay``: ``OverlayOptions``; ``stream``: ``StreamOptions``; ``model_options`` go to
    ``load_model`` (``backend``, ``providers``, ``device``), ``source_options`` to
    ``open_source`` (``loop``, ``latency``, ...), ``sink_options`` to ``open_sink`` (``host``,
    ``bitrate``).
    Returns the timing summary (see ``PipelineTimings.summary``) plus ``model``, ``precision``,
    ``input_size``, ``source``, ``stopped_by`` (a signal name, or None), ``input_ended_early``
    and ``input_fallback`` (the source's ``ended_early`` and ``fallback_reason``).
    """
    from .postprocess import OverlayRenderer
    from .sinks import open_sink
    overlay, stream_options = overlay or OverlayOptions(), stream or StreamOptions()
    stop, caught = stop_event or threading.Event(), []
    with opened(inputs, model, source_options, model_options) as (source, runner):
        sink = open_sink(outputs, fps=source.fps, spec=runner.spec, **(sink_options or {}))
        frames = None
        try:
            render = None
            if sink.needs_overlay:
                render = OverlayRenderer(runner.spec, overlay.alpha, overlay.mask_only,
                                         overlay.legend, overlay.at_network)
            frames = FrameStream(source, runner, stream_options.batch, stream_options.max_frames,
                                 render, stop, log_every=stream_options.log_every)
            with _stop_on_signals(stop, caught):
                for item in frames:
                    start = time.perf_counter()
                    sink.write(item.index, item.overlay, item.classes)
                    frames.done(item, write=ms_since(start))
                    if sink.stop_requested:
                        stop.set()
        finally:
            if frames is not None:   # stop the threads even when a write failed
                frames.close()
            sink.close()
        summary = frames.timings.summary()
        summary.update(model=runner.name, precision=runner.precision,
                       input_size=list(runner.input_size), source=str(inputs),
                       stopped_by=caught[0] if caught else None,
                       input_ended_early=getattr(source, "ended_early", None),
                       input_fallback=getattr(source, "fallback_reason", None))
    return summary
