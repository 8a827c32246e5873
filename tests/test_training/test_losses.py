"""Loss weights w_c = 1/ln(1.02 + p_c) and void left out of the loss."""

import math

import numpy as np
import pytest

from tests.markers import requires_data, requires_torch


def test_class_weights_follow_the_enet_formula():
    from linknet_edge.training.losses import class_weights
    weights = class_weights([0.5, 0.3, 0.2, 0.0])
    expected = [1 / math.log(1.02 + p) for p in (0.5, 0.3, 0.2, 0.0)]
    assert weights == pytest.approx(expected, rel=1e-6)
    assert weights[3] == pytest.approx(50.498, abs=1e-3)  # an absent class: 1 / ln(1.02)
    assert weights.dtype == np.float32


@requires_torch
def test_void_pixels_do_not_change_the_loss():
    import torch
    from linknet_edge.training.losses import make_criterion
    criterion = make_criterion([1.0, 2.0, 3.0], ignore_index=11)
    labels = torch.tensor([[[0, 1], [2, 11]]])
    logits = torch.randn(1, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    other = logits.clone()
    other[0, :, 1, 1] = torch.tensor([50.0, -50.0, 9.0])  # only the void pixel changes
    assert criterion(logits, labels).item() == pytest.approx(criterion(other, labels).item())
    # and the weights are applied: the same error on class 2 costs 3x that on class 0
    assert criterion.weight.tolist() == [1.0, 2.0, 3.0]


@requires_data
def test_camvid_weights_favour_rare_classes():
    from linknet_edge.data import class_frequencies, open_dataset
    from linknet_edge.training.losses import class_weights
    from tests.markers import data_path
    reader = open_dataset("camvid", data_path("camvid"), "train")
    shares = class_frequencies(_first(reader, 12))
    weights = class_weights(shares)
    names = reader.class_names
    assert weights[names.index("Bicyclist")] > weights[names.index("Road")] > 0


def _first(reader, count):
    from linknet_edge.training.loaders import FirstFrames
    return FirstFrames(reader, count)
