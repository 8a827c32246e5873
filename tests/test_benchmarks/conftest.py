"""Fixtures of the benchmark tests: an untrained 11-class CamVid LinkNet at 64x64."""

import os

import pytest


@pytest.fixture(scope="session")
def camvid_checkpoint(tmp_path_factory):
    """Path of an untrained 11-class LinkNet checkpoint with the CamVid spec at 64x64."""
    pytest.importorskip("torch")
    import torch
    from linknet_edge.weights import save_checkpoint
    from linknet_edge.model import build_model
    from linknet_edge.data import preset_spec
    torch.manual_seed(0)
    path = os.path.join(str(tmp_path_factory.mktemp("camvid_checkpoint")), "camvid64.pt")
    return save_checkpoint(path, build_model("linknet", 11).eval(),
                           preset_spec("camvid", input_size=(64, 64)))
