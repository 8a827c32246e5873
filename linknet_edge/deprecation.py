"""Old keyword names of the Python API, kept one release (the CLI's are in ``arguments``)."""

import functools
import warnings

__all__ = ["renamed_keywords"]


def renamed_keywords(**renames):
    """Decorator: ``old=new`` keyword pairs; an old keyword still works, with a
    DeprecationWarning, and giving both is a TypeError."""
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError("{}() got both {} and its old name {}".format(
                        function.__qualname__, new, old))
                warnings.warn("{}(): keyword {} is deprecated, use {}".format(
                    function.__qualname__, old, new), DeprecationWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)
        return wrapper
    return decorate
