"""Frames from several sources into one inference batch, without letting one source stall it.

Each source (a *lane*) fills its own ``FrameQueue`` from its own capture thread and sets a shared
``arrived`` event after each put. ``BatchGatherer.next_batch`` takes at most ``quota`` frames per
lane (``batch`` shared out over the lanes still running, so each stream gets its turn, as
DeepStream's nvstreammux batches one frame per source), in each lane's order:

- a file lane is waited for until it gave its share: every frame of a file is processed;
- a live lane is waited for at most ``wait_s`` after the batch's first frame; a camera or stream
  that stalls is simply absent from the batch, and the others go on.

A lane ends when its queue yields ``queues.END``; ``next_batch`` returns None once every lane has.
"""

import time

from .queues import ABORTED, END

__all__ = ["BatchGatherer"]

_POLL_S = 0.05


class BatchGatherer(object):
    """Gathers batches from ``queues`` (one ``FrameQueue`` per lane); ``live`` says, per lane,
    whether it is a live source. ``arrived`` is the ``threading.Event`` the producers set after
    each put."""

    def __init__(self, queues, live, batch, wait_s, arrived):
        self.queues, self.live = list(queues), [bool(v) for v in live]
        self.batch, self.wait_s, self.arrived = max(1, int(batch)), float(wait_s), arrived
        self.active = list(range(len(self.queues)))

    @property
    def quota(self):
        """Frames one lane may give to a batch: the batch shared out over the running lanes."""
        return -(-self.batch // max(1, len(self.active)))

    def next_batch(self, abort):
        """A list of items (each lane's in order), None when every lane has ended, or
        ``ABORTED`` when ``abort`` is set first."""
        items, taken, first_at = [], {}, None
        while True:
            # clear before looking: a frame put after the look sets it again, so no wait misses it
            self.arrived.clear()
            moved = self._take_round(items, taken)
            if first_at is None and items:
                first_at = time.perf_counter()
            if not self.active or len(items) >= self.batch:
                break
            if moved:
                continue
            if abort.is_set():
                return ABORTED
            owed = [lane for lane in self.active if taken.get(lane, 0) < self.quota]
            if not items or any(not self.live[lane] for lane in owed):
                self.arrived.wait(_POLL_S)
                continue
            remaining = first_at + self.wait_s - time.perf_counter()
            if remaining <= 0:
                break
            self.arrived.wait(min(remaining, _POLL_S))
        return items if items else None

    def _take_round(self, items, taken):
        """One frame from each lane still under its quota that has one ready; True if anything
        was taken or a lane ended (the quota may have changed)."""
        moved = False
        for lane in list(self.active):
            if len(items) >= self.batch:
                break
            if taken.get(lane, 0) >= self.quota:
                continue
            item = self.queues[lane].get_nowait()
            if item is None:
                continue
            moved = True
            if item is END:
                self.active.remove(lane)
                continue
            items.append(item)
            taken[lane] = taken.get(lane, 0) + 1
        return moved
