"""Real kills of a `linknet-edge train` process: SIGKILL mid-epoch, mid-checkpoint and right
after a checkpoint, SIGTERM mid-epoch; each time `--resume` (with the saved options only), and
the final weights equal those of a run that never stopped, bit for bit."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.markers import ROOT, data_path, requires_data, requires_torch, slow

pytestmark = [requires_torch, requires_data, slow]

EPOCHS = 4


def _start(out, *options):
    command = [sys.executable, "-m", "linknet_edge.cli", "train", "--out", str(out)]
    if not options:
        command += ["--dataset", "camvid", "--data-root", data_path("camvid"), "--size", "64x64",
                    "--epochs", str(EPOCHS), "--batch-size", "2", "--limit-train", "8",
                    "--limit-val", "2", "--workers", "1", "--device", "cpu", "--seed", "5",
                    "--deterministic"]
    env = dict(os.environ, OMP_NUM_THREADS="1")  # the same thread count in every run
    return subprocess.Popen(command + list(options), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)


def _finish(process, code=0):
    out, err = process.communicate(timeout=600)
    assert process.returncode == code, err
    return err


def _wait(condition, process, what, timeout=300):
    deadline = time.time() + timeout
    while not condition():
        assert process.poll() is None, "the run ended before " + what
        assert time.time() < deadline, "timed out waiting for " + what
        time.sleep(0.002)


def _temp(out, process):
    return os.path.join(str(out), "last.pt.tmp{}".format(process.pid))


def _mtime(path):
    return os.stat(path).st_mtime_ns if os.path.exists(path) else None


def _kill(process, sig=signal.SIGKILL):
    os.kill(process.pid, sig)
    return process


def _epoch(out):
    import torch
    return torch.load(os.path.join(str(out), "last.pt"), weights_only=True)["epoch"]


def _epoch_seconds(out):
    import csv
    with open(os.path.join(str(out), "history.csv")) as handle:
        return max(float(row["seconds"]) for row in csv.DictReader(handle))


def test_sigkill_and_sigterm_at_several_moments_then_resume_equals_uninterrupted(tmp_path):
    import torch
    full, cut = tmp_path / "full", tmp_path / "cut"
    _finish(_start(full))
    epoch_seconds = _epoch_seconds(full)
    last = os.path.join(str(cut), "last.pt")

    confusion = os.path.join(str(cut), "confusion_val.png")  # the last file of an epoch's logs

    # 1. SIGKILL in the middle of epoch 2 (epoch 1 saved)
    run = _start(cut)
    _wait(lambda: os.path.exists(confusion), run, "epoch 1's files")
    saved = _mtime(last)
    time.sleep(0.4 * epoch_seconds)
    _finish(_kill(run), -signal.SIGKILL)
    assert _mtime(last) == saved and _epoch(cut) == 1

    # 2. SIGKILL while last.pt of epoch 2 is being written: its temp file stays behind
    run = _start(cut, "--resume")
    _wait(lambda: os.path.exists(_temp(cut, run)), run, "the temp file of epoch 2's last.pt")
    _finish(_kill(run), -signal.SIGKILL)
    orphan = _temp(cut, run)
    assert os.path.exists(orphan) and _epoch(cut) == 1

    # 3. SIGKILL right after epoch 2's last.pt is renamed into place (while the logs are written)
    run = _start(cut, "--resume")
    _wait(lambda: _mtime(last) != saved, run, "epoch 2's last.pt")
    _finish(_kill(run), -signal.SIGKILL)
    assert not os.path.exists(orphan)  # swept by the resumed run
    assert _epoch(cut) == 2

    # 4. SIGTERM in the middle of epoch 3: a clean stop, one line, exit 143
    # (a resumed run first rewrites the logs from last.pt: then epoch 3 begins)
    logged = _mtime(confusion)
    run = _start(cut, "--resume")
    _wait(lambda: _mtime(confusion) != logged, run, "the logs rewritten on resume")
    time.sleep(0.4 * epoch_seconds)
    err = _finish(_kill(run, signal.SIGTERM), 143)
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("linknet-edge train: stopped by SIGTERM; ")
    assert "holds epoch" in err.strip().splitlines()[-1]

    # 5. resume to the end: the same weights, optimizer state and losses as the uninterrupted run
    _finish(_start(cut, "--resume"))
    a = torch.load(os.path.join(str(full), "last.pt"), weights_only=True)
    b = torch.load(last, weights_only=True)
    assert a["epoch"] == b["epoch"] == EPOCHS
    assert [k for k in a["state_dict"] if not torch.equal(a["state_dict"][k],
                                                          b["state_dict"][k])] == []
    for key, state in a["optimizer"]["state"].items():
        for name, value in state.items():
            assert torch.equal(value, b["optimizer"]["state"][key][name]), (key, name)
    assert [r["train_loss"] for r in a["extra"]["history"]] == \
        [r["train_loss"] for r in b["extra"]["history"]]
    assert not [name for name in os.listdir(str(cut)) if ".tmp" in name]
