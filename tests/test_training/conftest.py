"""Shared options for tiny real training runs: 4 CamVid frames at 64x64, no worker processes."""

import pytest

from tests.markers import data_path


@pytest.fixture
def tiny_options():
    """A function: output folder + overrides -> training options for a seconds-long run."""
    def options(out, **overrides):
        values = dict(dataset="camvid", data_root=data_path("camvid"), size=(64, 64), epochs=2,
                      batch_size=2, limit_train=4, limit_val=4, workers=0, device="cpu",
                      seed=3, out=str(out), progress=False)
        values.update(overrides)
        return values
    return options
