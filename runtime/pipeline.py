"""The live pipeline application: sources through the stream engine into sinks, until done.

``run_pipeline`` opens the sources (one, or several sharing the model: their frames are batched
into one inference call) and the model, draws overlays only when a sink needs them, writes every
processed frame to its own input's sinks (``runtime.stream_outputs`` says which) in the calling
thread, logs FPS every few seconds and returns the timing summary, per input and in total.
Ctrl-C and SIGTERM (in the main thread) or setting ``stop_event`` stop the capture, drain the
frames in flight and close every output, so a video file is left playable. The engine itself is
``runtime.stream``.
"""

import contextlib
import logging
import signal
import threading
import time

from linknet_edge.deprecation import renamed_keywords

from .stream import BATCH_WAIT_S, FrameStream, ms_since, opened

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
    """How frames flow: ``batch_size`` frames per inference call (None: one per input), stop
    each input after ``limit`` frames (None: at its end), a log line every ``log_every`` seconds
    (None: never), ``batch_wait`` seconds a batch waits for a live input's frame once it holds
    another's; ``smooth``: class maps from the logits resized bilinearly to frame size (smooth
    boundaries, more host time per frame) instead of nearest-neighbour. The CLI's
    ``--batch-size``, ``--limit``, ``--batch-wait`` (in ms) and ``--smooth``."""

    @renamed_keywords(batch="batch_size", max_frames="limit")
    def __init__(self, batch_size=None, limit=None, log_every=5.0, batch_wait=BATCH_WAIT_S,
                 smooth=False):
        self.batch_size = None if batch_size is None else int(batch_size)
        self.limit, self.log_every = limit, log_every
        self.batch_wait, self.smooth = float(batch_wait), bool(smooth)


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
    """Segment ``inputs`` (a source URI or an open ``FrameSource``, or a list of them) into
    ``outputs`` (a sink URI or a list; with several inputs, one per input in order or templates
    with ``{stream}``, see ``runtime.stream_outputs``) with ``model`` (a model file path or a
    runner).

    ``overlay``: ``OverlayOptions``; ``stream``: ``StreamOptions``; ``model_options`` go to
    ``load_model`` (``backend``, ``providers``, ``device``), ``source_options`` to
    ``open_source`` (``loop``, ``latency``, ...), ``sink_options`` to ``open_sink`` (``host``,
    ``bitrate``).
    Returns the timing summary of all inputs (see ``PipelineTimings.summary``) plus ``model``,
    ``precision``, ``input_size``, ``source``, ``stopped_by`` (a signal name, or None),
    ``input_ended_early`` and ``input_fallback`` (the sources' ``ended_early`` and
    ``fallback_reason``, joined), and ``streams``: one summary per input with its ``source``,
    ``outputs``, ``input_ended_early`` and ``input_fallback``.
    """
    from .stream_outputs import outputs_per_stream
    several = isinstance(inputs, (list, tuple))
    uris = list(inputs) if several else [inputs]
    per_stream = outputs_per_stream(outputs, len(uris))
    overlay, stream_options = overlay or OverlayOptions(), stream or StreamOptions()
    stop, caught = stop_event or threading.Event(), []
    with opened(uris, model, source_options, model_options) as (sources, runner):
        sinks, frames = [], None
        try:
            sinks = _open_sinks(per_stream, sources, runner.spec, sink_options)
            frames = FrameStream(sources, runner, stream_options.batch_size,
                                 stream_options.limit, _renders(sinks, runner.spec, overlay),
                                 stop, log_every=stream_options.log_every,
                                 batch_wait=stream_options.batch_wait,
                                 smooth=stream_options.smooth)
            with _stop_on_signals(stop, caught):
                for item in frames:
                    start = time.perf_counter()
                    sink = sinks[item.stream]
                    sink.write(item.index, item.overlay, item.classes)
                    frames.done(item, write=ms_since(start))
                    if sink.stop_requested:
                        stop.set()
        finally:
            if frames is not None:   # stop the threads even when a write failed
                frames.close()
            _close_all(sinks)
        summary = _summary(frames, uris, per_stream, sources)
        summary.update(model=runner.name, precision=runner.precision,
                       input_size=list(runner.input_size),
                       stopped_by=caught[0] if caught else None)
    return summary


def _open_sinks(per_stream, sources, spec, sink_options):
    """One sink (a ``MultiSink`` for several URIs) per input, at that input's frame rate."""
    from .video.sinks import open_sink
    sinks = []
    try:
        for number, (uris, source) in enumerate(zip(per_stream, sources)):
            title = "linknet-edge" if len(sources) == 1 else "linknet-edge {}".format(number)
            sinks.append(open_sink(uris, fps=source.fps, spec=spec, title=title,
                                   **(sink_options or {})))
    except Exception:
        _close_all(sinks)
        raise
    return sinks


def _renders(sinks, spec, overlay):
    """Per input: the overlay function its sinks need, or None when none of them shows one."""
    from .postprocess import OverlayRenderer
    render = OverlayRenderer(spec, overlay.alpha, overlay.mask_only, overlay.legend,
                             overlay.at_network)
    return [render if sink.needs_overlay else None for sink in sinks]


def _close_all(sinks):
    """Close every sink, even if one fails; then raise the first failure."""
    from .video.sinks import MultiSink
    MultiSink(sinks).close()


def _joined(values):
    """One line for several inputs' notes: ``input N (uri): note; ...`` (None if no notes)."""
    notes = [(n, uri, note) for n, (uri, note) in enumerate(values) if note]
    if len(values) == 1:
        return notes[0][2] if notes else None
    return "; ".join("input {} ({}): {}".format(n, uri, note) for n, uri, note in notes) or None


def _summary(frames, uris, per_stream, sources):
    summary = frames.timings.summary()
    streams = []
    for uri, outputs, source, timings in zip(uris, per_stream, sources, frames.stream_timings):
        part = timings.summary()
        part.update(source=str(uri), outputs=outputs,
                    input_ended_early=getattr(source, "ended_early", None),
                    input_fallback=getattr(source, "fallback_reason", None))
        streams.append(part)
    summary.update(
        source=", ".join(str(uri) for uri in uris), streams=streams,
        input_ended_early=_joined([(s["source"], s["input_ended_early"]) for s in streams]),
        input_fallback=_joined([(s["source"], s["input_fallback"]) for s in streams]))
    return summary
