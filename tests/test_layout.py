"""The house rules that keep the layout walkable, checked by reading the code (AST; nothing is
imported): imports run downward (linknet_edge < runtime < export < benchmarks, lazy ones
included), no package imports another's private module, nothing uses the bare top-level names
``runtime``/``export``/``benchmarks`` (installed, they live under ``linknet_edge``), and setup.cfg
lists every package folder."""

import ast
import configparser
import os
import re
import subprocess
import sys

import pytest

from tests.markers import ROOT

#: repository folder -> (installed package name, layer)
PACKAGES = {"linknet_edge": ("linknet_edge", 0), "runtime": ("linknet_edge.runtime", 1),
            "export": ("linknet_edge.export", 2), "benchmarks": ("linknet_edge.benchmarks", 3)}
LAYER_NAMES = {name: layer for name, layer in PACKAGES.values()}
#: an import statement (in code, or in a string of code a test runs) naming a bare top-level name
BARE = re.compile(r"(?:^|[;\"'(])\s*(?:import|from)\s+(?:runtime|export|benchmarks)(?=[\s.,;])")


def _modules():
    """(repository path, installed dotted name, folder) of every module of the four packages."""
    for folder, (package, _) in PACKAGES.items():
        for dirpath, dirnames, files in os.walk(os.path.join(ROOT, folder)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in sorted(files):
                if name.endswith(".py"):
                    rel = os.path.relpath(os.path.join(dirpath, name), os.path.join(ROOT, folder))
                    parts = rel[:-3].split(os.sep)
                    if parts[-1] == "__init__":
                        parts = parts[:-1]
                    yield os.path.join(dirpath, name), ".".join([package] + parts), folder


def _imports(path, dotted):
    """(line, absolute module names) of every import statement in a module."""
    tree = ast.parse(open(path).read(), path)
    is_package = path.endswith("__init__.py")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node.lineno, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = dotted.split(".")
                parent = parent[:len(parent) - node.level + (1 if is_package else 0)]
                base = ".".join(parent + ([node.module] if node.module else []))
            yield node.lineno, [base] + ["{}.{}".format(base, a.name) for a in node.names]


def _package_of(name):
    """The installed package (of the four) a dotted name belongs to, most specific first."""
    for package in sorted(LAYER_NAMES, key=len, reverse=True):
        if name == package or name.startswith(package + "."):
            return package
    return None


def _violations():
    for path, dotted, folder in _modules():
        home = PACKAGES[folder][0]
        rel = os.path.relpath(path, ROOT)
        for line, names in _imports(path, dotted):
            for name in names:
                target = _package_of(name)
                if target is None or target == home:
                    continue
                if LAYER_NAMES[target] > LAYER_NAMES[home]:
                    yield "{}:{} imports {} ({} is above {})".format(rel, line, name, target, home)
                inner = name[len(target) + 1:].split(".")
                if any(p.startswith("_") and not p.startswith("__") for p in inner):
                    yield "{}:{} imports {}, a private module of {}".format(rel, line, name, target)


def test_imports_run_downward_and_never_into_private_modules():
    assert sorted(set(_violations())) == []


def test_the_checker_catches_an_upward_and_a_private_import(tmp_path):
    # the rules above, on two made-up modules: a lazy upward import and a private one
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from .runtime.backends import _private\n")
    found = list(_imports(str(bad), "linknet_edge.evaluation"))
    assert found == [(2, ["linknet_edge.runtime.backends",
                          "linknet_edge.runtime.backends._private"])]
    assert _package_of("linknet_edge.runtime.backends") == "linknet_edge.runtime"


def test_nothing_imports_the_bare_top_level_names():
    found = []
    for top in ("linknet_edge", "runtime", "export", "benchmarks", "tests", "docker"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                # this file and test_packaging.py (a user's own runtime/ beside ours) name them
                if name.endswith(".py") and name not in (os.path.basename(__file__),
                                                         "test_packaging.py"):
                    path = os.path.join(dirpath, name)
                    for number, line in enumerate(open(path), 1):
                        if BARE.search(line):
                            found.append("{}:{}: {}".format(os.path.relpath(path, ROOT), number,
                                                            line.strip()))
    assert found == []


def test_setup_cfg_lists_every_package_folder():
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))
    listed = set(config["options"]["packages"].split())
    folders = set(dotted for path, dotted, _ in _modules() if path.endswith("__init__.py"))
    assert listed == folders


TORCH_FREE_VERBS = ("doctor", "evaluate", "export", "verify", "quantize", "build", "deploy",
                    "run", "bench", "model", "demo", "train", "import")
_BLOCK_TORCH = """
import sys
class Block(object):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked in this test")
sys.meta_path.insert(0, Block())
from linknet_edge.cli import main
"""


@pytest.mark.parametrize("argv", [[verb, "--help"] for verb in TORCH_FREE_VERBS]
                         + [["model", "--list"], ["model", "--list", "--json"], ["--help"]])
def test_help_and_model_list_work_with_torch_blocked(argv):
    code = _BLOCK_TORCH + "sys.exit(main({!r}))".format(argv)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout
    if argv[:2] == ["model", "--list"]:
        assert "linknet-res-dec" in result.stdout and "TX1" in result.stdout
