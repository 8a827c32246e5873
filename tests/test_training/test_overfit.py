"""--overfit N: a real LinkNet memorises 4 real CamVid frames (>= 95 % pixel accuracy on them);
a run that cannot reach the target exits 1 with one line saying what it reached."""

import pytest

from tests.markers import requires_data, requires_torch, slow

pytestmark = [requires_torch, requires_data]


def test_overfit_config_trains_and_validates_on_the_same_frames_without_augmentation():
    from linknet_edge.training import TrainConfig
    config = TrainConfig(data_root="x", overfit=4)
    assert (config.limit_train, config.flip, config.scale_range) == (4, False, None)
    assert (config.epochs, config.lr, config.schedule) == (8, 3e-3, "poly")
    assert TrainConfig(data_root="x", overfit=4, epochs=3, lr=2e-3).lr == 2e-3


@slow  # 7 epochs of 25 steps at 128x96: about 4 minutes of 2 CPU cores
def test_overfit_memorises_four_real_camvid_frames(tmp_path, tiny_options):
    from linknet_edge.training import train
    result = train(tiny_options(tmp_path / "run", overfit=4, size=(96, 128), batch_size=4,
                                limit_train=None, limit_val=None, epochs=None, seed=0))
    last = result.history.rows[-1]
    assert last["val_pixel_accuracy"] >= 0.95
    assert result.epochs_run == list(range(1, last["epoch"] + 1))  # stopped when reached
    assert all(row["val_pixel_accuracy"] < 0.95 for row in result.history.rows[:-1])


def test_overfit_that_misses_the_target_fails_in_one_line(tmp_path, tiny_options, capsys):
    from linknet_edge.cli import main
    from tests.markers import data_path
    code = main(["train", "--dataset", "camvid", "--data-root", data_path("camvid"), "--size",
                 "32x32", "--overfit", "1", "--epochs", "1", "--batch-size", "25", "--workers",
                 "0", "--lr", "1e-5", "--device", "cpu", "--out", str(tmp_path / "run")])
    assert code == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("linknet-edge train: error: overfit check failed: ")
    assert "pixel accuracy at best on the 1 train frame(s) after 1 epoch(s), 95 % needed" in last
