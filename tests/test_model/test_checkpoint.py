"""Checkpoint format: round trip, atomic writes, clear errors."""

import os

import pytest

from tests.markers import requires_torch

pytestmark = requires_torch


@pytest.fixture
def checkpoint(tmp_path):
    from linknet_edge.weights import save_checkpoint
    from linknet_edge.model import build_model
    from linknet_edge.data import preset_spec
    spec = preset_spec("camvid", input_size=(64, 64))
    path = str(tmp_path / "model.pt")
    save_checkpoint(path, build_model("linknet", spec.num_classes), spec, epoch=4,
                    metrics={"miou": 0.5})
    return path


def test_round_trip_keeps_spec_weights_and_metadata(checkpoint):
    import torch
    from linknet_edge.weights import load_checkpoint, load_model
    loaded = load_checkpoint(checkpoint)
    model, spec = load_model(checkpoint)
    assert (loaded.epoch, loaded.metrics, spec.num_classes) == (4, {"miou": 0.5}, 11)
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict[key])
    assert not [f for f in os.listdir(os.path.dirname(checkpoint)) if ".tmp" in f]


def test_truncated_file_is_one_line_error(checkpoint, tmp_path):
    from linknet_edge.weights import load_checkpoint
    from linknet_edge.errors import CheckpointError
    data = open(checkpoint, "rb").read()
    bad = tmp_path / "cut.pt"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="cut.pt: not a readable PyTorch checkpoint"):
        load_checkpoint(str(bad))


@pytest.mark.parametrize("content", [b"hello", b""])
def test_not_a_checkpoint(tmp_path, content):
    from linknet_edge.weights import load_checkpoint
    from linknet_edge.errors import CheckpointError
    bad = tmp_path / "x.pt"
    bad.write_bytes(content)
    with pytest.raises(CheckpointError, match="x.pt"):
        load_checkpoint(str(bad))


def test_plain_state_dict_is_not_taken_for_a_checkpoint(tmp_path):
    import torch
    from linknet_edge.weights import load_checkpoint
    from linknet_edge.errors import CheckpointError
    torch.save({"state_dict": {"w": torch.zeros(1)}}, str(tmp_path / "sd.pt"))
    with pytest.raises(CheckpointError, match="not a linknet-edge checkpoint"):
        load_checkpoint(str(tmp_path / "sd.pt"))


def test_missing_file(tmp_path):
    from linknet_edge.weights import load_model
    from linknet_edge.errors import CheckpointError
    with pytest.raises(CheckpointError, match="nope.pt: no such checkpoint"):
        load_model(str(tmp_path / "nope.pt"))


def test_other_class_count_or_architecture_is_refused(checkpoint):
    from linknet_edge.weights import load_model
    from linknet_edge.errors import SpecMismatch
    from linknet_edge.data import preset_spec
    with pytest.raises(SpecMismatch, match="has 11 classes.*expected 19"):
        load_model(checkpoint, expected_spec=preset_spec("cityscapes"))
    with pytest.raises(SpecMismatch, match="is a linknet model, expected linknet-res-dec"):
        load_model(checkpoint, expected_spec=preset_spec("camvid", arch="linknet-res-dec"))


def test_weights_of_another_shape_are_one_error(checkpoint):
    from linknet_edge.weights import load_checkpoint, load_weights
    from linknet_edge.errors import SpecMismatch
    from linknet_edge.model import build_model
    with pytest.raises(SpecMismatch, match="tensors of another shape.*head.tp_conv2"):
        load_weights(build_model("linknet", 19), load_checkpoint(checkpoint).state_dict, "c.pt")


def test_interrupted_save_leaves_the_old_file(checkpoint, monkeypatch):
    import torch
    from linknet_edge.weights import save_checkpoint
    from linknet_edge.model import build_model
    from linknet_edge.data import preset_spec
    before = open(checkpoint, "rb").read()

    def crash(obj, path):
        open(path, "wb").write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(checkpoint, build_model("linknet", 11), preset_spec("camvid"))
    assert open(checkpoint, "rb").read() == before
    assert not [f for f in os.listdir(os.path.dirname(checkpoint)) if ".tmp" in f]
