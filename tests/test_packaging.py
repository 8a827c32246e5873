"""The package as a user installs it: into a fresh venv, then imported from a folder that holds
its own ``benchmarks/``, ``export/`` and ``runtime/`` packages (which must not be shadowed, nor
shadow ours: installed, the toolkit lives under ``linknet_edge`` only)."""

import os
import shutil
import subprocess
import sys
import sysconfig

from tests.markers import ROOT

USER_CODE = """
import benchmarks, export, runtime
assert (benchmarks.OWNER, export.OWNER, runtime.OWNER) == ("user",) * 3
import linknet_edge
from linknet_edge.runtime.backends import describe_backends, load_model
from linknet_edge.runtime.pipeline import run_pipeline
from linknet_edge.export import export_onnx, verify_onnx
from linknet_edge.benchmarks import measure_latency, measure_accuracy
import linknet_edge.runtime as ours
assert ours.__file__.startswith(sys.argv[1]), ours.__file__
print("ok", linknet_edge.__version__)
"""


def test_installed_package_lives_under_its_namespace_next_to_user_packages(tmp_path):
    venv = tmp_path / "venv"
    subprocess.check_call([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = str(venv / "bin" / "python")
    site = subprocess.check_output([python, "-c", "import sysconfig; "
                                    "print(sysconfig.get_paths()['purelib'])"],
                                   universal_newlines=True).strip()
    # a clean copy of the sources (an in-tree build/ could hold stale modules), built by this
    # environment's pip and setuptools, the files landing in the fresh venv
    source = tmp_path / "source"
    for name in ("linknet_edge", "runtime", "export", "benchmarks"):
        shutil.copytree(os.path.join(ROOT, name), str(source / name),
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "setup.py", "pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), str(source / name))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-cache-dir", "--target", site, str(source)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout
    # numpy, OpenCV, ONNX Runtime from this environment (the fresh venv has no dependencies);
    # a path line only: that folder's own .pth files (our editable install) are not processed
    with open(os.path.join(site, "deps.pth"), "w") as handle:
        handle.write(sysconfig.get_paths()["purelib"] + "\n")
    user = tmp_path / "user_project"
    for name in ("benchmarks", "export", "runtime"):
        (user / name).mkdir(parents=True)
        (user / name / "__init__.py").write_text("OWNER = 'user'\n")
    code = "import os, sys\n" + USER_CODE
    result = subprocess.run([python, "-c", code, os.path.join(site, "linknet_edge")],
                            cwd=str(user), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok ")
    installed = sorted(os.listdir(site))
    assert not {"runtime", "export", "benchmarks"} & set(installed), installed
