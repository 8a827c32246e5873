"""A few-iteration real training run: checkpoints, CSV and plots, loadable and consistent."""

import csv
import os

import pytest

from tests.markers import requires_data, requires_torch

pytestmark = [requires_torch, requires_data]

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from tests.markers import data_path
    from linknet_edge.training import train
    out = tmp_path_factory.mktemp("train") / "out"
    options = dict(dataset="camvid", data_root=data_path("camvid"), size=(64, 64), epochs=2,
                   batch_size=2, limit_train=4, limit_val=4, workers=0, device="cpu", seed=1,
                   out=str(out), save_every=2, save_train_conf=True, progress=False)
    return train(options), out, options


def test_run_writes_checkpoints_history_and_plots(finished_run):
    result, out, _ = finished_run
    names = sorted(os.listdir(str(out)))
    assert names == ["best.pt", "confusion_train.png", "confusion_val.png", "epoch_002.pt",
                     "history.csv", "last.pt", "loss.png", "miou.png"]
    for name in ("loss.png", "miou.png", "confusion_val.png", "confusion_train.png"):
        with open(str(out / name), "rb") as handle:
            assert handle.read(8) == PNG
    assert result.files["last"] == str(out / "last.pt")
    assert result.best_epoch in (1, 2) and 0 <= result.best_miou <= 1
    table = result.format_table()
    assert "best epoch" in table and "val mIoU" in table and str(out / "best.pt") in table


def test_history_csv_has_one_row_per_epoch_with_the_scheduled_lr(finished_run):
    from linknet_edge.training.history import COLUMNS
    from linknet_edge.training.schedules import poly_factor
    _, out, _ = finished_run
    with open(str(out / "history.csv")) as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    lr = [float(r[COLUMNS.index("lr")]) for r in rows[1:]]
    assert lr == pytest.approx([5e-4, 5e-4 * poly_factor(1, 2)], rel=1e-5)
    for row in rows[1:]:
        assert 0 <= float(row[COLUMNS.index("val_miou")]) <= 1
        assert float(row[COLUMNS.index("train_loss")]) > 0


def test_checkpoint_loads_with_weights_only_and_runs(finished_run):
    import torch
    from linknet_edge.weights import load_model
    _, out, _ = finished_run
    data = torch.load(str(out / "last.pt"), map_location="cpu", weights_only=True)
    assert data["epoch"] == 2 and data["optimizer"]["state"]
    assert data["scheduler"]["last_epoch"] == 2
    extra = data["extra"]
    assert set(extra["rng"]) == {"torch", "numpy", "python", "cuda"}
    assert len(extra["history"]) == 2 and extra["class_weights"].shape == (11,)
    model, spec = load_model(str(out / "best.pt"))
    assert spec.input_size == (64, 64) and spec.num_classes == 11 and spec.ignore_index == 11
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 64, 64)).shape == (1, 11, 64, 64)


def test_new_run_into_a_used_folder_is_refused(finished_run):
    from linknet_edge.errors import TrainingError
    from linknet_edge.training import train
    _, out, options = finished_run
    with pytest.raises(TrainingError, match="--resume"):
        train(options)


def test_resuming_a_finished_run_trains_nothing(finished_run):
    import torch
    from linknet_edge.training import train
    _, out, options = finished_run
    before = torch.load(str(out / "last.pt"), weights_only=True)["state_dict"]
    result = train(dict(options, resume=True))
    assert result.epochs_run == [] and result.epochs_done == 2
    after = torch.load(str(out / "last.pt"), weights_only=True)["state_dict"]
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_pretrained_encoder_file_is_loaded_before_training(tmp_path, tiny_options):
    import torch
    from linknet_edge.model import ResNetEncoder
    from linknet_edge.training import Trainer, TrainConfig
    from linknet_edge.training.distributed import DistributedContext
    torch.manual_seed(123)
    torchvision_format = dict(ResNetEncoder().state_dict(), **{
        "fc.weight": torch.zeros(1000, 512), "fc.bias": torch.zeros(1000)})
    torchvision_format["bn1.running_mean"] = torch.full((64,), 0.25)
    path = str(tmp_path / "resnet18.pth")
    torch.save(torchvision_format, path)
    config = TrainConfig(**tiny_options(tmp_path / "out", pretrained_encoder=path, limit_train=2))
    trainer = Trainer(config, DistributedContext())
    loaded = trainer.model.encoder.state_dict()
    assert torch.equal(loaded["layer4.1.conv2.weight"], torchvision_format["layer4.1.conv2.weight"])
    assert torch.equal(loaded["bn1.running_mean"], torchvision_format["bn1.running_mean"])
