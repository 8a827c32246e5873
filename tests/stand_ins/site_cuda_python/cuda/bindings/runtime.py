"""STAND-IN for ``cuda.bindings.runtime``: see tests/stand_ins/cuda_runtime.py."""

from tests.stand_ins.cuda_runtime import *  # noqa: F401,F403
from tests.stand_ins.cuda_runtime import _CALLS  # noqa: F401
