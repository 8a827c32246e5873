"""The report every checking step returns (export, verification, precision, accuracy floors).

A report knows its ``failures()`` (one phrase per failed check), and from them whether it
``passed``; ``summary()`` is one line, ``format()`` the full table; ``check()`` raises the
report's ``error`` class with the summary when it did not pass. ``show_report`` is the verbs'
policy: print the table, then fail in one line if a check failed.
"""

from .errors import LinkNetEdgeError

__all__ = ["Report", "show_report"]


class Report(object):
    """Base class; subclasses implement ``failures``, ``summary`` and ``format``."""

    #: the ``LinkNetEdgeError`` subclass ``check`` raises
    error = LinkNetEdgeError

    def failures(self):
        """One phrase per failed check; empty when everything passed."""
        return []

    @property
    def passed(self):
        return not self.failures()

    def summary(self):
        raise NotImplementedError

    def format(self):
        raise NotImplementedError

    def check(self):
        """Raise ``self.error(summary)`` unless the report passed; returns the report."""
        if not self.passed:
            raise self.error(self.summary())
        return self


def show_report(report):
    """Print ``report.format()`` (a verb's product, on stdout), then ``report.check()``."""
    print(report.format())
    report.check()
    return 0
