"""Stopping a run cleanly: SIGTERM (systemd, ``docker stop``, ``kill``) acts like Ctrl-C.

Within ``stop_on_sigterm()`` SIGTERM raises ``KeyboardInterrupt`` in the main thread, so a run
stops at whatever it is doing: a checkpoint being written is dropped (its temporary file is
removed, the previous ``last.pt`` stays whole) and ``--resume`` continues from the last complete
epoch exactly. ``train`` turns either signal into ``TrainingStopped``, whose message says what
is saved. DataLoader workers get the same handler (``worker_init``), so a SIGTERM sent to the
whole process group (systemd's default) ends them as quietly as Ctrl-C does.
"""

import contextlib
import os
import signal
import threading

__all__ = ["TrainingStopped", "stop_on_sigterm", "worker_init", "stopped", "SIGTERM_EXIT",
           "SIGINT_EXIT"]

SIGINT_EXIT, SIGTERM_EXIT = 130, 143  # 128 + the signal number, as shells report it


class Terminated(KeyboardInterrupt):
    """Raised by the SIGTERM handler."""


class TrainingStopped(KeyboardInterrupt):
    """A run stopped by SIGINT or SIGTERM; ``exit_code`` is 130 or 143 and the message says
    which epoch ``last.pt`` holds."""

    def __init__(self, message, exit_code):
        super(TrainingStopped, self).__init__(message)
        self.exit_code = exit_code


def _raise_terminated(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def stop_on_sigterm():
    """SIGTERM raises ``Terminated`` (a KeyboardInterrupt) inside the block (main thread only:
    elsewhere Python cannot install handlers and SIGTERM keeps its default)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker_init(worker_id):
    """DataLoader ``worker_init_fn``: SIGTERM ends the worker like SIGINT does (quietly; the
    main process reports the stop)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def stopped(exc, trainer):
    """The ``TrainingStopped`` for a KeyboardInterrupt ``exc`` caught around a run of
    ``trainer`` (None: it stopped while the run was being set up)."""
    term = isinstance(exc, Terminated)
    name = "SIGTERM" if term else "SIGINT (Ctrl-C)"
    if trainer is None:
        where = "before the first epoch began"
    elif trainer.saved_epoch:
        out = trainer.config.out
        where = "{} holds epoch {} of {}: continue with --resume --out {}".format(
            os.path.join(out, "last.pt"), trainer.saved_epoch, trainer.config.epochs, out)
    else:
        where = "no epoch was saved yet"
    return TrainingStopped("stopped by {}; {}".format(name, where),
                           SIGTERM_EXIT if term else SIGINT_EXIT)
