"""Dump the API surface of the REAL ``tensorrt`` module importable here, as JSON (argv[1]).

Run in a subprocess with a real bindings wheel on PYTHONPATH (and stub libraries on
LD_LIBRARY_PATH, see ``stub.c``). Standalone: imports only ``tensorrt`` and the stdlib.
For every class: each public member's kind ("method", "property", "enum_member", "class",
"attribute"), for methods the parameter names of each pybind11 overload (from the docstring
signatures, ``self`` dropped) with whether each has a default, for properties whether they can
be set, for enum members their int value; for enum classes their members.
"""

import inspect
import json
import re
import sys

import tensorrt as trt

_SIGNATURE = re.compile(r"^(?:\d+\. )?(\w+)\((.*)\)(?: -> .*)?$")


def _split(text):
    """Top-level comma split of a pybind11 parameter list (types nest [], (), <>)."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "[(<{":
            depth += 1
        elif char in "])>}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def overloads(name, doc):
    """[[(param, has_default), ...], ...] from a pybind11 docstring; [] if it has none."""
    found = []
    for line in (doc or "").splitlines():
        match = _SIGNATURE.match(line.strip())
        if not match or match.group(1) != name:
            continue
        params = []
        for part in _split(match.group(2)):
            pname = part.split(":", 1)[0].split("=", 1)[0].strip()
            if pname in ("self", "*args", "**kwargs") or pname.startswith("*"):
                continue
            params.append([pname, "=" in part])
        if match.group(2).strip() == "*args, **kwargs":
            continue
        found.append(params)
    return found


def describe_class(cls):
    members = {}
    enum_type = cls if hasattr(cls, "__members__") else None
    for name in dir(cls):
        if name.startswith("__") and name != "__init__":
            continue
        if name.startswith("_") and name != "__init__":
            continue
        try:
            static = inspect.getattr_static(cls, name)
        except AttributeError:
            continue
        value = getattr(cls, name, None)
        entry = {}
        if isinstance(static, property):
            entry["kind"] = "property"
            entry["settable"] = static.fset is not None
        elif enum_type is not None and name in enum_type.__members__:
            entry["kind"] = "enum_member"
            entry["value"] = int(value)
        elif isinstance(value, type):
            entry["kind"] = "class"
        elif hasattr(type(value), "__members__") and hasattr(value, "__int__"):
            entry["kind"] = "enum_member"  # exported values, e.g. Logger.WARNING
            entry["value"] = int(value)
        elif callable(value):
            entry["kind"] = "method"
            entry["overloads"] = overloads(name, getattr(value, "__doc__", ""))
        else:
            entry["kind"] = "attribute"
        members[name] = entry
    described = {"members": members,
                 "bases": [base.__name__ for base in cls.__mro__[1:] if base is not object]}
    if enum_type is not None:
        described["enum"] = dict((k, int(v)) for k, v in enum_type.__members__.items())
    return described


def main(path):
    surface = {"version": trt.__version__, "module": {}, "classes": {}}
    for name in dir(trt):
        if name.startswith("_") and name != "__version__":
            continue
        value = getattr(trt, name)
        surface["module"][name] = "class" if isinstance(value, type) else type(value).__name__
        if isinstance(value, type):
            surface["classes"][name] = describe_class(value)
            for inner in ("Severity",):
                nested = getattr(value, inner, None)
                if isinstance(nested, type) and name in ("ILogger", "Logger"):
                    surface["classes"][name + "." + inner] = describe_class(nested)
        elif callable(value):
            surface["module"][name] = "function"
    with open(path, "w") as handle:
        json.dump(surface, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
