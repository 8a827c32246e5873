"""Exact resume: killed in epoch 2 and resumed == trained 2 epochs without a stop, bit for bit."""

import pytest

from tests.markers import requires_data, requires_torch

pytestmark = [requires_torch, requires_data]


class Killed(Exception):
    """Stands for the process dying mid-epoch (after last.pt of epoch 1 was written)."""


def _kill_in_epoch_2(event, info):
    if event == "batch_end" and info["epoch"] == 2:
        raise Killed()


def _logged(checkpoint):
    return [(r["train_loss"], r["val_loss"], r["val_miou"]) for r in checkpoint["extra"]["history"]]


def test_killed_and_resumed_run_equals_uninterrupted_run(tmp_path, tiny_options):
    import torch
    from linknet_edge.training import train
    full = tiny_options(tmp_path / "full", deterministic=True)
    cut = tiny_options(tmp_path / "cut", deterministic=True)
    train(full)
    with pytest.raises(Killed):
        train(cut, callbacks=[_kill_in_epoch_2])
    assert torch.load(str(tmp_path / "cut" / "last.pt"), weights_only=True)["epoch"] == 1
    resumed = train(dict(cut, resume=True))
    assert resumed.epochs_run == [2]

    a = torch.load(str(tmp_path / "full" / "last.pt"), weights_only=True)
    b = torch.load(str(tmp_path / "cut" / "last.pt"), weights_only=True)
    assert a["state_dict"].keys() == b["state_dict"].keys()
    different = [k for k in a["state_dict"]
                 if not torch.equal(a["state_dict"][k], b["state_dict"][k])]
    assert different == []
    for key, state in a["optimizer"]["state"].items():
        for name, value in state.items():
            assert torch.equal(value, b["optimizer"]["state"][key][name]), (key, name)
    assert a["scheduler"] == b["scheduler"]
    assert _logged(a) == _logged(b)


def test_resume_refuses_another_input_size(tmp_path, tiny_options):
    from linknet_edge.errors import CheckpointError, SpecMismatch
    from linknet_edge.training import train
    options = tiny_options(tmp_path / "run", epochs=1, limit_train=2, limit_val=2)
    with pytest.raises(CheckpointError, match="nothing to resume"):
        train(dict(options, resume=True))
    train(options)
    with pytest.raises(SpecMismatch, match="same --size"):
        train(dict(options, resume=True, size=(96, 64)))
