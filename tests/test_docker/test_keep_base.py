"""docker/keep_base.py: pip must never replace what a base image ships (JetPack's OpenCV, numpy)."""

import importlib.util
import json
import os
import subprocess
import sys
import zipfile

import pytest

from .scripts import DOCKER_DIR, ROOT

KEEP_BASE = os.path.join(DOCKER_DIR, "keep_base.py")
_spec = importlib.util.spec_from_file_location("keep_base", KEEP_BASE)
keep_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(keep_base)

#: What pip must never bring onto a Jetson: JetPack ships these (or they replace JetPack's).
JETPACK_OWNED = {"opencv-python", "opencv-python-headless", "opencv-contrib-python", "torch",
                 "tensorrt", "pycuda", "numpy"}


def run(python, *args):
    process = subprocess.Popen([python, KEEP_BASE] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_jetson_extra_asks_pip_for_nothing_jetpack_owns():
    code, out, err = run(sys.executable, "requirements", os.path.join(ROOT, "setup.cfg"), "jetson")
    assert code == 0, err
    names = [keep_base._normalize(line.split(">")[0].split("=")[0].split("<")[0].strip())
             for line in out.splitlines()]
    assert names, "no requirements printed"
    # numpy may be required (it is already installed, and the constraints pin it) but nothing
    # else JetPack owns.
    assert not (set(names) - {"numpy"}) & JETPACK_OWNED


def test_unknown_extra_names_the_choices():
    code, _, err = run(sys.executable, "requirements", os.path.join(ROOT, "setup.cfg"), "gpus")
    assert code != 0
    assert "setup.cfg has no extra 'gpus'" in err and "jetson" in err


@pytest.fixture(scope="module")
def venv_snapshot(tmp_path_factory):
    """A snapshot of this test environment, taken by the script as the images run it."""
    directory = str(tmp_path_factory.mktemp("kept"))
    code, _, err = run(sys.executable, "snapshot", directory)
    assert code == 0, err
    return directory


def test_snapshot_pins_installed_distributions(venv_snapshot):
    import numpy
    with open(os.path.join(venv_snapshot, "constraints.txt")) as handle:
        pins = handle.read().splitlines()
    assert "numpy==" + numpy.__version__ in pins
    assert all("==" in pin for pin in pins)


def test_verify_passes_when_nothing_changed(venv_snapshot):
    code, out, err = run(sys.executable, "verify", venv_snapshot)
    assert code == 0, err
    assert "unchanged" in out


@pytest.mark.skipif(importlib.util.find_spec("cv2") is None, reason="OpenCV is not installed")
def test_verify_requires_gstreamer_when_asked(venv_snapshot):
    import cv2
    has_gstreamer = bool(keep_base._GSTREAMER.search(cv2.getBuildInformation()))
    code, _, err = run(sys.executable, "verify", venv_snapshot, "--require-gstreamer")
    assert (code == 0) == has_gstreamer
    if not has_gstreamer:
        assert "has no GStreamer: the CSI camera will not open" in err


def test_changes_name_each_replaced_package(venv_snapshot):
    with open(os.path.join(venv_snapshot, "base.json")) as handle:
        before = json.load(handle)
    after = json.loads(json.dumps(before))
    after["distributions"]["numpy"][1] = "0.0.1"
    del after["distributions"]["pytest"]
    after["modules"]["cv2"] = {"file": "/usr/local/lib/python3/dist-packages/cv2/__init__.py",
                               "version": "4.10.0", "gstreamer": False}
    changes = keep_base.find_changes(before, after)
    assert any(line.startswith("numpy ") and "replaced by 0.0.1" in line for line in changes)
    assert any(line.startswith("pytest ") and "was removed" in line for line in changes)
    if "error" not in before["modules"]["cv2"]:
        assert any(line.startswith("module cv2 ") for line in changes)


def make_wheel(directory, name, version, requires=()):
    """A minimal pure-Python wheel of `name` in directory."""
    dist_info = "{}-{}.dist-info".format(name, version)
    files = {
        name + "/__init__.py": "__version__ = {!r}\n".format(version),
        dist_info + "/METADATA": "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
            name, version, "".join("Requires-Dist: {}\n".format(req) for req in requires)),
        dist_info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                              "Tag: py3-none-any\n",
    }
    files[dist_info + "/RECORD"] = "".join(path + ",,\n" for path in files) + dist_info + \
        "/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(directory, "{}-{}-py3-none-any.whl".format(
            name, version)), "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)


def test_constraints_make_pip_refuse_to_replace_and_verify_catches_it(tmp_path):
    """The approach itself, with the real pip and local wheels: pinned, pip fails rather than
    upgrading a kept package; unpinned, it upgrades and verify names the package."""
    pip_version = tuple(int(part) for part in __import__("pip").__version__.split(".")[:2])
    if pip_version < (22, 3):
        pytest.skip("pip --python needs pip 22.3")
    wheels = str(tmp_path / "wheels")
    os.mkdir(wheels)
    make_wheel(wheels, "jetpack_lib", "1.0")
    make_wheel(wheels, "jetpack_lib", "2.0")
    make_wheel(wheels, "consumer", "1.0", requires=["jetpack_lib>=2"])
    env = str(tmp_path / "env")
    subprocess.check_call([sys.executable, "-m", "venv", "--without-pip", env])
    python = os.path.join(env, "bin", "python")

    def pip_install(*args):
        return subprocess.call([sys.executable, "-m", "pip", "--python", python, "install",
                                "--quiet", "--disable-pip-version-check", "--no-index",
                                "--find-links", wheels] + list(args),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    assert pip_install("jetpack_lib==1.0") == 0
    state = str(tmp_path / "state")
    assert run(python, "snapshot", state)[0] == 0
    with open(os.path.join(state, "constraints.txt")) as handle:
        assert "jetpack_lib==1.0" in handle.read().splitlines()

    assert pip_install("-c", os.path.join(state, "constraints.txt"), "consumer") != 0
    assert run(python, "verify", state)[0] == 0

    assert pip_install("consumer") == 0
    code, _, err = run(python, "verify", state)
    assert code == 1
    assert "jetpack_lib 1.0 was replaced by 2.0" in err
