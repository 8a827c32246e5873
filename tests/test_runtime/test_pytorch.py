"""The PyTorch reference backend behind the runner contract."""

import os

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


def test_openmp_is_asked_to_sleep_not_spin_unless_the_user_chose(tmp_path):
    """A 2-thread forward pass took 330-660 ms with spinning OpenMP threads on the shared
    2-core machine against 86-116 ms with passive ones (linknet_edge/threads.py)."""
    import subprocess
    import sys
    from tests.markers import ROOT
    code = ("import os; from linknet_edge.threads import prefer_passive_openmp; "
            "print(prefer_passive_openmp(), os.environ['OMP_WAIT_POLICY'])")
    env = dict((k, v) for k, v in os.environ.items() if k != "OMP_WAIT_POLICY")
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, env=env)
    assert out.split() == [b"PASSIVE", b"PASSIVE"]
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, env=env)
    assert out.split() == [b"ACTIVE", b"ACTIVE"]
    late = "import torch; " + code
    out = subprocess.check_output([sys.executable, "-c", late], cwd=ROOT, env=env)
    assert out.split()[0] == b"None"  # torch first: its OpenMP already chose
