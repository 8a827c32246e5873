"""The stream engine: capture -> preprocess -> infer -> postprocess, overlapped in threads.

Capture, preprocess, infer and postprocess each run in a thread, joined by bounded queues
(``runtime.queues``); the consumer iterates in its own thread (so an OpenCV window can live in
the main thread). A live source keeps only its newest frame when the stream falls behind (low
latency); a file source has every frame processed, in order. Preprocessing is the runner's
``prepare``, so the network sees the input it was exported for. Timings are kept per frame and
summarised by ``PipelineTimings`` (``FrameStream.timings``); the consumer marks each frame done
with ``FrameStream.done(item, write=ms)``.

``iterate`` and ``segment`` are the generator API over it; ``runtime.pipeline.run_pipeline`` is
the application (sinks, overlays, signals) built on the same engine.
"""

import contextlib
import logging
import threading
import time

from .postprocess import labels_to_frame
from .queues import ABORTED, FrameQueue
from .timings import PipelineTimings

__all__ = ["FrameStream", "iterate", "segment", "opened"]

logger = logging.getLogger(__name__)

_END = object()


class _Item(object):
    __slots__ = ("index", "frame", "timestamp", "captured", "timings", "classes", "overlay")

    def __init__(self, index, frame, timestamp, captured, capture_ms):
        self.index, self.frame, self.timestamp = index, frame, timestamp
        self.captured, self.timings = captured, {"capture": capture_ms}
        self.classes = self.overlay = None


def ms_since(start, count=1):
    """Milliseconds since ``perf_counter`` value ``start``, divided by ``count``."""
    return (time.perf_counter() - start) * 1000.0 / count


class FrameStream(object):
    """Iterate to get processed frames in order: objects with ``index``, ``frame`` (BGR),
    ``timestamp``, ``classes`` ((H, W) uint8 at frame size), ``overlay`` (from
    ``render(frame, classes, network_classes)``, or None), ``timings`` (ms per stage) and
    ``captured`` (``perf_counter`` at capture).

    A failing source ends the stream after the frames already captured; the error is raised
    when iteration ends. Setting ``stop_event`` ends capture and drains the rest. Call
    ``done(item)`` for each frame consumed, so ``timings`` counts it.
    """

    def __init__(self, source, runner, batch=1, max_frames=None, render=None, stop_event=None,
                 depth=2, log_every=5.0):
        self.source, self.runner, self.render = source, runner, render
        self.batch = max(1, int(batch))
        self.max_frames = max_frames
        self.live = bool(getattr(source, "is_live", False))
        depth = 1 if self.live else max(1, int(depth))
        self.stop = stop_event or threading.Event()
        self.timings = PipelineTimings(log_every)
        self._abort = threading.Event()
        self._captured = FrameQueue(depth, drop_oldest=self.live)
        self._prepared, self._inferred, self._done = (FrameQueue(depth) for _ in range(3))
        self._errors, self._threads = [], []

    @property
    def dropped(self):
        """Frames a live source captured but the stream skipped to stay current."""
        return self._captured.dropped

    def done(self, item, **stage_ms):
        """Mark ``item`` consumed: ``stage_ms`` adds the consumer's stages (e.g. ``write``);
        ``latency`` (capture -> now) is recorded and the frame counted in ``timings``."""
        item.timings.update(stage_ms)
        item.timings["latency"] = ms_since(item.captured)
        self.timings.dropped = self.dropped
        self.timings.add(item.timings)

    def __iter__(self):
        stages = ((self._capture, self._captured), (self._preprocess, self._prepared),
                  (self._infer, self._inferred), (self._postprocess, self._done))
        self.timings.start()
        for target, output in stages:
            thread = threading.Thread(target=self._guard, args=(target, output),
                                      name="stream-" + target.__name__.strip("_"))
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
                logger.debug("stream stage %s failed", target.__name__, exc_info=True)
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
            item = _Item(index, frame, timestamp, time.perf_counter(), ms_since(start))
            count += 1
            if not self._captured.put(item, self._abort):
                return
        self._captured.put(_END, self._abort, may_drop=False)

    def _preprocess(self):
        ended = False
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
                batch = self.runner.prepare([item.frame for item in items])
                ms = ms_since(start, len(items))
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
            ms = ms_since(start, len(items))
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
                network_classes = item.classes
                item.classes = labels_to_frame(network_classes, item.frame.shape)
                if self.render is not None:
                    item.overlay = self.render(item.frame, item.classes, network_classes)
                item.timings["postprocess"] = ms_since(start)
                if not self._done.put(item, self._abort):
                    return
        self._done.put(_END, self._abort, may_drop=False)


def iterate(source, runner, batch=1, max_frames=None, stop_event=None, log_every=5.0):
    """Yield ``(frame_bgr, classes, timings)`` for an open ``FrameSource`` and a runner.

    ``classes`` is the (H, W) uint8 class map at the frame's size; ``timings`` the ms per stage
    plus ``latency`` (capture -> yielded).
    """
    stream = FrameStream(source, runner, batch, max_frames, stop_event=stop_event,
                         log_every=log_every)
    for item in stream:
        stream.done(item)
        yield item.frame, item.classes, dict(item.timings)


@contextlib.contextmanager
def opened(source, model, source_options=None, model_options=None):
    """Open a source URI and a model path (objects pass through); close what was opened.

    ``source_options`` go to ``open_source`` (``loop``, ``latency``, ...), ``model_options`` to
    ``load_model`` (``backend``, ``providers``, ``device``, ...).
    """
    from .backends import load_model
    from .sources import open_source
    runner = (load_model(model, **(model_options or {})) if isinstance(model, str) else model)
    try:
        frames = (open_source(source, **(source_options or {}))
                  if isinstance(source, str) else source)
        try:
            yield frames, runner
        finally:
            if frames is not source:
                frames.close()
    finally:
        if runner is not model:
            runner.close()


def segment(source, model, batch=1, max_frames=None, source_options=None, model_options=None):
    """Like ``iterate``, but ``source`` may be a URI and ``model`` a model file path::

        for frame, classes, timings in segment("clip.mp4", "model.onnx"):
            ...
    """
    with opened(source, model, source_options, model_options) as (frames, runner):
        for result in iterate(frames, runner, batch, max_frames):
            yield result
