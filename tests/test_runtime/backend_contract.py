"""What every backend's runner must do; ``test_<backend>.py`` subclass ``BackendContract``.

A subclass sets ``backend_name`` and overrides the ``model_path`` fixture.
"""

import numpy as np
import pytest

from linknet_edge.errors import BackendUnavailable
from linknet_edge.preprocessing import to_network_input
from linknet_edge.runtime.backends import load_model

from .conftest import solid_frames


def network_batch(spec, count=2):
    return to_network_input(solid_frames(count, size=(90, 120)), spec)


class BackendContract(object):
    backend_name = None
    load_options = {}

    @pytest.fixture
    def model_path(self):
        raise NotImplementedError

    @pytest.fixture
    def runner(self, model_path):
        runner = load_model(model_path, self.backend_name, **self.load_options)
        yield runner
        runner.close()

    def test_runner_reports_spec_size_precision_and_name(self, runner, torch_reference):
        assert runner.spec.class_names == torch_reference.spec.class_names
        assert tuple(runner.input_size) == (64, 64)
        assert runner.precision in ("fp32", "fp16", "int8")
        assert runner.name.startswith(self.backend_name + ":")

    def test_run_returns_int32_class_maps_of_the_batch(self, runner):
        classes = runner.run(network_batch(runner.spec, 2))
        assert classes.shape == (2, 64, 64) and classes.dtype == np.int32
        assert classes.min() >= 0 and classes.max() < runner.spec.num_classes

    def test_classes_agree_with_the_torch_reference(self, runner, torch_reference):
        batch = network_batch(runner.spec, 2)
        expected = torch_reference.run_logits(batch)
        classes = runner.run(batch)
        assert np.mean(classes == expected.argmax(axis=1)) > 0.999
        try:
            logits = runner.run_logits(batch)
        except BackendUnavailable:
            return
        np.testing.assert_allclose(logits, expected, atol=2e-3, rtol=1e-3)

    def test_close_twice_is_safe_and_a_closed_runner_refuses(self, runner):
        runner.close()
        runner.close()
        with pytest.raises(BackendUnavailable):
            runner.run(network_batch(runner.spec, 1))
