"""runtime.backends.tensorrt.api and .versions: capability probes and the generation verbs,
on the TensorRT STAND-IN flavours (whose API is generated from each real release's surface)."""

import logging

import numpy as np
import pytest

from linknet_edge.runtime.backends.tensorrt.versions import parse_version
from tests.stand_ins import FLAVOURS, stand_in  # noqa: F401 (fixture)
from tests.stand_ins.surfaced import USED

#: flavour -> (execute path, memory pools, EXPLICIT_BATCH bit needed, precision flags,
#:             calibrator, STRONGLY_TYPED member)
EXPECTED = {"8.2": ("v2", False, True, True, True, False),
            "8.6": ("v3", True, True, True, True, False),
            "10.3": ("v3", True, False, True, True, True),
            "10.16": ("v3", True, False, True, True, True),
            "11.4": ("v3", True, False, False, False, True)}


def test_versions_compare_as_tuples_not_strings():
    assert parse_version("8.2.1.8") == (8, 2, 1, 8)
    assert parse_version("10.0.1") > parse_version("8.6.1")  # as text "10.0.1" < "8.6.1"
    assert parse_version("10.3.0.26") >= (10,)
    assert parse_version("10.0.0b6") == (10, 0, 0)
    assert parse_version("8.2.1.8") < (8, 4)


@pytest.mark.parametrize("flavour", sorted(EXPECTED))
def test_capabilities_follow_the_installed_api_stand_in(stand_in, flavour):
    stand_in(FLAVOURS[flavour])
    from linknet_edge.runtime.backends.tensorrt import api
    caps = api.capabilities()
    path, pools, explicit, flags, calibrator, strongly = EXPECTED[flavour]
    assert caps.version == parse_version(FLAVOURS[flavour])
    assert (caps.execute_path, caps.has_memory_pool, caps.needs_explicit_batch_flag,
            caps.has_precision_flags, caps.has_calibrator, caps.has_strongly_typed_flag) == (
        path, pools, explicit, flags, calibrator, strongly)
    assert caps.strongly_typed_only is (flavour == "11.4")
    assert caps.has_binding_api is flavour.startswith("8.")
    assert caps.has_uint8_input is (flavour != "8.2")  # DataType.UINT8 arrived in 8.5


@pytest.mark.parametrize("flavour, plain, strongly", [
    ("8.2", 1, 1),      # EXPLICIT_BATCH = 0; no STRONGLY_TYPED in 8.x
    ("8.6", 1, 1),
    ("10.3", 0, 2),     # EXPLICIT_BATCH ignored in 10.x; STRONGLY_TYPED = 1
    ("10.16", 0, 2),
    ("11.4", 0, 1)])    # no EXPLICIT_BATCH; STRONGLY_TYPED = 0 (and always on)
def test_network_flags_per_version_stand_in(stand_in, flavour, plain, strongly):
    trt, _ = stand_in(FLAVOURS[flavour])
    from linknet_edge.runtime.backends.tensorrt import api
    builder = api.create_builder()
    api.create_network(builder)
    api.create_network(builder, strongly_typed=True)
    calls = [detail for name, detail in trt._CALLS if name == "Builder.create_network"]
    assert calls == [plain, strongly]


def test_workspace_setting_per_version_stand_in(stand_in):
    from linknet_edge.runtime.backends.tensorrt import api
    for flavour, call in (("8.2", "config.max_workspace_size"),
                          ("10.3", "config.set_memory_pool_limit"),
                          ("11.4", "config.set_memory_pool_limit")):
        trt, _ = stand_in(FLAVOURS[flavour])
        config = api.create_builder().create_builder_config()
        api.set_workspace(config, 256 << 20)
        assert [c for c in trt._CALLS if c[0] == call][0][1] in (256 << 20, ("WORKSPACE",
                                                                           256 << 20))


def test_logger_maps_our_levels_to_severities_stand_in(stand_in):
    trt, _ = stand_in()
    from linknet_edge.runtime.backends.tensorrt import api
    assert api.trt_severity(logging.DEBUG) == trt.Logger.INFO
    assert api.trt_severity(logging.INFO) == trt.Logger.WARNING
    assert api.trt_severity(logging.ERROR) == trt.Logger.ERROR
    assert api.trt_severity(logging.CRITICAL) == trt.Logger.INTERNAL_ERROR
    assert api.trt_severity(5) == trt.Logger.VERBOSE
    first = api.logger(logging.WARNING)
    again = api.logger(logging.DEBUG)  # one process-wide logger, level updated
    assert again is first and first.min_severity == trt.Logger.INFO


@pytest.mark.parametrize("flavour", ["8.2", "10.3"])
def test_numpy_types_by_name_never_trt_nptype_stand_in(stand_in, flavour):
    # trt.nptype of 8.2-8.5.2 builds its table with np.bool, gone in numpy 1.24-1.26
    trt, _ = stand_in(FLAVOURS[flavour])
    from linknet_edge.runtime.backends.tensorrt import api
    names = sorted(trt.DataType.__members__)
    expected = {"FLOAT": np.float32, "HALF": np.float16, "INT8": np.int8, "INT32": np.int32,
                "INT64": np.int64, "BOOL": np.bool_, "UINT8": np.uint8}
    for name in names:
        if name in expected:
            assert api.numpy_dtype(getattr(trt.DataType, name)) is expected[name]
    assert ("INT64" in names) is (flavour == "10.3")  # 9.0+: an ArgMax's indices stay INT64
    assert ("tensorrt", "nptype") not in USED


def test_broken_cuda_reads_as_one_line_stand_in(stand_in):
    stand_in("10.3.0.26", no_cuda=True)
    from linknet_edge.errors import BackendUnavailable
    from linknet_edge.runtime.backends.tensorrt import api
    for create in (api.create_builder, api.create_runtime):
        with pytest.raises(BackendUnavailable) as info:
            create()
        message = str(info.value)
        assert "TensorRT 10.3.0.26 could not create its" in message
        assert "CUDA could not start" in message and "--runtime nvidia" in message
        assert "\n" not in message and "nullptr" not in message
