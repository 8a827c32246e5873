"""How the toolkit's processes wait for work on a shared CPU. Stdlib only.

PyTorch's CPU kernels run on OpenMP threads that, by default, spin for a while at the end of
every parallel region. On a machine whose cores are busy with something else (a training run, an
encoder, the pipeline's own threads) a spinning thread keeps a core while the thread it waits for
is descheduled: here (2 shared cores, LinkNet at 224x160, PyTorch 2.13) a forward pass took
330-660 ms with 2 threads against 70-120 ms with 1, and 86-116 ms with 2 threads once OpenMP was
told to sleep instead (``OMP_WAIT_POLICY=PASSIVE``). The variable is read when the OpenMP runtime
loads, i.e. when torch is first imported, so it is set before that; a value the user set wins.
"""

import logging
import os
import sys

__all__ = ["prefer_passive_openmp"]

logger = logging.getLogger(__name__)


def prefer_passive_openmp():
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless the environment has a policy; returns the policy
    in effect for an OpenMP runtime loaded from now on (None if torch is already imported, which
    keeps the one it started with)."""
    policy = os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if "torch" in sys.modules:
        logger.debug("torch is already imported: its OpenMP keeps the wait policy it began with")
        return None
    return policy
