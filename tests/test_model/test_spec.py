"""The model spec: JSON round trip, validation, and no torch import."""

import subprocess
import sys

import pytest

from linknet_edge.data import preset_spec
from linknet_edge.errors import InputSizeError, SpecError
from linknet_edge.sizes import parse_size
from linknet_edge.spec import ModelSpec
from tests.markers import ROOT


def test_json_round_trip(tmp_path):
    spec = preset_spec("cityscapes", arch="linknet-res-dec")
    spec.save(str(tmp_path / "s.json"))
    assert ModelSpec.load(str(tmp_path / "s.json")) == spec
    assert ModelSpec.from_json(spec.to_json()) == spec
    assert (spec.num_classes, spec.ignore_index, spec.input_size) == (19, 255, (512, 1024))


@pytest.mark.parametrize("change,message", [
    ({"colors": [[0, 0, 0]]}, "1 colours for 11 classes"),
    ({"input_size": [360, 480]}, "not a multiple of 32: use 480x384"),
    ({"ignore_index": 3}, "ignore_index 3 is a real class"),
    ({"channel_order": "RGBA"}, "channel_order"),
    ({"bogus": 1}, "unknown fields bogus"),
])
def test_invalid_specs_name_the_problem(change, message):
    data = preset_spec("camvid").to_dict()
    data.update(change)
    with pytest.raises((SpecError, InputSizeError), match=message):
        ModelSpec.from_dict(data, source="m.json")


def test_bad_json_names_the_file(tmp_path):
    (tmp_path / "bad.json").write_text(u"{not json")
    with pytest.raises(SpecError, match="bad.json: model spec is not valid JSON"):
        ModelSpec.load(str(tmp_path / "bad.json"))


@pytest.mark.parametrize("text,expected", [("480x352", (352, 480)), ("64", (64, 64)),
                                           ("1024X512", (512, 1024))])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["480x360", "axb", "1x2x3", "0x32"])
def test_parse_size_refuses(text):
    with pytest.raises(InputSizeError):
        parse_size(text)


def test_spec_errors_and_preprocessing_import_without_torch():
    code = ("import sys; import linknet_edge.spec, linknet_edge.errors, linknet_edge.sizes, "
            "linknet_edge.preprocessing, linknet_edge.cli; assert 'torch' not in sys.modules")
    subprocess.check_call([sys.executable, "-c", code], cwd=ROOT)
