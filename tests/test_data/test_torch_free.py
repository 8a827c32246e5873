"""Readers, cache, metrics and the scoring loop import without torch (the Jetson runtime path)."""

import subprocess
import sys


def test_data_metrics_and_evaluation_do_not_import_torch():
    code = ("import sys, linknet_edge.data, linknet_edge.metrics, linknet_edge.evaluation, "
            "linknet_edge.runtime.evaluation, linknet_edge.runtime.commands.evaluate; "
            "sys.exit(3 if 'torch' in sys.modules else 0)")
    assert subprocess.call([sys.executable, "-c", code]) == 0
