"""A STAND-IN ``trtexec`` executable: prints the ``&&&& RUNNING`` line of its version first
(as samples/common/logging.h does), rejects the options that version does not parse ("Unknown
option", exit 1: 10.0 removed --workspace/--explicitBatch/--buildOnly, 11.0 also
--fp16/--int8/--calib/--best), records its argv and writes the engine file. Not trtexec."""

import os
import sys

__all__ = ["write_trtexec", "REMOVED"]

#: (from version, options gone from then on), from samples/common/sampleOptions.cpp.
REMOVED = (((8, 4), ()), ((8, 6), ()),
           ((10, 0), ("--workspace", "--explicitBatch", "--buildOnly")),
           ((11, 0), ("--fp16", "--int8", "--calib", "--best")))
_ADDED = {"--memPoolSize": (8, 4), "--skipInference": (8, 6), "--stronglyTyped": (9, 0)}

_SCRIPT = '''#!{python}
import sys
version, number, removed, added, log = {version!r}, {number!r}, {removed!r}, {added!r}, {log!r}
print("&&&& RUNNING TensorRT.trtexec [TensorRT v{{}}] # {{}}".format(number, " ".join(sys.argv)))
if sys.argv[1:] == ["--help"]:
    print("=== Model Options ===")
    sys.exit(0)
with open(log, "a") as handle:
    handle.write(" ".join(sys.argv[1:]) + "\\n")
for arg in sys.argv[1:]:
    option = arg.split("=", 1)[0]
    if option in removed or version < tuple(added.get(option, (0,))):
        print("[E] Unknown option: {{}} ".format(arg))
        sys.exit(1)
engine = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--saveEngine=")][0]
with open(engine, "wb") as handle:
    handle.write(b"plan from trtexec " + " ".join(sys.argv[1:]).encode())
print("&&&& PASSED TensorRT.trtexec [TensorRT v{{}}]".format(number))
'''


def write_trtexec(folder, version, log):
    """Write ``folder/trtexec`` of TensorRT ``version`` (a tuple); argv lines go to ``log``."""
    major, minor, patch = version
    number = major * 1000 + minor * 100 + patch if major < 10 else \
        major * 10000 + minor * 100 + patch
    removed = sorted(set(o for since, options in REMOVED if version >= since for o in options))
    path = os.path.join(str(folder), "trtexec")
    with open(path, "w") as handle:
        handle.write(_SCRIPT.format(python=sys.executable, version=tuple(version), number=number,
                                    removed=removed, added=_ADDED, log=str(log)))
    os.chmod(path, 0o755)
    return path
