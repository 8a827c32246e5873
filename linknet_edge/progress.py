"""Progress of long work on stderr: a tqdm bar where tqdm is installed and stderr is a terminal,
else one log line per step (so a redirected or CI run still says where it is). Stdlib only;
tqdm is optional.

``Progress(total, "bench accuracy", "variant")`` with ``step(label)`` before each step;
``track(items, ...)`` wraps a loop in one; ``open_bar`` is the bare bar for per-frame counts.
"""

import logging
import sys

__all__ = ["Progress", "track", "open_bar"]

logger = logging.getLogger(__name__)


def open_bar(total, description, unit="step"):
    """A tqdm bar on stderr for ``total`` units, or None without tqdm or a terminal."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=description, unit=unit, leave=False, dynamic_ncols=True)


class Progress(object):
    """``total`` steps of ``description``: ``step(label)`` announces the next one (the previous
    is done), ``close()`` ends it; also a context manager. Log lines go to ``log`` (default
    this module's logger) as ``"<description> 2/8: <label>"``."""

    def __init__(self, total, description, unit="step", log=None):
        self.total, self.description = int(total), description
        self.count = 0
        self._log = log or logger
        self._bar = open_bar(self.total, description, unit)

    def step(self, label):
        if self._bar is not None:
            if self.count:
                self._bar.update(1)
            self._bar.set_postfix_str(str(label))
        else:
            self._log.info("%s %d/%d: %s", self.description, self.count + 1, self.total, label)
        self.count += 1

    def close(self):
        if self._bar is not None:
            self._bar.update(self.count - self._bar.n)
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def track(items, description, unit="step", label=str, log=None):
    """Yield each of ``items`` after announcing it as a ``Progress`` step (``label(item)``)."""
    items = list(items)
    with Progress(len(items), description, unit, log) as progress:
        for item in items:
            progress.step(label(item))
            yield item
