"""The Jetson runtime path on a real Python 3.6 (JetPack 4.6's), not only vermin's reading.

Where a ``python3.6`` interpreter exists, a venv gets the last releases that support it (pip
21.3.1, numpy 1.19.5, OpenCV 4.6, ONNX Runtime 1.10, no torch), the package is installed from a
clean copy with that Python's own setuptools (``setup.py install``, as JetPack 4.6's pip 9), and a
user's runtime commands run on a model exported here: ``doctor``, ``run`` on the real CamVid
clip, ``evaluate`` of the ONNX file on real CamVid frames and ``bench latency``. Skips with the
reason where python3.6 or the package index is missing.
"""

import glob
import os
import shutil
import subprocess

import pytest

from tests.markers import ROOT, data_path, requires_data, requires_onnxruntime, slow



def _find_python36():
    """A working Python 3.6: on PATH, or one pyenv installed (its shim may not be active)."""
    candidates = [shutil.which("python3.6")] + sorted(glob.glob(os.path.join(
        os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv")), "versions", "3.6*", "bin",
        "python3.6")))
    for candidate in filter(None, candidates):
        try:
            version = subprocess.check_output([candidate, "-c", "import sys; "
                                               "print(sys.version_info[:2])"],
                                              stderr=subprocess.DEVNULL,
                                              universal_newlines=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        if version.strip() == "(3, 6)":
            return candidate
    return None


PYTHON36 = _find_python36()
PINS = ["numpy==1.19.5", "opencv-python-headless==4.6.0.66", "onnxruntime==1.10.0"]


def _run(argv, **kwargs):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kwargs)


@pytest.fixture(scope="module")
def py36(tmp_path_factory):
    if PYTHON36 is None:
        pytest.skip("no python3.6 on this machine")
    venv = str(tmp_path_factory.mktemp("py36") / "venv")
    assert _run([PYTHON36, "-m", "venv", venv]).returncode == 0
    python = os.path.join(venv, "bin", "python")
    for step in (["pip==21.3.1"], PINS):
        result = _run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
                      + step)
        if result.returncode != 0:
            pytest.skip("cannot install {} for Python 3.6: {}".format(
                " ".join(step), result.stdout.strip().splitlines()[-1:]))
    source = str(tmp_path_factory.mktemp("source"))
    for name in ("linknet_edge", "runtime", "export", "benchmarks"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(source, name),
                        ignore=shutil.ignore_patterns("__pycache__"))
    # no pyproject.toml: JetPack 4.6's pip 9 ignores it and runs setup.py install with the
    # system's setuptools, which is what this does
    for name in ("setup.cfg", "setup.py", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source)
    result = _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                   "--no-use-pep517", source])
    assert result.returncode == 0, result.stdout
    return os.path.join(venv, "bin", "linknet-edge")


@pytest.fixture(scope="module")
def camvid_onnx(tmp_path_factory):
    """An untrained 11-class CamVid LinkNet at 96x128, exported here (torch) for Python 3.6."""
    pytest.importorskip("torch")
    from linknet_edge.data import preset_spec
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.model import model_from_spec
    from linknet_edge.weights import save_checkpoint
    folder = tmp_path_factory.mktemp("model")
    spec = preset_spec("camvid", input_size=(96, 128))
    checkpoint = save_checkpoint(str(folder / "camvid.pt"), model_from_spec(spec).eval(), spec)
    return export_onnx(checkpoint, str(folder / "camvid.onnx"), argmax=True, verify=False).path


@slow
@requires_data
@requires_onnxruntime
def test_runtime_commands_run_on_python_36(py36, camvid_onnx, tmp_path):
    doctor = _run([py36, "doctor"])
    assert doctor.returncode == 0 and "Python      3.6" in doctor.stdout, doctor.stdout
    out = str(tmp_path / "overlay.avi")
    clip = data_path("video", "camvid_0016E5_val_15fps_480x360.mp4")
    run = _run([py36, "run", camvid_onnx, "-i", clip, "-o", out, "--limit", "8"])
    assert run.returncode == 0 and "8 frames in" in run.stdout, run.stdout
    assert os.path.getsize(out) > 0
    evaluate = _run([py36, "evaluate", camvid_onnx, "--dataset", "camvid", "--data-root",
                     data_path("camvid"), "--split", "val", "--limit", "3"])
    assert evaluate.returncode == 0 and "mean IoU" in evaluate.stdout, evaluate.stdout
    bench = _run([py36, "bench", "latency", camvid_onnx, "--iters", "3", "--warmup", "1",
                  "--out", str(tmp_path / "bench")])
    assert bench.returncode == 0 and "onnxruntime" in bench.stdout, bench.stdout
