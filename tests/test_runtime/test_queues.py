"""The bounded frame queue: live sources keep the newest frame, files keep every frame."""

import threading

from linknet_edge.runtime.queues import ABORTED, FrameQueue


def test_drop_oldest_keeps_the_newest_and_counts_the_dropped():
    abort = threading.Event()
    frames = FrameQueue(1, drop_oldest=True)
    for index in range(5):
        assert frames.put(index, abort)
    assert frames.dropped == 4
    assert frames.get(abort) == 4
    assert frames.get_nowait() is None


def test_an_end_marker_never_evicts_the_last_frame():
    abort = threading.Event()
    frames = FrameQueue(1, drop_oldest=True)
    frames.put("last frame", abort)
    timer = threading.Timer(0.2, abort.set)
    timer.start()
    assert frames.put("end", abort, may_drop=False) is False   # waited, then gave up on abort
    timer.join()
    assert frames.get_nowait() == "last frame" and frames.dropped == 0


def test_a_blocking_queue_keeps_order_and_get_gives_up_on_abort():
    abort = threading.Event()
    frames = FrameQueue(2)
    results = []
    consumer = threading.Thread(target=lambda: results.extend(
        frames.get(abort) for _ in range(6)))
    consumer.start()
    for index in range(6):
        assert frames.put(index, abort)
    consumer.join(5)
    assert results == list(range(6)) and frames.dropped == 0
    abort.set()
    assert frames.get(abort) is ABORTED
