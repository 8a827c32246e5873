"""The PyTorch reference backend behind the runner contract."""

import pytest

from linknet_edge.errors import CheckpointError
from linknet_edge.runtime.backends import load_model, pytorch
from tests.markers import requires_torch

from .backend_contract import BackendContract


@requires_torch
class TestPytorchBackend(BackendContract):
    backend_name = "pytorch"

    @pytest.fixture
    def model_path(self, tiny_checkpoint):
        return tiny_checkpoint


def test_version_is_read_without_importing_torch():
    version = pytorch.version()
    assert version is None or version[0].isdigit()


@requires_torch
def test_a_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(CheckpointError, match="nope.pt"):
        load_model(str(tmp_path / "nope.pt"))
