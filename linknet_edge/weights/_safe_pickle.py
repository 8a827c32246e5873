"""Pickle modules for ``torch.load`` that rebuild tensors and never run foreign code.

This module itself (``pickle_module=_safe_pickle``) reads e-Lab's pytorch-linknet checkpoints,
which hold a pickled model object (``model_def``) of classes that do not exist here: every
class a pickle names that is not on the allow-list below becomes an inert placeholder, its
module never imported, none of its code run. ``strict`` refuses such a class instead
(``ForbiddenGlobal``): the project's own checkpoints hold tensors and plain containers only,
and on a torch without ``weights_only`` (< 1.13: JetPack 4.6's 1.10) it stands in for it.
"""

import collections
import copyreg
import pickle
import types

__all__ = ["Unpickler", "load", "OpaqueObject", "ForbiddenGlobal", "StrictUnpickler", "strict"]

_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("copyreg", "_reconstructor"): copyreg._reconstructor,
    ("builtins", "object"): object,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
    ("__builtin__", "object"): object,
    ("__builtin__", "set"): set,
}
_TORCH_REBUILDERS = ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter",
                     "_rebuild_parameter_with_state")


class OpaqueObject(object):
    """Placeholder for an object of a class this process must not import."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


def _newobj(cls, *args):
    return cls.__new__(cls)


def _placeholder(module, name):
    return type(str(name), (OpaqueObject,), {"__module__": "opaque:" + str(module)})


class Unpickler(pickle.Unpickler):
    """Resolves only tensors, dtypes and plain containers; everything else is opaque."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if (module, name) == ("copyreg", "__newobj__"):
            return _newobj
        if module == "torch._utils" and name in _TORCH_REBUILDERS:
            import torch._utils
            return getattr(torch._utils, name)
        if module == "torch" and (name in ("Size", "device") or name.endswith("Storage")
                                  or _is_dtype(name)):
            import torch
            return getattr(torch, name)
        return _placeholder(module, name)


def _is_dtype(name):
    import torch
    return isinstance(getattr(torch, name, None), torch.dtype)


def load(file, **kwargs):
    """``pickle.load`` through the restricted ``Unpickler``."""
    return Unpickler(file, **kwargs).load()


class ForbiddenGlobal(pickle.UnpicklingError):
    """A pickle names a class or function beyond tensors and plain containers."""


class StrictUnpickler(Unpickler):
    """Like ``Unpickler``, but a name off the allow-list is refused, not made a placeholder."""

    def find_class(self, module, name):
        found = super(StrictUnpickler, self).find_class(module, name)
        if isinstance(found, type) and issubclass(found, OpaqueObject):
            raise ForbiddenGlobal("{}.{}".format(module, name))
        return found


def _strict_load(file, **kwargs):
    return StrictUnpickler(file, **kwargs).load()


#: the pickle module ``torch.load(pickle_module=strict)`` takes: ``StrictUnpickler`` inside
strict = types.ModuleType(__name__ + ".strict", "pickle through StrictUnpickler")
strict.Unpickler, strict.load, strict.UnpicklingError = (StrictUnpickler, _strict_load,
                                                         pickle.UnpicklingError)
