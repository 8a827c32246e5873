"""Bad train options fail in one line before any work: at the argument type, or up front."""

import os
import shutil
import subprocess
import sys

import pytest

from linknet_edge.cli import main
from tests.markers import ROOT, data_path, requires_data, requires_torch

DATA = ["--dataset", "camvid", "--data-root", "no-such-data"]


@pytest.mark.parametrize("option, value", [
    ("--lr", "nan"), ("--lr", "inf"), ("--lr", "0"), ("--lr", "-1"), ("--weight-decay", "-1"),
    ("--workers", "-1"), ("--device", "foo"), ("--device", "cuda:x"), ("--epochs", "0"),
    ("--batch-size", "0"), ("--lr-step", "0"), ("--overfit", "0"), ("--limit-train", "0"),
    ("--save-every", "-2"), ("--epochs", "3.5"),
])
def test_bad_values_are_refused_at_the_argument_type(option, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train"] + DATA + [option, value])
    assert exit_info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "argument {}".format(option) in last and repr(value) in last


def test_abbreviated_options_are_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train"] + DATA + ["--epoch", "3"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --epoch" in capsys.readouterr().err


def test_combined_short_flags_still_work(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["-vv", "train", "--help"])
    assert exit_info.value.code == 0 and "--overfit" in capsys.readouterr().out


@requires_torch
@pytest.mark.parametrize("case", ["existing file", "below a file", "cannot be created"])
def test_unusable_out_fails_before_any_data_is_read(tmp_path, case, capsys):
    target = tmp_path / "file"
    target.write_text(u"not a folder")
    out = {"existing file": str(target), "below a file": str(target / "run"),
           "cannot be created": "/proc/linknet-edge-run"}[case]
    # The data root does not exist: a data error would mean the data was read first.
    assert main(["train"] + DATA + ["--out", out, "--device", "cpu"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("linknet-edge train: error: {}: ".format(out))
    assert "no-such-data" not in last


@requires_torch
@pytest.mark.parametrize("options, message", [
    (["--schedule", "step", "--lr-step", "0"], "argument --lr-step"),
    (["--resume", "--init-weights", "x.pt"], "give one of --init-weights, --resume"),
    (["--overfit", "4", "--limit-train", "8"], "drop limit_train"),
])
def test_contradicting_options_are_refused(tmp_path, options, message, capsys):
    try:
        code = main(["train"] + DATA + ["--out", str(tmp_path / "run")] + options)
    except SystemExit as exc:
        code = exc.code
    assert code in (1, 2)
    assert message in capsys.readouterr().err.strip().splitlines()[-1]


def _copy_frames(root, count=4):
    """A CamVid folder with the first ``count`` real train and val frames."""
    for split in ("train", "val"):
        names = sorted(os.listdir(data_path("camvid", split)))[:count]
        for folder in (split, split + "annot"):
            os.makedirs(os.path.join(root, folder))
            for name in names:
                shutil.copy(data_path("camvid", folder, name), os.path.join(root, folder, name))
    return root


@requires_torch
@requires_data
def test_corrupt_image_read_by_a_worker_fails_in_one_line_naming_it(tmp_path):
    root = _copy_frames(str(tmp_path / "camvid"))
    victim = os.path.join(root, "train", sorted(os.listdir(os.path.join(root, "train")))[1])
    with open(victim, "r+b") as handle:
        handle.truncate(200)  # a PNG cut short: cv2 cannot decode it
    process = subprocess.Popen(
        [sys.executable, "-m", "linknet_edge.cli", "train", "--dataset", "camvid", "--data-root",
         root, "--size", "64x64", "--epochs", "1", "--batch-size", "2", "--workers", "1",
         "--device", "cpu", "--out", str(tmp_path / "run")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("linknet-edge train: error: {}: cannot decode".format(victim)), last
