"""Build a STAND-IN module's public classes from a real API surface, and record what is used.

``public_class(name, impl, surface)`` makes class ``name`` holding only the members of the
implementation class ``impl`` that the real version has (``surface``: an entry of
tests/stand_ins/surfaces/tensorrt-<version>.json): methods are wrapped to take exactly the
parameter names of one of the real pybind11 overloads (a call with a name the real signature
lacks raises ``TypeError`` as pybind11 does), properties are settable only where the real ones
are, enum members carry the real values. Every access to a public member, on the class or an
instance, is added to ``USED`` as ``(class, member)``, so a test can list what the code under
test touched (``tensorrt`` for module attributes).
"""

import functools

__all__ = ["USED", "EnumMember", "enum_class", "public_class", "record"]

USED = set()


def record(owner, name):
    USED.add((owner, name))


class EnumMember(object):
    """A pybind11 enum value: ``name``, ``int()``, equality by (type, value)."""

    def __init__(self, type_name, name, value):
        self._type, self.name, self.value = type_name, name, value

    def __int__(self):
        return self.value

    __index__ = __int__

    def __eq__(self, other):
        return isinstance(other, EnumMember) and (self._type, self.value) == (
            other._type, other.value)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self._type, self.value))

    def __repr__(self):
        return "<{}.{}: {}>".format(self._type, self.name, self.value)

    def __str__(self):
        return "{}.{}".format(self._type, self.name)


def _owner(mro, name):
    """The surfaced class defining public ``name`` in ``mro`` (for a project subclass's
    override, the real base it overrides); "subclass" for a name only a project subclass
    defines; None for one only a builtin base (``bytearray``, ``object``) has."""
    found = None
    for klass in mro:
        if name in vars(klass):
            if "_surface_name" in vars(klass):
                return vars(klass)["_surface_name"]
            if klass.__module__ == "builtins":
                return found
            found = "subclass"
    return found


class _Recording(type):
    """Metaclass: class-level access to a public member is recorded (``hasattr`` probes too,
    when the member exists); members of builtin bases stay hidden, as on the real class."""

    def __getattribute__(cls, name):
        value = type.__getattribute__(cls, name)
        if not name.startswith("_") and name not in ("mro",):
            owner = _owner(type.__getattribute__(cls, "__mro__"), name)
            if owner is None:
                raise AttributeError("type object '{}' has no attribute '{}'".format(
                    type.__getattribute__(cls, "__name__"), name))
            if owner != "subclass":
                record(owner, name)
        return value

    def __dir__(cls):
        return [n for n in type.__dir__(cls) if n.startswith("_") or _owner(cls.__mro__, n)]


class Surfaced(object, metaclass=_Recording):
    _surface_name = "?"

    def __setattr__(self, name, value):
        if not name.startswith("_"):
            if "_surface_name" in vars(type(self)) and not isinstance(
                    getattr(type(self), name, None), property):  # pybind11 objects have no dict
                raise AttributeError("'{}' object has no attribute '{}'".format(
                    type(self).__name__, name))
            record(type(self)._surface_name, name)
        object.__setattr__(self, name, value)

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if not name.startswith("_"):
            owner = _owner(type(self).__mro__, name)
            if owner is None and name not in vars(self):
                raise AttributeError("'{}' object has no attribute '{}'".format(
                    type(self).__name__, name))
            if owner not in (None, "subclass"):
                record(owner, name)
        return value

    def __dir__(self):
        return [n for n in object.__dir__(self) if n.startswith("_") or
                _owner(type(self).__mro__, n) or n in vars(self)]


def enum_class(name, values):
    """An enum class with the real members and values (``values``: member name -> int)."""
    namespace = {"_surface_name": name,
                 "__members__": dict((k, EnumMember(name, k, v)) for k, v in values.items())}
    namespace.update(namespace["__members__"])
    return _Recording(name.split(".")[-1], (Surfaced,), namespace)


def _binder(overloads):
    """Bind a call to the first real overload whose parameter names accept it; returns the
    positional values, or raises TypeError like pybind11's "incompatible function arguments"."""
    def bind(name, args, kwargs):
        for params in overloads:
            names = [p for p, _ in params]
            if len(args) > len(names) or any(k not in names[len(args):] for k in kwargs):
                continue
            values = list(args)
            for pname, has_default in params[len(args):]:
                if pname in kwargs:
                    values.append(kwargs[pname])
                elif not has_default:
                    break
            else:
                return values
        raise TypeError("{}(): incompatible function arguments; the real signatures take {}"
                        .format(name, " or ".join("({})".format(", ".join(p for p, _ in params))
                                                  for params in overloads)))
    return bind


def _method(name, function, overloads):
    bind = _binder(overloads or [[]])

    @functools.wraps(function)
    def method(self, *args, **kwargs):
        return function(self, *bind(name, args, kwargs))
    return method


def public_class(name, impl, surface, bases=(), extra=None):
    """Class ``name``: ``impl``'s private members, and its public ones the real class has
    (``extra``: attributes to add where the real class has them, e.g. exported enum values)."""
    members = surface["members"]
    namespace = {"_surface_name": name, "__doc__": "STAND-IN for tensorrt.{}".format(name)}
    for klass in reversed(impl.__mro__[:-1]):  # not object's own slots
        for key, value in vars(klass).items():
            if key.startswith("_") and key not in ("__dict__", "__weakref__", "__doc__",
                                                   "__module__"):
                namespace[key] = value
    if "__init__" in vars(impl) and "__init__" in members:
        namespace["__init__"] = _method(name, vars(impl)["__init__"],
                                        members["__init__"].get("overloads"))
    for key, entry in members.items():
        if extra and key in extra:
            namespace[key] = extra[key]
        value = getattr(impl, key, None)
        if key.startswith("_") or value is None:
            continue
        static = next((vars(k)[key] for k in impl.__mro__ if key in vars(k)), None)
        if entry["kind"] == "property" and isinstance(static, property):
            namespace[key] = property(static.fget, static.fset if entry.get("settable") else None)
        elif entry["kind"] == "method" and callable(static):
            namespace[key] = _method(key, static, entry.get("overloads"))
    base = bases or tuple(b for b in impl.__mro__[1:2] if isinstance(b, _Recording)) or (
        Surfaced,)
    return _Recording(name, base, namespace)
