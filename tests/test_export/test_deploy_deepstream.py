"""``deploy deepstream``: every key written is one DeepStream documents for its group
(``deploy.deepstream_keys``, from DeepStream 6.3's parsers), GLib's GKeyFile (the reader nvinfer
and deepstream-app use) parses each value with nvinfer's own getter, and the values say what
the model file says. No DeepStream here: the configs are checked, not run."""

import configparser
import json
import os
import subprocess

import numpy as np
import pytest

from linknet_edge.errors import DeployError
from linknet_edge.export.deploy.deepstream import write_deepstream
from linknet_edge.export.deploy.deepstream_keys import (NVINFER_KEY_TYPES,
                                                        NVINFER_PROPERTY_KEYS, app_group_keys)
from linknet_edge.export.deploy.nvinfer_input import nvinfer_normalisation
from linknet_edge.onnx_file import read_onnx_spec
from linknet_edge.spec import ModelSpec
from tests.markers import data_path, requires_data, requires_onnxruntime, requires_torch

from .deploy_helpers import (write_classes_first_onnx, write_engine_stand_in,
                             write_scaled_input_onnx)

pytestmark = [requires_torch]

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def dynamic_onnx(tmp_path_factory, tiny_checkpoint):
    from linknet_edge.export.onnx import export_onnx
    path = str(tmp_path_factory.mktemp("dyn") / "seg_dyn.onnx")
    export_onnx(tiny_checkpoint, path, dynamic_batch=True, verify=False, input_form="float")
    return path


def _read(path):
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",),
                                       comment_prefixes=("#",))
    parser.optionxform = str
    with open(path) as handle:
        parser.read_file(handle)
    return parser


def _check_documented(infer, app):
    assert infer.sections() == ["property"]
    assert set(infer["property"]) <= NVINFER_PROPERTY_KEYS
    for group in app.sections():
        keys = app_group_keys(group)
        assert keys is not None, "deepstream-app has no group [{}]".format(group)
        assert set(app[group]) <= keys, (group, set(app[group]) - keys)


@requires_onnxruntime
def test_one_source_config_holds_what_the_onnx_file_says(tmp_path, onnx_path):
    report = write_deepstream(onnx_path, str(tmp_path / "ds"))
    infer_path, app_path, labels, model = report.files
    infer, app = _read(infer_path), _read(app_path)
    _check_documented(infer, app)
    spec = read_onnx_spec(onnx_path)
    prop = infer["property"]
    assert (prop["network-type"], prop["infer-dims"], prop["batch-size"]) == ("2", "3;64;64", "1")
    assert prop["num-detected-classes"] == str(spec.num_classes)
    assert prop["output-blob-names"] == "logits" and prop["network-mode"] == "2"   # fp16
    assert prop["onnx-file"] == os.path.basename(model) == "tiny_deepstream.onnx"
    assert prop["model-engine-file"] == "tiny_deepstream.onnx_b1_gpu0_fp16.engine"
    assert float(prop["segmentation-threshold"]) < -1e6
    assert np.isclose(float(prop["net-scale-factor"]), 1.0 / (255.0 * np.mean(spec.std)))
    assert np.allclose([float(v) for v in prop["offsets"].split(";")],
                       [255.0 * m for m in spec.mean])
    assert prop["model-color-format"] == "0"   # RGB, as the spec's channel order
    assert open(labels).read().splitlines() == spec.class_names
    folder = os.path.dirname(app_path)
    assert os.path.isfile(os.path.join(folder, app["primary-gie"]["config-file"]))
    assert app["streammux"]["batch-size"] == app["primary-gie"]["batch-size"] == "1"
    assert (app["segvisual"]["width"], app["segvisual"]["height"]) == ("64", "64")
    assert app["sink0"]["type"] == "3"   # an H.264 mp4 file
    assert app["source0"]["uri"].startswith("file:///opt/nvidia/deepstream/")   # the sample
    # the std is folded into the copy's stem: nvinfer's one scale is exact
    assert "folded into the stem convolution" in report.format()
    assert "folded into the stem convolution" in open(infer_path).read()
    assert report.agreement[0] >= 0.9999
    assert read_onnx_spec(model).std == (np.mean(spec.std),) * 3
    assert "the 'classes' output is not read by nvinfer" in report.format()   # an --argmax file


@requires_onnxruntime
@requires_data
def test_the_folded_model_gives_the_originals_classes_to_nvinfer_and_to_the_runtime(
        tmp_path, onnx_path):
    from linknet_edge.export.sample_images import read_images
    from linknet_edge.runtime.backends import load_model
    report = write_deepstream(onnx_path, str(tmp_path / "ds"),
                              images=data_path("camvid", "val"), frames=6)
    assert report.agreement[0] >= 0.9999 and "6 images from" in report.agreement[1]
    frames = read_images(data_path("camvid", "val"), 6)
    with load_model(onnx_path) as original, load_model(report.files[3]) as folded:
        expected = original.run(original.prepare(frames))
        assert (folded.run(folded.prepare(frames)) == expected).mean() >= 0.9999
    unfolded = write_deepstream(onnx_path, str(tmp_path / "plain"), fold=False,
                                images=data_path("camvid", "val"), frames=6)
    assert unfolded.agreement[0] < report.agreement[0]   # what folding buys


@requires_onnxruntime
def test_without_folding_the_approximation_is_said_and_measured(tmp_path, onnx_path):
    for model, options, why in (
            (onnx_path, {"fold": False}, "not folded: --no-fold"),
            (write_scaled_input_onnx(tmp_path / "scaled.onnx", read_onnx_spec(onnx_path)), {},
             "not folded: the input goes into Mul, not a convolution")):
        report = write_deepstream(model, str(tmp_path / "ds"), frames=2, **options)
        text = report.format()
        assert "approximate" in text and "+1.3 %/-0.9 %/-0.4 %" in text and why in text
        assert "approximate" in open(report.files[0]).read()   # said in the config too
        assert 0.0 < report.agreement[0] <= 1.0 and "% of pixels keep the class" in text
        with open(model, "rb") as a, open(report.files[3], "rb") as b:
            assert a.read() == b.read()   # the file as it is


def test_four_sources_are_batched_and_typed_by_their_uris(tmp_path, dynamic_onnx):
    clip = str(tmp_path / "clip.mp4")
    open(clip, "wb").close()
    uris = ["rtsp://cam1/live?latency=100", "csi://1?width=1920&height=1080", clip,
            "v4l2:///dev/video2"]
    report = write_deepstream(dynamic_onnx, str(tmp_path / "ds"), uris=uris, sink="rtsp",
                              images=None, frames=2)
    infer, app = _read(report.files[0]), _read(report.files[1])
    _check_documented(infer, app)
    assert infer["property"]["batch-size"] == "4"
    assert infer["property"]["model-engine-file"] == "seg_dyn_deepstream.onnx_b4_gpu0_fp16.engine"
    assert [app["source{}".format(n)]["type"] for n in range(4)] == ["4", "5", "2", "1"]
    assert app["source0"]["uri"] == "rtsp://cam1/live" and app["source0"]["latency"] == "100"
    assert app["source1"]["camera-csi-sensor-id"] == "1"
    assert app["source1"]["camera-width"] == "1920"
    assert app["source2"]["uri"] == "file://" + clip
    assert app["source3"]["camera-v4l2-dev-node"] == "2"
    assert app["streammux"]["live-source"] == "1"
    assert app["streammux"]["batch-size"] == app["segvisual"]["batch-size"] == "4"
    assert (app["tiled-display"]["rows"], app["tiled-display"]["columns"]) == ("2", "2")
    assert (app["sink0"]["type"], app["sink0"]["rtsp-port"]) == ("4", "8554")


def test_an_engine_stand_in_is_used_as_built(tmp_path, onnx_path):
    engine = write_engine_stand_in(tmp_path, onnx_path, precision="fp32")
    report = write_deepstream(engine, str(tmp_path / "ds"), sink="fake")
    prop = _read(report.files[0])["property"]
    assert "onnx-file" not in prop
    assert prop["model-engine-file"] == "linknet.engine" and prop["network-mode"] == "0"
    assert os.path.isfile(report.files[3] + ".json")   # the sidecar travels with the plan
    assert "not measured for an engine" in report.format()
    assert "not folded: an engine cannot be changed" in report.format()
    with pytest.raises(DeployError) as info:
        write_deepstream(engine, str(tmp_path / "ds2"), precision="fp16")
    assert "built for fp32, not fp16" in str(info.value)


def test_glib_reads_every_value_with_the_getter_nvinfer_uses(tmp_path, dynamic_onnx):
    """GKeyFile as nvinfer calls it (g_key_file_get_integer, _double, _double_list, ...), via
    GLib's introspection bindings in the system Python (Debian's python3-gi)."""
    probe = ("import gi; gi.require_version('GLib', '2.0'); from gi.repository import GLib")
    if subprocess.call([SYSTEM_PYTHON, "-c", probe], stderr=subprocess.DEVNULL) != 0:
        pytest.skip("GLib's Python bindings (python3-gi) are not installed")
    report = write_deepstream(dynamic_onnx, str(tmp_path / "ds"), sources=2,
                              int8_calib_file=None, frames=2)
    script = """
import json, sys
import gi
gi.require_version("GLib", "2.0")
from gi.repository import GLib
types = json.loads(sys.argv[2])
key_file = GLib.KeyFile()
key_file.load_from_file(sys.argv[1], GLib.KeyFileFlags.NONE)
keys, _ = key_file.get_keys("property")
out = {}
for key in keys:
    value = getattr(key_file, "get_" + types[key])("property", key)
    out[key] = list(value) if isinstance(value, (list, tuple)) else value
app = GLib.KeyFile()
app.load_from_file(sys.argv[3], GLib.KeyFileFlags.NONE)
out["app"] = {group: list(app.get_keys(group)[0]) for group in app.get_groups()[0]}
out["batch"] = app.get_integer("streammux", "batch-size")
print(json.dumps(out))
"""
    output = subprocess.check_output([SYSTEM_PYTHON, "-c", script, report.files[0],
                                      json.dumps(NVINFER_KEY_TYPES), report.files[1]])
    values = json.loads(output.decode())
    assert values["network-type"] == 2 and values["batch-size"] == 2 and values["batch"] == 2
    assert values["infer-dims"] == [3, 64, 64]
    assert values["segmentation-threshold"] == -1e9
    assert values["offsets"] == pytest.approx([123.675, 116.28, 103.53])
    assert values["output-blob-names"] == ["logits"]
    assert values["maintain-aspect-ratio"] is False
    assert set(values["app"]) == {"application", "tiled-display", "source0", "source1",
                                  "streammux", "primary-gie", "segvisual", "osd", "sink0"}


def test_normalisation_is_exact_only_for_one_std(tiny_checkpoint):
    imagenet = ModelSpec("linknet", ["a", "b"], input_size=(64, 64))
    approximate = nvinfer_normalisation(imagenet)
    assert not approximate.exact
    assert approximate.scale == pytest.approx(0.01735207357279195)   # NVIDIA's TAO value
    assert approximate.channel_error == pytest.approx([0.01327, -0.00885, -0.00442], abs=1e-4)
    assert 0.02 < approximate.max_error < 0.04
    even = imagenet.replace(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5], channel_order="BGR")
    exact = nvinfer_normalisation(even)
    assert exact.exact and exact.scale == pytest.approx(1 / 127.5)
    assert exact.offsets == [127.5] * 3 and exact.color_format == 1
    # what nvinfer would feed equals the toolkit's own normalisation when it can be exact
    from linknet_edge.export.sample_images import synthetic_images
    from linknet_edge.preprocessing import to_network_input
    frames = synthetic_images(2, (90, 120))
    np.testing.assert_allclose(exact.apply(frames, (64, 64)),
                               to_network_input(frames, even, (64, 64)), atol=1e-5)


@requires_onnxruntime
def test_a_raw_input_model_is_exact_with_nvinfers_plain_pixels(tmp_path, tiny_checkpoint):
    from linknet_edge.export.deploy.nvinfer_input import measure_agreement
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.export.sample_images import synthetic_images
    raw = str(tmp_path / "raw.onnx")
    export_onnx(tiny_checkpoint, raw, verify=False, input_form="raw")
    report = write_deepstream(raw, str(tmp_path / "ds"))
    config = _read(report.files[0])["property"]
    assert (float(config["net-scale-factor"]), config["offsets"], config["model-color-format"]) \
        == (1.0, "0.0;0.0;0.0", "0")
    assert "normalises inside its graph" in report.format()
    # what nvinfer feeds (RGB pixels) gives the classes the toolkit's own input gives
    normalisation = nvinfer_normalisation(read_onnx_spec(raw))
    assert measure_agreement(raw, raw, normalisation, synthetic_images(2, (90, 120))) == 1.0


@pytest.mark.parametrize("case, message", [
    ("fixed batch", "its batch is fixed at 1 but 2 source(s) make batches of 2"),
    ("uint8 input", "nvinfer feeds float NCHW tensors, so export the DeepStream model with `--input raw`"),
    ("classes first", "reads the first output as float32"),
    ("image folder", "not image folders"),
    ("int8 without cache", "INT8 from a float ONNX file needs a calibration cache"),
    ("uris", "--uri: 2 URIs for 3 sources"),
])
def test_what_nvinfer_cannot_run_is_refused_in_one_line(tmp_path, onnx_path, onnx_uint8_path,
                                                       case, message):
    options, model = {}, onnx_path
    if case == "fixed batch":
        options["sources"] = 2
    elif case == "uint8 input":
        model = onnx_uint8_path
    elif case == "classes first":
        model = write_classes_first_onnx(onnx_path, tmp_path / "swapped.onnx")
    elif case == "image folder":
        options["uris"] = [str(tmp_path) + "/"]
    elif case == "int8 without cache":
        options["precision"] = "int8"
    else:
        options.update(sources=3, uris=["a.mp4", "b.mp4"])
    with pytest.raises(DeployError) as info:
        write_deepstream(model, str(tmp_path / "ds"), **options)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_verb_prints_what_it_wrote_and_how_to_run_it(tmp_path, dynamic_onnx, capsys):
    from linknet_edge.cli import main
    folder = str(tmp_path / "ds")
    code = main(["deploy", "deepstream", dynamic_onnx, "-o", folder, "--sources", "2",
                 "--uri", "rtsp://cam/live", "--sink", "display", "-q"])
    out = capsys.readouterr().out
    assert code == 0
    assert "deepstream-app -c {}".format(os.path.join(folder, "deepstream_app_seg_dyn.txt")) in out
    assert "folded into the stem convolution" in out
    with pytest.raises(SystemExit) as info:
        main(["deploy", "deepstream", dynamic_onnx, "--sources", "0"])
    assert info.value.code == 2
    assert "--sources: '0': must be a whole number >= 1" in capsys.readouterr().err


@requires_onnxruntime
def test_both_targets_run_with_torch_blocked(tmp_path, dynamic_onnx):
    """A Jetson or server without torch writes both (the ONNX file read with the stdlib, the
    fold with onnx, the check on ONNX Runtime)."""
    import sys
    from tests.test_layout import _BLOCK_TORCH
    from tests.markers import ROOT
    code = _BLOCK_TORCH + (
        "assert main(['deploy', 'deepstream', {0!r}, '-o', {1!r}, '-q']) == 0\n"
        "assert main(['deploy', 'triton', {0!r}, '-o', {2!r}, '-q']) == 0\n"
        "assert 'torch' not in sys.modules\n").format(
            dynamic_onnx, str(tmp_path / "ds"), str(tmp_path / "repo"))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout
    assert "folded into the stem" in result.stdout and "% of pixels keep" in result.stdout
    assert os.path.isfile(str(tmp_path / "repo" / "seg_dyn" / "config.pbtxt"))
