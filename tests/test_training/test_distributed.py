"""torchrun with 2 processes on gloo (CPU): one set of files, metrics over all val frames."""

import os
import socket
import subprocess
import sys

import pytest

from tests.markers import ROOT, data_path, requires_data, requires_torch

pytestmark = [requires_torch, requires_data]


def _free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_two_process_gloo_run_trains_and_writes_one_set_of_files(tmp_path):
    out = tmp_path / "ddp"
    command = [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=2",
               "--master_addr=127.0.0.1", "--master_port={}".format(_free_port()),
               "-m", "linknet_edge.cli", "train", "--dataset", "camvid",
               "--data-root", data_path("camvid"), "--size", "64x64", "--epochs", "1",
               "--batch-size", "2", "--limit-train", "4", "--limit-val", "3", "--workers", "0",
               "--device", "cpu", "--seed", "2", "--out", str(out)]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=ROOT)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-3000:]
    assert stdout.count("training finished") == 1  # rank 0 alone prints the summary
    assert stderr.count("epoch 1/1:") == 1           # ... and logs
    assert "batch 2 x 2 process(es)" in stderr
    assert sorted(os.listdir(str(out))) == ["best.pt", "confusion_val.png", "history.csv",
                                            "last.pt", "loss.png", "miou.png"]
    _check_val_metrics_cover_all_frames(out)


def _check_val_metrics_cover_all_frames(out):
    """Rank 0 scored frame 0 and 2, rank 1 frame 1: the logged mIoU must be that of all three."""
    from torch.utils.data import DataLoader
    from linknet_edge.weights import load_checkpoint, load_model
    from linknet_edge.data import open_dataset
    from linknet_edge.training import SegmentationDataset, make_criterion
    from linknet_edge.training.distributed import DistributedContext
    from linknet_edge.training.loops import evaluate
    checkpoint = load_checkpoint(str(out / "last.pt"))
    model, spec = load_model(str(out / "last.pt"))
    reader = open_dataset("camvid", data_path("camvid"), "val", size=(64, 64))
    loader = DataLoader(SegmentationDataset(reader, spec, indices=[0, 1, 2]), batch_size=2)
    criterion = make_criterion(checkpoint.extra["class_weights"].numpy(), 11)
    _, confusion = evaluate(model, loader, criterion, DistributedContext(), 11, 11)
    assert confusion.counts.sum() > 0
    logged = checkpoint.extra["history"][0]["val_miou"]
    assert logged == pytest.approx(confusion.summary()["miou"], abs=2e-3)
