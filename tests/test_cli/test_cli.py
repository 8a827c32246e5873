"""The console command: help for every verb, torch-free startup, one-line errors."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from linknet_edge.cli import VERBS, main
from linknet_edge.runtime.environment import found
from tests.markers import ROOT, requires_torch

VERB_NAMES = [verb for verb, _ in VERBS]


def _run(args):
    return subprocess.run([sys.executable, "-m", "linknet_edge.cli"] + args, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


def test_help_lists_every_verb(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for verb in VERB_NAMES:
        assert "\n    {} ".format(verb) in out


@pytest.mark.parametrize("verb", VERB_NAMES)
def test_every_verb_has_help_with_examples(verb, capsys):
    with pytest.raises(SystemExit):
        main([verb, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "linknet-edge " + verb in out


def test_help_of_all_verbs_never_imports_torch():
    code = ("import sys\nfrom linknet_edge.cli import main, VERBS\n"
            "for verb, _ in VERBS:\n"
            "    try:\n        main([verb, '--help'])\n    except SystemExit:\n        pass\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)
    assert result.returncode == 0, result.stderr


def test_doctor_reports_libraries_and_capabilities(capsys):
    assert main(["doctor", "--json"]) == 0
    env = json.loads(capsys.readouterr().out)
    assert env["libraries"]["numpy"]["version"]
    assert {row["what"] for row in env["capabilities"]} >= {
        "build TensorRT engines", "run and evaluate ONNX models (ONNX Runtime, no torch)"}
    if not env["libraries"]["tensorrt"]["version"]:
        row = [r for r in env["capabilities"] if r["what"] == "build TensorRT engines"][0]
        assert not row["ok"] and "tensorrt" in row["why"]


@pytest.mark.parametrize("module, pip_name, what", [
    ("onnxconverter_common", "onnxconverter-common", "write FP16 ONNX (quantize --precision fp16)"),
    ("matplotlib", "matplotlib", "plots (train, bench)"),
    ("tqdm", "tqdm", "progress bars (train, evaluate)")])
def test_doctor_says_what_each_optional_library_enables_blocked(monkeypatch, module, pip_name,
                                                                what):
    from linknet_edge.runtime.doctor import diagnose
    rows = dict((row["what"], row) for row in diagnose()["capabilities"])
    if found(module):
        assert rows[what]["ok"]
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    env = diagnose()
    assert env["libraries"][pip_name] == {"version": None, "error": "not installed"}
    row = [r for r in env["capabilities"] if r["what"] == what][0]
    assert not row["ok"] and row["why"] == "needs {0} (pip install {0})".format(pip_name)


def test_l4t_release_parsing(tmp_path):
    from linknet_edge.runtime.environment import read_l4t_release
    release = tmp_path / "nv_tegra_release"
    release.write_text(u"# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, "
                       u"EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022\n")
    assert read_l4t_release(str(release)) == "R32.7.1"
    assert read_l4t_release(str(tmp_path / "absent")) is None


@requires_torch
def test_model_verb_prints_the_summary(capsys):
    assert main(["model", "--classes", "12", "--size", "64x64", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["parameters"] == 11534796 and info["output_shape"] == [1, 12, 64, 64]


def test_bad_size_is_a_usage_error_with_the_fix():
    result = _run(["model", "--size", "480x360"])
    assert result.returncode == 2
    assert "not a multiple of 32: use 480x384" in result.stderr


@requires_torch
def test_user_errors_are_one_line_without_traceback(tmp_path):
    result = _run(["import", str(tmp_path / "missing.pth"), "-o", str(tmp_path / "o.pt")])
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "linknet-edge import: error: {}: no such file".format(tmp_path / "missing.pth")]


def test_code_is_python_36_compatible():
    vermin = shutil.which("vermin", path=os.path.dirname(sys.executable)) or shutil.which("vermin")
    if not vermin:
        pytest.skip("vermin is not installed (pip install -e .[dev])")
    result = subprocess.run(
        [vermin, "-t=3.6-", "--violations", "--no-tips",
         "--eval-annotations", "linknet_edge", "export", "runtime", "benchmarks", "tests"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout


def test_the_cli_offers_every_dataset_reader():
    from linknet_edge.arguments import DATASET_KINDS
    from linknet_edge.data import DATASETS
    assert sorted(DATASET_KINDS) == sorted(DATASETS)


@pytest.mark.parametrize("argv,quiet,verbose", [
    (["-q", "doctor"], True, 0), (["doctor", "-q"], True, 0), (["doctor", "-vv"], False, 2),
    (["-v", "doctor"], False, 1)])
def test_output_options_work_before_and_after_the_verb(argv, quiet, verbose):
    from linknet_edge.cli import build_parser
    args = build_parser().parse_args(argv)
    assert (args.quiet, args.verbose, args.debug) == (quiet, verbose, False)


def test_the_packages_have_no_unused_imports_or_undefined_names():
    pytest.importorskip("pyflakes", reason="pyflakes is not installed (pip install -e .[dev])")
    result = subprocess.run(
        [sys.executable, "-m", "pyflakes", "linknet_edge", "export", "runtime", "benchmarks"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout
