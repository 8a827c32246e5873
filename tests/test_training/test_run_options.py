"""What a run applies and where its weights come from: the start-of-run summary line,
--init-weights, --resume with the saved options, and logs rewritten from last.pt."""

import logging
import os

import pytest

from tests.conftest import make_tiny_checkpoint
from tests.markers import requires_data, requires_torch

pytestmark = [requires_torch, requires_data]


@pytest.fixture(scope="module")
def one_epoch(tmp_path_factory):
    """A finished 1-epoch tiny run (64x64, 4 frames): (its out folder, its options)."""
    from tests.markers import data_path
    from linknet_edge.training import train
    out = tmp_path_factory.mktemp("one_epoch") / "run"
    options = dict(dataset="camvid", data_root=data_path("camvid"), size=(64, 64), epochs=1,
                   batch_size=2, limit_train=4, limit_val=4, workers=0, device="cpu", seed=3,
                   out=str(out), progress=False)
    train(options)
    return out, options


def _applied_line(caplog):
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("applied: ")]
    assert len(lines) == 1
    return lines[0]


def test_start_of_run_logs_what_is_applied(tmp_path, tiny_options, caplog):
    from linknet_edge.spec import IMAGENET_MEAN
    from linknet_edge.training import train
    caplog.set_level(logging.INFO, logger="linknet_edge")
    train(tiny_options(tmp_path / "a", epochs=1, limit_train=2, limit_val=2, amp=True))
    line = _applied_line(caplog)
    for part in ("input 64x64 (WxH), batch 2 x 1 process(es)", "normalise RGB",
                 "mean {:.3f}".format(IMAGENET_MEAN[0]), "augment scale 0.75-1.25 + crop/pad + "
                 "h-flip p=0.5", "void 11 ignored", "adam lr 0.0005 wd 0.0002, poly^0.9 "
                 "schedule over 1 epochs", "device cpu, AMP off, channels-last off",
                 "weights: random init (seed 3)", "Sky ", "Bicyclist "):
        assert part in line, part
    low, high = line.split("class weights ")[1].split(" ")[0].split("-")
    assert 1.0 < float(low) <= float(high) <= 1 / __import__("math").log(1.02) + 1e-2
    caplog.clear()
    train(tiny_options(tmp_path / "b", epochs=1, limit_train=2, limit_val=2, flip=False,
                       scale_range=(1, 1), schedule="step", lr_step=5))
    line = _applied_line(caplog)
    assert "augment none" in line and "step x0.1 every 5 epochs" in line


def test_init_weights_start_a_new_run_at_another_size(one_epoch, tmp_path, tiny_options):
    import torch
    from linknet_edge.training import Trainer, TrainConfig
    from linknet_edge.training.distributed import DistributedContext
    out, _ = one_epoch
    saved = torch.load(str(out / "last.pt"), weights_only=True)["state_dict"]
    config = TrainConfig(**tiny_options(tmp_path / "fine", size=(64, 96), epochs=1,
                                        init_weights=str(out / "last.pt")))
    trainer = Trainer(config, DistributedContext())
    assert trainer.state.epoch == 0 and trainer.scheduler.last_epoch == 0
    assert not trainer.optimizer.state  # a new optimizer: no Adam moments yet
    loaded = trainer.model.state_dict()
    assert all(torch.equal(loaded[k], saved[k]) for k in saved)
    result = trainer.run()
    assert result.epochs_run == [1]
    assert torch.load(str(tmp_path / "fine" / "last.pt"),
                      weights_only=True)["spec"]["input_size"] == [64, 96]


@pytest.mark.parametrize("arch, classes, message", [
    ("linknet", 3, "has 3 classes"), ("linknet-nobypass", 11, "is a linknet-nobypass model")])
def test_init_weights_refuse_other_classes_or_architecture(tmp_path, tiny_options, arch, classes,
                                                           message):
    from linknet_edge.errors import SpecMismatch
    from linknet_edge.training import train
    path = make_tiny_checkpoint(tmp_path, arch=arch, classes=classes)
    with pytest.raises(SpecMismatch, match=message):
        train(tiny_options(tmp_path / "run", init_weights=path, limit_train=2, limit_val=2))


def test_resume_reuses_the_saved_options_and_flags_override(one_epoch, tmp_path, caplog):
    import shutil
    import torch
    from linknet_edge.training import train
    out, options = one_epoch
    copy = tmp_path / "copy"
    shutil.copytree(str(out), str(copy))
    caplog.set_level(logging.INFO, logger="linknet_edge")
    # No dataset, data root, size, limits or seed: they come from last.pt.
    result = train({"out": str(copy), "resume": True, "epochs": 2, "progress": False})
    assert result.epochs_run == [2]
    saved = torch.load(str(copy / "last.pt"), weights_only=True)["extra"]["config"]
    for name in ("dataset", "data_root", "batch_size", "limit_train", "limit_val", "seed"):
        assert saved[name] == options[name], name
    assert list(saved["size"]) == [64, 64] and saved["epochs"] == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("epochs=2 (was 1)" in w for w in warnings)
    # --resume CKPT without --out continues in CKPT's folder
    result = train({"resume": str(copy / "last.pt"), "epochs": 3, "progress": False})
    assert result.out_dir == str(copy) and result.epochs_run == [3]


def test_resume_rewrites_logs_that_lag_last_pt(one_epoch, tmp_path):
    import csv
    import shutil
    from linknet_edge.training import train
    out, _ = one_epoch
    copy = tmp_path / "copy"
    shutil.copytree(str(out), str(copy))
    for name in ("history.csv", "loss.png", "miou.png", "confusion_val.png"):
        os.remove(str(copy / name))  # as if killed right after last.pt was written
    result = train({"out": str(copy), "resume": True, "progress": False})
    assert result.epochs_run == []
    with open(str(copy / "history.csv")) as handle:
        assert [row[0] for row in csv.reader(handle)][1:] == ["1"]
    for name in ("loss.png", "miou.png", "confusion_val.png"):
        assert os.path.getsize(str(copy / name)) > 1000


def test_checkpoints_are_written_before_the_logs(one_epoch):
    out, _ = one_epoch
    last = os.stat(str(out / "last.pt")).st_mtime_ns
    assert os.stat(str(out / "best.pt")).st_mtime_ns <= last
    for name in ("history.csv", "loss.png", "miou.png", "confusion_val.png"):
        assert os.stat(str(out / name)).st_mtime_ns >= last, name


def test_stale_temporary_files_of_a_killed_run_are_swept(one_epoch, tmp_path):
    import shutil
    import subprocess
    import sys
    from linknet_edge.training.outputs import prepare_output_folder
    out, _ = one_epoch
    copy = tmp_path / "copy"
    shutil.copytree(str(out), str(copy))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid is now free: the owner of the files below is dead
    stale = ["last.pt.tmp{}".format(gone.pid), "best.pt.tmp{}".format(gone.pid),
             "history.csv.tmp{}".format(os.getpid())]
    alive = "last.pt.tmp{}".format(os.getppid())  # a live process (pytest's parent)
    for name in stale + [alive]:
        (copy / name).write_bytes(b"half a checkpoint")
    prepare_output_folder(str(copy))
    names = set(os.listdir(str(copy)))
    assert not names & set(stale) and alive in names and "last.pt" in names
