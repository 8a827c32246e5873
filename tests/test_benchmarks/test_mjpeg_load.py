"""benchmarks/mjpeg_load.py on a small load: both kinds of round, refusals, a stuck reader
dropped, no thread per client (its figures come from the full run, not from this test)."""

import numpy as np

from linknet_edge.benchmarks.mjpeg_load import measure_publisher


def test_the_load_benchmark_reports_refusals_drops_and_bounded_threads():
    noise = np.random.RandomState(0).randint(0, 256, (480, 640, 3)).astype(np.uint8)
    rows = measure_publisher(noise, rate=20.0, seconds=3.0, rounds=1, idle=30, stuck=1,
                             server_options={"max_clients": 4, "send_timeout": 0.3})
    unloaded, loaded = rows  # round 1: without the load first
    assert (unloaded["load"], loaded["load"]) == (False, True)
    assert unloaded["refused"] == 0 and loaded["refused"] > 0
    assert loaded["connects"] >= 30 and loaded["viewer_frames"] > 0
    assert len(loaded["dropped_after_s"]) == 1 and loaded["still_stuck"] == 0
    assert loaded["threads_max"] == unloaded["threads_max"]
    assert loaded["counters"]["send_timeouts"] == 1 and all(r["fps"] > 0 for r in rows)
