"""Learning-rate schedules at given epochs; step decays by 0.1 (never by 1e-7)."""

import math

import pytest

from tests.markers import requires_torch

pytestmark = requires_torch


def test_poly_values():
    from linknet_edge.training.schedules import poly_factor
    assert poly_factor(0, 300) == 1.0
    assert poly_factor(150, 300) == pytest.approx(0.5 ** 0.9)
    assert poly_factor(299, 300) == pytest.approx((1 / 300.0) ** 0.9)
    assert poly_factor(300, 300) == 0.0


def test_step_multiplies_by_a_tenth_per_step():
    from linknet_edge.training.schedules import step_factor
    assert [step_factor(e, 100) for e in (0, 99, 100, 199, 200)] == pytest.approx(
        [1.0, 1.0, 0.1, 0.1, 0.01])


def test_cosine_values():
    from linknet_edge.training.schedules import cosine_factor
    assert cosine_factor(0, 10) == 1.0
    assert cosine_factor(5, 10) == pytest.approx(0.5)
    assert cosine_factor(10, 10) == pytest.approx(0.0, abs=1e-12)
    assert cosine_factor(2, 10) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.2)))


@pytest.mark.parametrize("schedule,expected", [
    ("poly", [1.0, 0.75 ** 0.9, 0.5 ** 0.9, 0.25 ** 0.9]),
    ("step", [1.0, 1.0, 0.1, 0.1]),
    ("cosine", [1.0, 0.5 * (1 + math.cos(math.pi / 4)), 0.5,
                0.5 * (1 + math.cos(3 * math.pi / 4))]),
])
def test_scheduler_sets_the_optimizer_lr_each_epoch(schedule, expected):
    import torch
    from linknet_edge.training import TrainConfig, make_scheduler
    config = TrainConfig(data_root="x", epochs=4, schedule=schedule, lr=1e-3, lr_step=2)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=config.lr)
    scheduler = make_scheduler(optimizer, config)
    seen = []
    for _ in range(4):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert seen == pytest.approx([1e-3 * f for f in expected])
