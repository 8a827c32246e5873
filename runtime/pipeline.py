"""The live pipeline: capture -> preprocess -> infer -> postprocess -> write, overlapped.

Capture, preprocess, infer and postprocess each run in a thread, joined by bounded queues
(``runtime.queues``); the caller's thread writes (so an OpenCV window lives in the main thread).
A live source keeps only its newest frame when the pipeline falls behind (low latency); a file
source has every frame processed, in order. Preprocessing is ``to_network_input``, the very
function training uses, so the network sees the same input here as in training.
"""

import contextlib
import functools
import logging
import signal
import threading
import time

from linknet_edge.preprocessing import labels_to_frame, to_network_input

from .queues import ABORTED, FrameQueue
from .timings import PipelineTimings

__all__ = ["FrameStream", "iterate", "segment", "run_pipeline"]

logger = logging.getLogger(__name__)

_END = object()


class _Item(object):
    __slots__ = ("index", "frame", "timestamp", "captured", "timings", "classes", "overlay")

    def __init__(self, index, frame, timestamp, captured, capture_ms):
        self.index, self.frame, self.timestamp = index, frame, timestamp
        self.captured, self.timings = captured, {"capture": capture_ms}
        self.classes = self.overlay = None


def _ms_since(start, count=1):
    return (time.perf_counter() - start) * 1000.0 / count


class FrameStream(object):
    """Iterate to get processed frames in order: objects with ``index``, ``frame`` (BGR),
    ``timestamp``, ``classes`` ((H, W) int32 at frame size), ``overlay`` (from ``render``, or
    None), ``timings`` (ms per stage) and ``captured`` (``perf_counter`` at capture).

    A failing source ends the stream after the frames already captured; the error is raised
    when iteration ends. Setting ``stop_event`` ends capture and drains the rest.
    """

    def __init__(self, source, runner, batch=1, max_frames=None, render=None, stop_event=None,
                 depth=2):
        self.source, self.runner, self.render = source, runner, render
        self.batch = max(1, int(batch))
        self.max_frames = max_frames
        self.live = bool(getattr(source, "is_live", False))
        depth = 1 if self.live else max(1, int(depth))
        self.stop = stop_event or threading.Event()
        self._abort = threading.Event()
        self._captured = FrameQueue(depth, drop_oldest=self.live)
        self._prepared, self._inferred, self._done = (FrameQueue(depth) for _ in range(3))
        self._errors, self._threads = [], []

    @property
    def dropped(self):
        """Frames a live source captured but the pipeline skipped to stay current."""
        return self._captured.dropped

    def __iter__(self):
        stages = ((self._capture, self._captured), (self._preprocess, self._prepared),
                  (self._infer, self._inferred), (self._postprocess, self._done))
        for target, output in stages:
            thread = threading.Thread(target=self._guard, args=(target, output),
                                      name="pipeline-" + target.__name__.strip("_"))
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        try:
            while True:
                item = self._done.get(self._abort)
                if item is ABORTED or item is _END:
                    break
                yield item
        finally:
            self.close()
        if self._errors:
            raise self._errors[0]

    def close(self):
        """Stop every stage and wait for the threads (a thread stuck in a camera read is a
        daemon and is left behind after 5 s)."""
        self._abort.set()
        for thread in self._threads:
            thread.join(5.0)

    def _guard(self, target, output):
        try:
            target()
        except Exception as exc:
            self._errors.append(exc)
            if target == self._capture:  # keep what was captured: drain, then report
                output.put(_END, self._abort, may_drop=False)
            else:
                logger.debug("pipeline stage %s failed", target.__name__, exc_info=True)
                self._abort.set()

    def _capture(self):
        frames = iter(self.source)
        count = 0
        while not self.stop.is_set() and (self.max_frames is None or count < self.max_frames):
            start = time.perf_counter()
            try:
                index, frame, timestamp = next(frames)
            except StopIteration:
                break
            item = _Item(index, frame, timestamp, time.perf_counter(), _ms_since(start))
            count += 1
            if not self._captured.put(item, self._abort):
                return
        self._captured.put(_END, self._abort, may_drop=False)

    def _preprocess(self):
        spec, ended = self.runner.spec, False
        while not ended:
            items = []
            while len(items) < self.batch:
                # a live batch takes what is there; a file batch waits for a full one
                item = (self._captured.get_nowait() if items and self.live
                        else self._captured.get(self._abort))
                if item is None:
                    break
                if item is ABORTED:
                    return
                if item is _END:
                    ended = True
                    break
                items.append(item)
            if items:
                start = time.perf_counter()
                batch = to_network_input([item.frame for item in items], spec)
                ms = _ms_since(start, len(items))
                for item in items:
                    item.timings["preprocess"] = ms
                if not self._prepared.put((items, batch), self._abort):
                    return
        self._prepared.put(_END, self._abort, may_drop=False)

    def _infer(self):
        while True:
            got = self._prepared.get(self._abort)
            if got is ABORTED:
                return
            if got is _END:
                break
            items, batch = got
            start = time.perf_counter()
            classes = self.runner.run(batch)
            ms = _ms_since(start, len(items))
            for item, item_classes in zip(items, classes):
                item.timings["infer"] = ms
                item.classes = item_classes
            if not self._inferred.put(items, self._abort):
                return
        self._inferred.put(_END, self._abort, may_drop=False)

    def _postprocess(self):
        while True:
            items = self._inferred.get(self._abort)
            if items is ABORTED:
                return
            if items is _END:
                break
            for item in items:
                start = time.perf_counter()
                item.classes = labels_to_frame(item.classes, item.frame.shape)
                if self.render is not None:
                    item.overlay = self.render(item.frame, item.classes)
                item.timings["postprocess"] = _ms_since(start)
                if not self._done.put(item, self._abort):
                    return
        self._done.put(_END, self._abort, may_drop=False)


def iterate(source, runner, batch=1, max_frames=None, stop_event=None, log_every=5.0):
    """Yield ``(frame_bgr, classes, timings)`` for an open ``FrameSource`` and a runner.

    ``classes`` is the (H, W) int32 class map at the frame's size; ``timings`` the ms per stage
    plus ``latency`` (capture -> yielded).
    """
    stats = PipelineTimings(log_every)
    stream = FrameStream(source, runner, batch, max_frames, stop_event=stop_event)
    for item in stream:
        item.timings["latency"] = _ms_since(item.captured)
        stats.dropped = stream.dropped
        stats.add(item.timings)
        yield item.frame, item.classes, dict(item.timings)


@contextlib.contextmanager
def _opened(source, model, backend, loop, source_options, backend_options):
    """Open a source URI and a model path (objects pass through); close what was opened."""
    from .backends import load_model
    from .sources import open_source
    runner = (load_model(model, backend, **(backend_options or {}))
              if isinstance(model, str) else model)
    try:
        frames = (open_source(source, loop=loop, **(source_options or {}))
                  if isinstance(source, str) else source)
        try:
            yield frames, runner
        finally:
            if frames is not source:
                frames.close()
    finally:
        if runner is not model:
            runner.close()


def segment(source, model, backend=None, loop=False, batch=1, max_frames=None,
            source_options=None, backend_options=None):
    """Like ``iterate``, but ``source`` may be a URI and ``model`` a model file path::

        for frame, classes, timings in segment("clip.mp4", "model.onnx"):
            ...
    """
    with _opened(source, model, backend, loop, source_options, backend_options) as (frames,
                                                                                    runner):
        for result in iterate(frames, runner, batch, max_frames):
            yield result


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


def run_pipeline(model, inputs, outputs, backend=None, alpha=0.5, mask_only=False, legend=False,
                 loop=False, host=None, max_frames=None, batch=1, log_every=5.0,
                 source_options=None, backend_options=None, stop_event=None, sink_options=None):
    """Segment ``inputs`` (one source URI) into ``outputs`` (a sink URI or a list); returns the
    timing summary (see ``PipelineTimings.summary``) plus ``model``, ``precision``,
    ``input_size``, ``source``, ``stopped_by`` (a signal name, or None), ``input_ended_early``
    and ``input_fallback`` (the source's ``ended_early`` and ``fallback_reason``).

    Ctrl-C and SIGTERM (in the main thread) or setting ``stop_event`` stop the capture, drain
    the frames in flight and close every output, so a video file is left playable.
    """
    from .overlay import draw_overlay
    from .sinks import open_sink
    stop, caught = stop_event or threading.Event(), []
    stats = PipelineTimings(log_every)
    with _opened(inputs, model, backend, loop, source_options, backend_options) as (source,
                                                                                    runner):
        sink = open_sink(outputs, fps=source.fps, spec=runner.spec, host=host,
                         **(sink_options or {}))
        stream = None
        try:
            render = None
            if sink.needs_overlay:
                render = functools.partial(draw_overlay, spec=runner.spec, alpha=alpha,
                                           mask_only=mask_only, legend=legend)
            stream = FrameStream(source, runner, batch, max_frames, render, stop)
            with _stop_on_signals(stop, caught):
                stats.start()
                for item in stream:
                    start = time.perf_counter()
                    sink.write(item.index, item.overlay, item.classes)
                    item.timings["write"] = _ms_since(start)
                    item.timings["latency"] = _ms_since(item.captured)
                    stats.dropped = stream.dropped
                    stats.add(item.timings)
                    if sink.stop_requested:
                        stop.set()
        finally:
            if stream is not None:   # stop the threads even when a write failed
                stream.close()
            sink.close()
        summary = stats.summary()
        summary.update(model=runner.name, precision=runner.precision,
                       input_size=list(runner.input_size), source=str(inputs),
                       stopped_by=caught[0] if caught else None,
                       input_ended_early=getattr(source, "ended_early", None),
                       input_fallback=getattr(source, "fallback_reason", None))
    return summary
