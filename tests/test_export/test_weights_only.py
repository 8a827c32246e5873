"""``linknet-edge export --format pt``: the weights-only checkpoint of a real LinkNet-sized run."""

import os

import numpy as np
import pytest

from linknet_edge.cli import main
from linknet_edge.errors import CheckpointError
from tests.markers import data_path, requires_data, requires_torch

pytestmark = requires_torch


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A LinkNet (ResNet-18, 11 CamVid classes) checkpoint as ``train`` writes it: Adam moments
    after one real step, the scheduler, RNG state in ``extra``."""
    import torch
    from linknet_edge.data import preset_spec
    from linknet_edge.model import model_from_spec
    from linknet_edge.weights import save_checkpoint
    torch.manual_seed(0)
    spec = preset_spec("camvid", input_size=(64, 96))
    model = model_from_spec(spec)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
    model.train()
    loss = model(torch.randn(2, 3, 64, 96)).mean()
    loss.backward()
    optimizer.step()
    scheduler.step()
    path = str(tmp_path_factory.mktemp("run") / "best.pt")
    save_checkpoint(path, model.eval(), spec, optimizer, scheduler, epoch=1,
                    metrics={"miou": 0.1}, extra={"rng": {"torch": torch.get_rng_state()},
                                                  "config": {"epochs": 1}})
    return path


@pytest.fixture(scope="module")
def weights(trained, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("ship") / "small.pt")
    assert main(["export", trained, "-o", path, "--format", "pt"]) == 0
    return path


def test_a_third_of_the_size_with_the_same_weights_and_spec(trained, weights, capsys):
    from linknet_edge.weights import load_checkpoint
    big, small = os.path.getsize(trained), os.path.getsize(weights)
    assert 40e6 < small < 50e6          # 11.5 M float32 parameters and BN buffers: ~46 MB
    assert 0.30 < small / float(big) < 0.36   # Adam keeps two moments per parameter
    source, shipped = load_checkpoint(trained), load_checkpoint(weights)
    assert shipped.spec.to_dict() == source.spec.to_dict()
    assert shipped.optimizer is None and shipped.scheduler is None
    assert "rng" not in shipped.extra and shipped.extra["config"] == {"epochs": 1}
    assert shipped.epoch == 1 and shipped.metrics == {"miou": 0.1}
    assert sorted(shipped.state_dict) == sorted(source.state_dict)
    assert not [f for f in os.listdir(os.path.dirname(weights)) if ".tmp" in f]


def test_the_summary_names_what_was_left_out(trained, tmp_path, capsys):
    assert main(["export", trained, "-o", str(tmp_path / "w.pt"), "--format", "pt"]) == 0
    out = capsys.readouterr().out
    assert "weights-only checkpoint" in out and "optimizer, scheduler, rng state" in out
    assert "all equal to the source" in out


def test_it_loads_wherever_a_checkpoint_does(weights, tmp_path):
    import torch
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.model import model_from_spec
    from linknet_edge.onnx_file import read_onnx_spec
    from linknet_edge.runtime.backends import load_model
    from linknet_edge.training.resume import load_initial_weights, load_training_state
    from linknet_edge.weights import load_checkpoint
    spec = load_checkpoint(weights).spec
    with load_model(weights, "pytorch", device="cpu") as runner:     # run --backend pytorch
        frame = np.full((64, 96, 3), 90, np.uint8)
        assert runner.run(runner.prepare([frame])).shape == (1, 64, 96)
    onnx_file = str(tmp_path / "m.onnx")                               # export to ONNX
    export_onnx(weights, onnx_file, verify=False)
    assert read_onnx_spec(onnx_file).class_names == spec.class_names
    model = model_from_spec(spec)                                      # train --init-weights
    load_initial_weights(weights, model, spec)
    shipped = load_checkpoint(weights).state_dict
    assert all(torch.equal(v, shipped[k]) for k, v in model.state_dict().items())
    with pytest.raises(CheckpointError, match="holds weights only"):   # not train --resume
        load_training_state(weights, model, spec, None, None, None, None)


@requires_data
def test_evaluate_scores_it_as_the_full_checkpoint(trained, weights, tmp_path):
    import shutil
    from linknet_edge.runtime.evaluation import evaluate_model
    root = tmp_path / "camvid"
    for folder in ("val", "valannot"):
        os.makedirs(str(root / folder))
        shutil.copy(data_path("camvid", folder, "0016E5_07959.png"), str(root / folder))
    scores = [evaluate_model(path, "camvid", str(root), "val", device="cpu")["metrics"]
              for path in (trained, weights)]
    assert scores[0]["miou"] == scores[1]["miou"] and scores[0]["pixels"] > 0


def test_onnx_only_options_and_a_pt_name_for_onnx_are_refused(trained, tmp_path, capsys):
    assert main(["export", trained, "-o", str(tmp_path / "w.pt"), "--format", "pt",
                 "--argmax", "--opset", "11"]) == 1
    assert "--format pt writes weights only; --opset, --argmax shape an ONNX file" in \
        capsys.readouterr().err
    assert main(["export", trained, "-o", str(tmp_path / "w.pt")]) == 1
    assert "give --format pt" in capsys.readouterr().err
    assert not os.listdir(str(tmp_path))
