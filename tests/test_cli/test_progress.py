"""Long verbs show progress on stderr (a tqdm bar on a terminal, log lines otherwise) and end
with their summary table on stdout."""

import logging
import os
import subprocess
import sys

import pytest

from linknet_edge.cli import main
from tests.markers import ROOT, requires_onnxruntime, requires_torch


def _steps(caplog, description):
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(description + " ")]


@requires_torch
def test_export_logs_its_steps_then_prints_its_table(tiny_checkpoint, tmp_path, caplog, capsys):
    caplog.set_level(logging.INFO)
    assert main(["export", tiny_checkpoint, "-o", str(tmp_path / "m.onnx"), "--no-verify"]) == 0
    assert _steps(caplog, "export") == ["export 1/1: tracing linknet to ONNX opset 13"]
    assert str(tmp_path / "m.onnx") in capsys.readouterr().out
    assert main(["export", tiny_checkpoint, "-o", str(tmp_path / "w.pt"), "--format", "pt"]) == 0
    assert [line.split(":")[0] for line in _steps(caplog, "export")[1:]] == ["export 1/2",
                                                                            "export 2/2"]
    assert "weights-only checkpoint" in capsys.readouterr().out


@requires_onnxruntime
def test_quantize_and_bench_log_their_steps(onnx_path, tmp_path, caplog, capsys):
    pytest.importorskip("onnxconverter_common")
    caplog.set_level(logging.INFO)
    assert main(["quantize", onnx_path, "--precision", "fp16", "-o",
                 str(tmp_path / "half.onnx")]) == 0
    assert _steps(caplog, "quantize") == ["quantize 1/2: converting to FP16",
                                          "quantize 2/2: comparing with FP32 on 4 images"]
    assert "FP16 vs FP32" in capsys.readouterr().out
    assert main(["bench", "latency", onnx_path, str(tmp_path / "half.onnx"), "--iters", "2",
                 "--warmup", "0", "--out", str(tmp_path / "bench")]) == 0
    assert _steps(caplog, "bench latency") == [
        "bench latency 1/2: tiny.onnx on onnxruntime",
        "bench latency 2/2: half.onnx on onnxruntime"]
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("model") and len([l for l in table if "ok" in l]) == 2


_TRACK = """
import logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="LOG %(message)s")
{block}
from linknet_edge.progress import track
for name in track(["onnxruntime-fp32", "onnxruntime-int8"], "bench accuracy", "variant"):
    time.sleep(0.05)
"""


def _stderr_on_a_terminal(code):
    """Run ``code`` with stderr on a pseudo-terminal; returns what the terminal received."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=slave,
                               stdout=subprocess.DEVNULL)
    os.close(slave)
    received = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    assert process.wait(timeout=60) == 0, received.decode("utf-8", "replace")
    return received.decode("utf-8", "replace")


def test_a_terminal_gets_a_tqdm_bar_and_a_pipe_gets_log_lines():
    pytest.importorskip("tqdm")
    shown = _stderr_on_a_terminal(_TRACK.format(block=""))
    assert "bench accuracy" in shown and "variant" in shown and "\r" in shown
    assert "onnxruntime-int8" in shown and "LOG" not in shown
    piped = subprocess.run([sys.executable, "-c", _TRACK.format(block="")], cwd=ROOT,
                           stderr=subprocess.PIPE, universal_newlines=True).stderr
    assert piped.splitlines() == ["LOG bench accuracy 1/2: onnxruntime-fp32",
                                  "LOG bench accuracy 2/2: onnxruntime-int8"]


def test_a_terminal_without_tqdm_gets_log_lines():
    block = ("class Block(object):\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             "        if name == 'tqdm':\n"
             "            raise ImportError('tqdm is blocked in this test')\n"
             "sys.meta_path.insert(0, Block())")
    shown = _stderr_on_a_terminal(_TRACK.format(block=block))
    assert "LOG bench accuracy 1/2: onnxruntime-fp32" in shown
    assert "LOG bench accuracy 2/2: onnxruntime-int8" in shown
