"""Options: weight decay really applied, momentum only where the optimizer has it."""

import pytest

from tests.markers import requires_torch

from linknet_edge.errors import TrainingError
from linknet_edge.training.config import TrainConfig


def test_momentum_with_adam_is_refused():
    with pytest.raises(TrainingError, match="momentum"):
        TrainConfig(data_root="x", optimizer="adam", momentum=0.9)


def test_unknown_option_suggests_the_close_name():
    with pytest.raises(TrainingError, match="weight_decay"):
        TrainConfig(data_root="x", weight_decya=1e-4)


def test_size_must_be_a_multiple_of_32():
    from linknet_edge.errors import InputSizeError
    with pytest.raises(InputSizeError):
        TrainConfig(data_root="x", size=(360, 480))


@requires_torch
@pytest.mark.parametrize("name", ["adam", "adamw", "sgd"])
def test_weight_decay_shrinks_weights_that_get_no_gradient(name):
    import torch
    from linknet_edge.training.optimizers import make_optimizer
    config = TrainConfig(data_root="x", optimizer=name, lr=0.1, weight_decay=0.5)
    weight = torch.nn.Parameter(torch.ones(3))
    optimizer = make_optimizer([weight], config)
    weight.grad = torch.zeros(3)
    optimizer.step()
    assert optimizer.param_groups[0]["weight_decay"] == 0.5
    assert (weight.detach() < 1).all()
    if name == "sgd":
        assert optimizer.param_groups[0]["momentum"] == 0.9
