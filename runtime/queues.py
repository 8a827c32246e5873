"""A bounded frame queue between pipeline threads that can drop stale frames.

A live source must not build a backlog: with ``drop_oldest`` a full queue discards its oldest
frame to take the new one (counted in ``dropped``), so the next stage always gets the freshest
frame. Without it, ``put`` waits, so a file source keeps every frame in order. Both ``put`` and
``get`` give up when the ``abort`` event is set, so no thread hangs on a dead neighbour.
"""

import queue

__all__ = ["FrameQueue", "ABORTED", "END"]

#: returned by ``get`` when ``abort`` was set before an item came
ABORTED = object()
#: put by a producer after its last item (with ``may_drop=False``)
END = object()

_POLL_S = 0.05


class FrameQueue(object):
    def __init__(self, maxsize=2, drop_oldest=False):
        self._queue = queue.Queue(max(1, int(maxsize)))
        self.drop_oldest = bool(drop_oldest)
        self.dropped = 0

    def put(self, item, abort, may_drop=True):
        """Enqueue ``item``; False if ``abort`` was set first. ``may_drop=False`` for end
        markers: they wait instead of evicting the last real frame."""
        evict = self.drop_oldest and may_drop
        while not abort.is_set():
            try:
                if evict:
                    self._queue.put_nowait(item)
                else:
                    self._queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                if evict:
                    try:
                        self._queue.get_nowait()
                        self.dropped += 1
                    except queue.Empty:
                        pass
        return False

    def get(self, abort):
        """The next item, or ``ABORTED`` if ``abort`` is set while waiting."""
        while not abort.is_set():
            try:
                return self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                continue
        return ABORTED

    def get_nowait(self):
        """The next item, or None if the queue is empty."""
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None
