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


# --- loading is restricted on every torch version ---------------------------------------------
# A torch without weights_only (< 1.13: JetPack 4.6's 1.10) is simulated by switching the probe
# off: torch_load then goes through linknet_edge's own strict unpickler, as it does there.

@pytest.fixture(params=["weights_only", "torch<1.13"])
def torch_generation(request, monkeypatch):
    from linknet_edge.weights import checkpoint as module
    if request.param == "torch<1.13":
        monkeypatch.setattr(module, "HAS_WEIGHTS_ONLY", False)
    elif not module.HAS_WEIGHTS_ONLY:
        pytest.skip("this torch has no weights_only")
    return request.param


class _Payload(object):
    """Unpickling this creates ``path``: the code a malicious checkpoint would run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _binunicode(text):
    import struct
    data = text.encode("utf-8")
    return b"X" + struct.pack("<I", len(data)) + data


def _malicious(kind, path, sentinel):
    import pickle
    import torch
    if kind == "zip":
        torch.save({"state_dict": {}, "x": _Payload(sentinel)}, path)
    elif kind == "legacy":
        torch.save({"x": _Payload(sentinel)}, path, _use_new_zipfile_serialization=False)
    elif kind == "raw pickle":
        with open(path, "wb") as handle:
            pickle.dump(_Payload(sentinel), handle, protocol=2)
    else:  # crafted opcodes: PROTO 2, GLOBAL builtins.open, (sentinel, "w"), REDUCE, STOP
        with open(path, "wb") as handle:
            handle.write(b"\x80\x02cbuiltins\nopen\n" + _binunicode(sentinel) + _binunicode("w")
                         + b"\x86R.")


@pytest.mark.parametrize("kind", ["zip", "legacy", "raw pickle", "crafted opcodes"])
def test_a_malicious_pickle_is_refused_without_running(tmp_path, torch_generation, kind):
    from linknet_edge.weights import load_checkpoint
    from linknet_edge.errors import CheckpointError
    sentinel = str(tmp_path / "payload_ran")
    _malicious(kind, str(tmp_path / "evil.pt"), sentinel)
    with pytest.raises(CheckpointError, match="evil.pt: refused to load: it holds Python objects "
                                              "beyond tensors .*open"):
        load_checkpoint(str(tmp_path / "evil.pt"))
    assert not os.path.exists(sentinel)


def test_a_training_checkpoint_loads_through_the_restricted_unpickler(tmp_path, torch_generation):
    """Optimizer and scheduler state, metrics and extras are plain containers: they load."""
    import torch
    from linknet_edge.weights import load_checkpoint, save_checkpoint
    from linknet_edge.model import build_model
    from linknet_edge.data import preset_spec
    model = build_model("linknet", 11)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.rand(2, 3, 64, 64)).sum().backward()
    optimizer.step()
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.9 ** epoch)
    path = save_checkpoint(str(tmp_path / "last.pt"), model, preset_spec("camvid"), optimizer,
                           scheduler, epoch=3, metrics={"miou": 0.25},
                           extra={"history": [{"epoch": 1, "loss": 1.5}], "rng": [1, 2]})
    loaded = load_checkpoint(path)
    assert loaded.epoch == 3 and loaded.metrics == {"miou": 0.25}
    assert loaded.optimizer["param_groups"][0]["lr"] == 1e-3
    assert torch.equal(loaded.optimizer["state"][0]["exp_avg"],
                       optimizer.state_dict()["state"][0]["exp_avg"])
    assert loaded.scheduler["last_epoch"] == scheduler.last_epoch
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict[key])


@pytest.mark.parametrize("content, cause", [
    (b"\x13" + bytes(bytearray(range(256))) * 8, "random bytes or another format"),
    (b"", "an empty file")])
def test_a_file_that_is_no_pytorch_file_says_so(tmp_path, torch_generation, content, cause):
    from linknet_edge.weights import load_checkpoint
    from linknet_edge.errors import CheckpointError
    (tmp_path / "x.pt").write_bytes(content)
    with pytest.raises(CheckpointError, match=r"x.pt: not a PyTorch checkpoint \({}\)".format(
            cause)):
        load_checkpoint(str(tmp_path / "x.pt"))


def test_an_onnx_file_given_as_checkpoint_says_what_it_is(onnx_path, torch_generation):
    from linknet_edge.weights import load_checkpoint
    from linknet_edge.errors import CheckpointError
    with pytest.raises(CheckpointError, match="an ONNX file: run it with --backend onnxruntime"):
        load_checkpoint(onnx_path)
