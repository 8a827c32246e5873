"""Output paths: the one up-front writability check, and the sweep of temporary files that a
killed writer (SIGKILL, power loss) left, done by every atomic write."""

import os
import subprocess
import sys

import pytest

from linknet_edge.atomic import check_writable, write_atomic
from linknet_edge.errors import OutputError
from tests.markers import requires_onnx, requires_torch


def _dead_pid():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid is free now: the owner of a file named after it is dead
    return gone.pid


def test_a_writable_output_passes_and_nothing_is_created(tmp_path):
    target = tmp_path / "new" / "deeper" / "x.onnx"
    assert check_writable(str(target), "-o") == str(target)
    assert check_writable(str(tmp_path / "run"), "--out", folder=True) == str(tmp_path / "run")
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("case, folder, message", [
    ("a folder given as file", False, "is a folder; -o needs a file name"),
    ("a file given as folder", True, "is a file; -o needs a folder"),
    ("below a file", False, "-o cannot go below .*blocker: it is a file, not a folder"),
    ("read-only", False, "cannot write -o in /sys"),
])
def test_an_unusable_output_is_one_line_naming_the_option(tmp_path, case, folder, message):
    blocker = tmp_path / "blocker"
    blocker.write_text(u"x")
    path = {"a folder given as file": str(tmp_path), "a file given as folder": str(blocker),
            "below a file": str(blocker / "x.onnx"), "read-only": "/sys/x.onnx"}[case]
    if case == "read-only" and not os.path.isdir("/sys"):
        pytest.skip("no sysfs here")
    with pytest.raises(OutputError, match=message):
        check_writable(path, "-o", folder=folder)


def test_every_atomic_write_sweeps_the_temporary_files_of_dead_writers(tmp_path):
    dead = _dead_pid()
    stale = ["x.onnx.tmp{}".format(dead), "q.onnx.pre.tmp{}".format(dead)]
    kept = ["last.pt.tmp{}".format(os.getppid()),  # a live process is still writing it
            "other.json.tmp{}".format(os.getpid()),  # this process may be writing it now
            "notes.tmp"]  # not a temporary file of ours
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"half a file")
    write_atomic(str(tmp_path / "report.json"), "{}\n")
    assert sorted(os.listdir(str(tmp_path))) == sorted(kept + ["report.json"])


@requires_torch
@requires_onnx
def test_an_export_removes_what_a_killed_export_left(tiny_checkpoint, tmp_path, capsys):
    from linknet_edge.cli import main
    orphan = tmp_path / "m.onnx.tmp{}".format(_dead_pid())
    orphan.write_bytes(b"the first half of an ONNX file")
    assert main(["-q", "export", tiny_checkpoint, "-o", str(tmp_path / "m.onnx"),
                 "--no-verify"]) == 0
    assert os.listdir(str(tmp_path)) == ["m.onnx"]
    capsys.readouterr()
