"""Torch device names as users give them (``auto``, ``cpu``, ``cuda``, ``cuda:N``), checked
without importing torch, so a bad ``--device`` is refused before any work starts. Stdlib only."""

import re

__all__ = ["check_device_name", "DEVICE_NAMES"]

#: What ``--device`` accepts, for messages.
DEVICE_NAMES = "auto, cpu, cuda or cuda:N"

_PATTERN = re.compile(r"^(auto|cpu|cuda(:[0-9]+)?)$")


def check_device_name(name):
    """``name`` unchanged if it is one of ``DEVICE_NAMES``, else ``ValueError`` saying so."""
    if not _PATTERN.match(str(name)):
        raise ValueError("unknown device {!r}: use {}".format(name, DEVICE_NAMES))
    return str(name)
