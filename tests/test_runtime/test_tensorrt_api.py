"""runtime.backends._trt_api: version parsing, capability probing per TensorRT generation."""

import logging

import pytest

from linknet_edge.runtime.backends._trt_api import parse_version
from tests.stand_ins import FLAVOURS, stand_in  # noqa: F401 (fixture)


def test_versions_compare_as_tuples_not_strings():
    assert parse_version("8.2.1.8") == (8, 2, 1, 8)
    assert parse_version("10.0.1") > parse_version("8.6.1")  # as text "10.0.1" < "8.6.1"
    assert parse_version("10.3.0.26") >= (10,)
    assert parse_version("10.0.0b6") == (10, 0, 0)
    assert parse_version("8.2.1.8") < (8, 4)


@pytest.mark.parametrize("flavour, path, pools, explicit_flag", [
    ("8.2", "v2", False, True), ("8.6", "v3", True, True), ("10.3", "v3", True, False)])
def test_capabilities_follow_the_installed_api_stand_in(stand_in, flavour, path, pools,
                                                        explicit_flag):
    stand_in(FLAVOURS[flavour])
    from linknet_edge.runtime.backends import _trt_api
    caps = _trt_api.capabilities()
    assert caps.version == parse_version(FLAVOURS[flavour])
    assert caps.execute_path == path
    assert caps.has_memory_pool is pools
    assert caps.needs_explicit_batch_flag is explicit_flag
    assert caps.has_binding_api is (flavour != "10.3")


@pytest.mark.parametrize("flavour, flags", [("8.2", 1), ("10.3", 0)])
def test_network_flags_per_version_stand_in(stand_in, flavour, flags):
    trt, _ = stand_in(FLAVOURS[flavour])
    from linknet_edge.runtime.backends import _trt_api
    _trt_api.create_network(trt.Builder(_trt_api.logger()))
    assert ("Builder.create_network", flags) in trt.CALLS


def test_workspace_setting_per_version_stand_in(stand_in):
    from linknet_edge.runtime.backends import _trt_api
    for flavour, call in (("8.2", "config.max_workspace_size"),
                          ("10.3", "config.set_memory_pool_limit")):
        trt, _ = stand_in(FLAVOURS[flavour])
        config = trt.Builder(None).create_builder_config()
        _trt_api.set_workspace(config, 256 << 20)
        names = [name for name, _ in trt.CALLS]
        assert call in names
        assert (config.pools.get("WORKSPACE") if flavour == "10.3"
                else config.max_workspace_size) == 256 << 20


def test_logger_maps_our_levels_to_severities_stand_in(stand_in):
    trt, _ = stand_in()
    from linknet_edge.runtime.backends import _trt_api
    assert _trt_api.trt_severity(logging.DEBUG) == trt.Logger.INFO
    assert _trt_api.trt_severity(logging.INFO) == trt.Logger.WARNING
    assert _trt_api.trt_severity(logging.ERROR) == trt.Logger.ERROR
    assert _trt_api.trt_severity(logging.CRITICAL) == trt.Logger.INTERNAL_ERROR
    assert _trt_api.trt_severity(5) == trt.Logger.VERBOSE
    first = _trt_api.logger(logging.WARNING)
    again = _trt_api.logger(logging.DEBUG)  # one process-wide logger, level updated
    assert again is first and first.min_severity == trt.Logger.INFO
