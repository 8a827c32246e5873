"""runtime.backends.tensorrt.versions: the version knowledge itself (stdlib, no TensorRT)."""

import pytest

from linknet_edge.runtime.backends.tensorrt.versions import (
    PARSER_OPS, calibration_cache_version, decode_version_number, parser_ops, trtexec_flags,
    trtexec_has_precision_flags, trtexec_version_from_output)

#: trtexec's first output line, as samples/common/logging.h writes it (8.x and 10.0-10.3:
#: "[TensorRT vNNNN]"; 10.4+ append the build number).
RUNNING = {
    (8, 2, 1): "&&&& RUNNING TensorRT.trtexec [TensorRT v8201] # trtexec --help",
    (8, 6, 1): "&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --help",
    (10, 3, 0): "&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec --help",
    (10, 16, 0): "&&&& RUNNING TensorRT.trtexec [TensorRT v101600] [b72] # trtexec --help",
    (11, 4, 0): "&&&& RUNNING TensorRT.trtexec [TensorRT v110400] [b106] # trtexec --help",
}


@pytest.mark.parametrize("version", sorted(RUNNING))
def test_trtexec_version_from_its_running_line(version):
    output = "\n" + RUNNING[version] + "\n=== Model Options ===\n  --onnx=<file> ...\n"
    assert trtexec_version_from_output(output) == version


def test_trtexec_output_without_the_line():
    assert trtexec_version_from_output("trtexec: command not found") is None


def test_version_numbers_decode_both_formulas():
    assert decode_version_number(8201) == (8, 2, 1)
    assert decode_version_number(8601) == (8, 6, 1)
    assert decode_version_number(100300) == (10, 3, 0)
    assert decode_version_number(101600) == (10, 16, 0)
    assert decode_version_number(110400) == (11, 4, 0)


def test_calibration_cache_header():
    assert calibration_cache_version(b"TRT-8201-EntropyCalibration2\ninput: 3c\n") == (
        (8, 2, 1), "EntropyCalibration2")
    assert calibration_cache_version(b"TRT-100300-MinMaxCalibration\n") == (
        (10, 3, 0), "MinMaxCalibration")
    assert calibration_cache_version(b"not a cache") is None


#: The command lines ``build --trtexec`` uses, per trtexec binary version (also in
#: docs/tensorrt.md): FP16 on 8.2 / 8.6 / 10.3 by flag; 11.x has no precision flags.
COMMAND_LINES = {
    "8.2": "--explicitBatch --workspace=1024 --fp16 --buildOnly",
    "8.6": "--explicitBatch --memPoolSize=workspace:1024 --fp16 --skipInference",
    "10.3": "--memPoolSize=workspace:1024M --fp16 --skipInference",
    "11.4": "--memPoolSize=workspace:1024M --skipInference",
}


@pytest.mark.parametrize("version", sorted(COMMAND_LINES))
def test_trtexec_flags_per_binary_version(version):
    precision = None if version == "11.4" else "fp16"
    assert " ".join(trtexec_flags(version, 1024, precision)) == COMMAND_LINES[version]


def test_trtexec_int8_flags_and_11_rejects_precision():
    assert trtexec_flags("8.6.1", 512, "int8", calib_cache="m.calib", fp16_fallback=True) == [
        "--explicitBatch", "--memPoolSize=workspace:512", "--fp16", "--int8", "--calib=m.calib",
        "--skipInference"]
    assert trtexec_flags("10.3", 512, "int8") == [  # a Q/DQ ONNX: --int8 without a cache
        "--memPoolSize=workspace:512M", "--int8", "--skipInference"]
    assert trtexec_flags((8, 4, 3), 256, None)[1] == "--memPoolSize=workspace:256"
    assert trtexec_has_precision_flags("10.16.1") and not trtexec_has_precision_flags("11.0")
    for precision in ("fp16", "int8"):
        with pytest.raises(ValueError, match="trtexec 11.4.0 has no precision flags"):
            trtexec_flags("11.4.0", 256, precision)
    flags = trtexec_flags("11.4.0", 256, None)
    rejected = {"--fp16", "--int8", "--calib", "--best", "--workspace", "--explicitBatch",
                "--buildOnly"}
    assert not [f for f in flags if f.split("=")[0] in rejected]


def test_parser_table_is_the_8_2_ga_one():
    ops = parser_ops((8, 2, 1))
    assert ops is PARSER_OPS[(8, 2)] and ops.max_opset == 13
    assert "Xor" not in ops.supported and "Xor" not in ops.experimental  # 'N' in 8.2-GA
    assert ops.experimental == {"NonMaxSuppression"}
    assert "NonMaxSuppression" not in ops.supported
    assert len(ops.supported) == 128 and "release/8.2-GA" in ops.source
    for op in ("Conv", "ConvTranspose", "BatchNormalization", "Relu", "MaxPool", "Add", "Resize",
               "ArgMax", "Cast", "QuantizeLinear", "DequantizeLinear", "ReduceL1"):
        assert op in ops.supported
