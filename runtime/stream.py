"""The stream engine: capture -> preprocess -> infer -> postprocess, overlapped in threads.

One capture thread per source, then preprocess, infer and postprocess threads, joined by bounded
queues (``runtime.queues``); the consumer iterates in its own thread (so an OpenCV window can
live in the main thread). Several sources share one runner: the preprocess stage gathers frames
from every source into one batch (``runtime.batching``: a file's frames are all processed, a live
source that stalls is left out of a batch instead of holding it). A live source keeps only its
newest frame when the stream falls behind (low latency); a file source has every frame
processed, in order. Preprocessing is the runner's ``prepare``, so the network sees the input it
was exported for. Timings are kept per frame, for all streams (``FrameStream.timings``) and per
stream (``FrameStream.stream_timings``); the consumer marks each frame done with
``FrameStream.done(item, write=ms)``.

``iterate`` and ``segment`` are the generator API over it; ``runtime.pipeline.run_pipeline`` is
the application (sinks, overlays, signals) built on the same engine.
"""

import contextlib
import logging
import threading
import time

from linknet_edge.deprecation import renamed_keywords

from .batching import BatchGatherer
from .postprocess import labels_to_frame, logits_to_frame
from .queues import ABORTED, END, FrameQueue
from .timings import PipelineTimings

__all__ = ["FrameStream", "iterate", "segment", "opened", "BATCH_WAIT_S"]

logger = logging.getLogger(__name__)

#: how long a batch waits for a live source's frame once it holds another's (DeepStream's
#: nvstreammux samples wait 40 ms; half that keeps a 30 FPS camera's latency lower)
BATCH_WAIT_S = 0.02


class _Item(object):
    __slots__ = ("stream", "index", "frame", "timestamp", "captured", "timings", "classes",
                 "overlay")

    def __init__(self, stream, index, frame, timestamp, captured, capture_ms):
        self.stream, self.index, self.frame, self.timestamp = stream, index, frame, timestamp
        self.captured, self.timings = captured, {"capture": capture_ms}
        self.classes = self.overlay = None


class _Lane(object):
    """One source's side of the stream: its queue (newest frame only when live) and timings."""

    def __init__(self, number, source, depth, render):
        self.number, self.source, self.render = number, source, render
        self.live = bool(getattr(source, "is_live", False))
        self.queue = FrameQueue(1 if self.live else depth, drop_oldest=self.live)
        self.timings = PipelineTimings(None, label="stream {}".format(number))


def ms_since(start, count=1):
    """Milliseconds since ``perf_counter`` value ``start``, divided by ``count``."""
    return (time.perf_counter() - start) * 1000.0 / count


class FrameStream(object):
    """Iterate to get processed frames: objects with ``stream`` (the source's position in
    ``sources``), ``index`` (its frame number), ``frame`` (BGR), ``timestamp``, ``classes``
    ((H, W) uint8 at frame size), ``overlay`` (from ``render``, or None), ``timings`` (ms per
    stage) and ``captured`` (``perf_counter`` at capture). Each stream's frames come in order.

    ``sources``: one open ``FrameSource`` or a list of them. ``batch``: frames per inference
    call (default one per source), shared out over the sources; ``batch_wait``: seconds a batch
    waits for a live source once it holds a frame. ``max_frames`` applies to each source.
    ``render``: a function (frame, classes, network_classes) -> overlay, or a list of them
    (None: no overlay), one per source. ``smooth``: class maps from the logits resized
    bilinearly to frame size (``logits_to_frame``; the model must output logits) instead of the
    network's class map resized nearest. A failing source ends its stream after the frames already captured; the
    error is raised when iteration ends. Setting ``stop_event`` ends capture and drains the
    rest. Call ``done(item)`` for each frame consumed, so ``timings`` counts it.
    """

    def __init__(self, sources, runner, batch=None, max_frames=None, render=None,
                 stop_event=None, depth=2, log_every=5.0, batch_wait=BATCH_WAIT_S,
                 smooth=False):
        sources = list(sources) if isinstance(sources, (list, tuple)) else [sources]
        renders = render if isinstance(render, (list, tuple)) else [render] * len(sources)
        self.runner, self.max_frames, self.smooth = runner, max_frames, bool(smooth)
        self.lanes = [_Lane(n, s, max(1, int(depth)), r)
                      for n, (s, r) in enumerate(zip(sources, renders))]
        self.batch = max(1, int(batch or len(self.lanes)))
        self.batch_wait = float(batch_wait)
        self.stop = stop_event or threading.Event()
        self.timings = PipelineTimings(log_every)
        self._abort, self._arrived = threading.Event(), threading.Event()
        self._prepared, self._inferred, self._done = (FrameQueue(depth) for _ in range(3))
        self._errors, self._threads = [], []

    @property
    def stream_timings(self):
        """One ``PipelineTimings`` per source, in order."""
        return [lane.timings for lane in self.lanes]

    @property
    def dropped(self):
        """Frames live sources captured but the stream skipped to stay current (all streams)."""
        return sum(lane.queue.dropped for lane in self.lanes)

    def done(self, item, **stage_ms):
        """Mark ``item`` consumed: ``stage_ms`` adds the consumer's stages (e.g. ``write``);
        ``latency`` (capture -> now) is recorded and the frame counted in ``timings``."""
        item.timings.update(stage_ms)
        item.timings["latency"] = ms_since(item.captured)
        lane = self.lanes[item.stream]
        lane.timings.dropped = lane.queue.dropped
        lane.timings.add(item.timings)
        self.timings.dropped = self.dropped
        self.timings.add(item.timings)

    def __iter__(self):
        stages = [(self._capture, lane.queue, lane) for lane in self.lanes]
        stages += [(self._preprocess, self._prepared, None), (self._infer, self._inferred, None),
                   (self._postprocess, self._done, None)]
        self.timings.start()
        for lane in self.lanes:
            lane.timings.start()
        for target, output, lane in stages:
            name = target.__name__.strip("_") + ("" if lane is None else str(lane.number))
            thread = threading.Thread(target=self._guard, args=(target, output, lane),
                                      name="stream-" + name)
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        try:
            while True:
                item = self._done.get(self._abort)
                if item is ABORTED or item is END:
                    break
                yield item
        finally:
            self.close()
        if self._errors:
            raise self._errors[0]

    def close(self):
        """Stop every stage and wait for the threads (a thread stuck in a camera read is a
        daemon and is left behind after 5 s in all)."""
        self._abort.set()
        deadline = time.perf_counter() + 5.0
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.perf_counter()))

    def _guard(self, target, output, lane):
        try:
            target() if lane is None else target(lane)
        except Exception as exc:
            self._errors.append(exc)
            if lane is not None:  # keep what was captured: drain, then report
                output.put(END, self._abort, may_drop=False)
                self._arrived.set()
            else:
                logger.debug("stream stage %s failed", target.__name__, exc_info=True)
                self._abort.set()

    def _capture(self, lane):
        frames = iter(lane.source)
        count = 0
        while not self.stop.is_set() and (self.max_frames is None or count < self.max_frames):
            start = time.perf_counter()
            try:
                index, frame, timestamp = next(frames)
            except StopIteration:
                break
            item = _Item(lane.number, index, frame, timestamp, time.perf_counter(),
                         ms_since(start))
            count += 1
            if not lane.queue.put(item, self._abort):
                return
            self._arrived.set()
        lane.queue.put(END, self._abort, may_drop=False)
        self._arrived.set()

    def _preprocess(self):
        gatherer = BatchGatherer([lane.queue for lane in self.lanes],
                                 [lane.live for lane in self.lanes], self.batch,
                                 self.batch_wait, self._arrived)
        while True:
            items = gatherer.next_batch(self._abort)
            if items is ABORTED:
                return
            if items is None:
                break
            start = time.perf_counter()
            batch = self.runner.prepare([item.frame for item in items])
            ms = ms_since(start, len(items))
            for item in items:
                item.timings["preprocess"] = ms
            if not self._prepared.put((items, batch), self._abort):
                return
        self._prepared.put(END, self._abort, may_drop=False)

    def _infer(self):
        while True:
            got = self._prepared.get(self._abort)
            if got is ABORTED:
                return
            if got is END:
                break
            items, batch = got
            start = time.perf_counter()
            classes = (self.runner.run_logits if self.smooth else self.runner.run)(batch)
            ms = ms_since(start, len(items))
            for item, item_classes in zip(items, classes):
                item.timings["infer"] = ms
                item.classes = item_classes
            if not self._inferred.put(items, self._abort):
                return
        self._inferred.put(END, self._abort, may_drop=False)

    def _postprocess(self):
        while True:
            items = self._inferred.get(self._abort)
            if items is ABORTED:
                return
            if items is END:
                break
            for item in items:
                start = time.perf_counter()
                render = self.lanes[item.stream].render
                if self.smooth:
                    logits = item.classes
                    item.classes = logits_to_frame(logits, item.frame.shape)
                    network_classes = None if render is None else logits.argmax(axis=0)
                else:
                    network_classes = item.classes
                    item.classes = labels_to_frame(network_classes, item.frame.shape)
                if render is not None:
                    item.overlay = render(item.frame, item.classes, network_classes)
                item.timings["postprocess"] = ms_since(start)
                if not self._done.put(item, self._abort):
                    return
        self._done.put(END, self._abort, may_drop=False)


@renamed_keywords(batch="batch_size", max_frames="limit")
def iterate(source, runner, batch_size=None, limit=None, stop_event=None, log_every=5.0):
    """Yield ``(frame_bgr, classes, timings)`` for an open ``FrameSource`` and a runner:
    ``batch_size`` frames per inference call, the first ``limit`` frames (None: all).

    ``classes`` is the (H, W) uint8 class map at the frame's size; ``timings`` the ms per stage
    plus ``latency`` (capture -> yielded).
    """
    stream = FrameStream(source, runner, batch_size, limit, stop_event=stop_event,
                         log_every=log_every)
    for item in stream:
        stream.done(item)
        yield item.frame, item.classes, dict(item.timings)


@contextlib.contextmanager
def opened(source, model, source_options=None, model_options=None):
    """Open a source URI (or a list of them) and a model path (objects pass through); close
    what was opened. Yields ``(sources, runner)``, ``sources`` a list where a list was given.

    ``source_options`` go to ``open_source`` (``loop``, ``latency``, ...), ``model_options`` to
    ``load_model`` (``backend``, ``providers``, ``device``, ...).
    """
    from .backends import load_model
    from .video.sources import open_source
    several = isinstance(source, (list, tuple))
    runner = (load_model(model, **(model_options or {})) if isinstance(model, str) else model)
    frames, mine = [], []
    try:
        for item in (source if several else [source]):
            if isinstance(item, str):
                item = open_source(item, **(source_options or {}))
                mine.append(item)
            frames.append(item)
        yield (frames if several else frames[0]), runner
    finally:
        for item in mine:
            item.close()
        if runner is not model:
            runner.close()


@renamed_keywords(batch="batch_size", max_frames="limit")
def segment(source, model, batch_size=None, limit=None, source_options=None,
            model_options=None):
    """Like ``iterate``, but ``source`` may be a URI and ``model`` a model file path::

        for frame, classes, timings in segment("clip.mp4", "model.onnx"):
            ...
    """
    with opened(source, model, source_options, model_options) as (frames, runner):
        for result in iterate(frames, runner, batch_size, limit):
            yield result
