"""Importing e-Lab pytorch-linknet checkpoints and torchvision ResNet-18 encoder files."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.markers import ROOT, requires_torch

pytestmark = requires_torch

MODULE = "elab_throwaway_linknet"


@pytest.fixture
def elab_module(tmp_path, monkeypatch):
    """e-Lab's model definitions under a throwaway module name, importable from tmp_path."""
    shutil.copy(os.path.join(os.path.dirname(__file__), "elab_reference.py"),
                str(tmp_path / (MODULE + ".py")))
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    module = importlib.import_module(MODULE)
    yield module
    sys.modules.pop(MODULE, None)


def _elab_checkpoint(module, cls_name, path, n_classes=12):
    import torch
    torch.manual_seed(0)
    model = getattr(module, cls_name)(n_classes)
    model.train()
    with torch.no_grad():  # non-trivial BN running statistics
        model(torch.randn(2, 3, 64, 96) * 2 + 0.5)
    model.eval()
    state = {"module." + k: v for k, v in model.state_dict().items()}
    torch.save({"epoch": 7, "model_def": model, "state_dict": state}, str(path))
    return model


def _camvid_spec(extra_class=False):
    from linknet_edge.data import preset_spec
    from linknet_edge.spec import ModelSpec
    spec = preset_spec("camvid", input_size=(64, 96))
    if extra_class:
        spec = ModelSpec("linknet", spec.class_names + ["Unlabelled"],
                         list(spec.colors) + [(0, 0, 0)], None, (64, 96))
    return spec


@pytest.mark.parametrize("cls_name", ["LinkNet", "LinkNetBase"])
def test_elab_import_gives_the_original_outputs(elab_module, tmp_path, cls_name):
    import torch
    from linknet_edge.weights import load_model
    from linknet_edge.weights import import_elab_checkpoint
    original = _elab_checkpoint(elab_module, cls_name, tmp_path / "elab.pth")
    out = import_elab_checkpoint(str(tmp_path / "elab.pth"), str(tmp_path / "ours.pt"),
                                 _camvid_spec(extra_class=True))
    model, spec = load_model(out)
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        expected = original(x)
        got = torch.log_softmax(model(x), dim=1)
    assert spec.num_classes == 12
    assert torch.allclose(got, expected, atol=1e-4)


def test_elab_import_can_drop_the_void_output(elab_module, tmp_path):
    import torch
    from linknet_edge.weights import load_model
    from linknet_edge.errors import SpecMismatch
    from linknet_edge.weights import import_elab_checkpoint
    original = _elab_checkpoint(elab_module, "LinkNet", tmp_path / "elab.pth")
    with pytest.raises(SpecMismatch, match="12 outputs.*--drop-output"):
        import_elab_checkpoint(str(tmp_path / "elab.pth"), str(tmp_path / "o.pt"), _camvid_spec())
    out = import_elab_checkpoint(str(tmp_path / "elab.pth"), str(tmp_path / "o.pt"),
                                 _camvid_spec(), drop_outputs=(11,))
    model, _ = load_model(out)
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        assert torch.equal(model(x).argmax(1), original(x)[:, :11].argmax(1))


def test_elab_import_never_imports_the_pickled_model_module(elab_module, tmp_path):
    """The model_def's module stays importable on sys.path, yet is never imported."""
    _elab_checkpoint(elab_module, "LinkNet", tmp_path / "elab.pth")
    (tmp_path / (MODULE + ".py")).write_text(
        u"raise SystemExit('the pickled model module was imported')\n")
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, {tmp!r})
        from linknet_edge.weights import read_foreign_checkpoint
        data = read_foreign_checkpoint({ckpt!r})
        assert {module!r} not in sys.modules
        print(type(data["model_def"]).__module__, len(data["state_dict"]), data["epoch"])
    """).format(tmp=str(tmp_path), ckpt=str(tmp_path / "elab.pth"), module=MODULE)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)
    assert result.returncode == 0, result.stderr
    module, tensors, epoch = result.stdout.split()
    assert (module, epoch) == ("opaque:" + MODULE, "7") and int(tensors) > 100


@pytest.mark.parametrize("old_torch", [False, True], ids=["weights_only", "torch<1.13"])
def test_plain_load_refuses_the_elab_pickle_with_a_hint(elab_module, tmp_path, monkeypatch,
                                                        old_torch):
    """Also where torch has no weights_only: the strict unpickler refuses the model_def."""
    from linknet_edge.weights import checkpoint, load_checkpoint
    from linknet_edge.errors import CheckpointError
    if old_torch:
        monkeypatch.setattr(checkpoint, "HAS_WEIGHTS_ONLY", False)
    _elab_checkpoint(elab_module, "LinkNet", tmp_path / "elab.pth")
    with pytest.raises(CheckpointError, match="linknet-edge import"):
        load_checkpoint(str(tmp_path / "elab.pth"))


def test_torchvision_resnet18_file_loads_into_the_encoder(tmp_path):
    import torch
    from linknet_edge.weights import load_encoder_weights
    from linknet_edge.model import build_model
    torch.manual_seed(1)
    donor = build_model("linknet", 3).encoder
    state = {k: torch.randn_like(v.float()).to(v.dtype) if v.is_floating_point() else v
             for k, v in donor.state_dict().items()}
    state["fc.weight"] = torch.zeros(1000, 512)
    state["fc.bias"] = torch.zeros(1000)
    torch.save(state, str(tmp_path / "resnet18.pth"))
    model = load_encoder_weights(build_model("linknet", 3), str(tmp_path / "resnet18.pth"))
    for key, value in model.encoder.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_a_wrong_encoder_file_is_one_clear_error(tmp_path):
    import torch
    from linknet_edge.errors import SpecMismatch
    from linknet_edge.weights import load_encoder_weights
    from linknet_edge.model import build_model
    torch.save({"conv1.weight": torch.zeros(64, 3, 3, 3)}, str(tmp_path / "bad.pth"))
    with pytest.raises(SpecMismatch, match="bad.pth: weights do not fit"):
        load_encoder_weights(build_model("linknet", 3), str(tmp_path / "bad.pth"))
