"""Every `linknet-edge ...` command the README and docs show still parses."""

import glob
import logging
import os
import re
import shlex

import pytest

from linknet_edge.cli import build_parser
from tests.markers import ROOT


def _commands(path):
    """`linknet-edge` command lines of a Markdown file's code blocks, continuations joined."""
    text = open(path).read()
    commands = []
    for block in re.findall(r"```(?:bash|sh)?\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #")[0].strip()
            line = re.sub(r"^(docker/run\.sh|sudo|OMP_NUM_THREADS=\d+)\s+", "", line)
            if line.startswith("linknet-edge ") and "..." not in line:
                commands.append(line)
    return commands


PAGES = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
COMMANDS = [(os.path.basename(page), cmd) for page in PAGES for cmd in _commands(page)]


def test_the_readme_shows_commands():
    assert len([c for page, c in COMMANDS if page == "README.md"]) >= 20


@pytest.mark.parametrize("page,command", COMMANDS)
def test_documented_command_parses(page, command, caplog):
    parser = build_parser()
    try:
        with caplog.at_level(logging.WARNING, logger="linknet_edge.arguments"):
            parser.parse_args(shlex.split(command)[1:])
    except SystemExit as exc:
        pytest.fail("{}: `{}` no longer parses (exit {})".format(page, command, exc.code))
    assert not caplog.records, "{}: `{}` uses an old spelling: {}".format(
        page, command, caplog.records[0].getMessage())
