"""Keep what a base image ships while pip installs linknet-edge into it.

JetPack's OpenCV (built with GStreamer, hence the CSI camera), TensorRT, numpy and torch must
survive the install: a pip-installed OpenCV would shadow JetPack's and lose GStreamer. This script
runs inside the images (Python 3.6 to 3.12, stdlib only) and is used by docker/install_toolkit.sh:

    keep_base.py snapshot DIR             record installed distributions and key modules in
                                          DIR/base.json, pin every distribution in
                                          DIR/constraints.txt (for ``pip install -c``)
    keep_base.py requirements CFG EXTRA   print install_requires + extras_require[EXTRA] of a
                                          setup.cfg, one requirement per line
    keep_base.py verify DIR [--require-gstreamer]
                                          exit 1, naming each package, if pip removed or replaced
                                          anything recorded by ``snapshot``

Distributions are read from the ``*.dist-info`` / ``*.egg-info`` entries on sys.path (what pip
itself sees), so this works where pip is absent or too old to list them.
"""

import argparse
import configparser
import json
import os
import re
import sys

#: Modules whose file and version must not change: what JetPack (or NVIDIA's x86 image) provides.
KEPT_MODULES = ("cv2", "numpy", "tensorrt", "pycuda", "torch")
#: Versions pip can pin; Debian's "0.23ubuntu1" style versions cannot be written as constraints.
_PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[A-Za-z0-9.]+)?$")
_GSTREAMER = re.compile(r"GStreamer:\s*YES")


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _read_headers(path):
    """Name and Version headers of a METADATA / PKG-INFO file, or None."""
    name = version = None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break
                if line.startswith("Name:"):
                    name = line[5:].strip()
                elif line.startswith("Version:"):
                    version = line[8:].strip()
    except OSError:
        return None
    if name and version:
        return name, version
    return None


def list_distributions(paths=None):
    """{normalized name: (name, version)} of installed distributions, first on sys.path wins."""
    found = {}
    for entry in paths if paths is not None else sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        for item in sorted(os.listdir(entry)):
            full = os.path.join(entry, item)
            if item.endswith(".dist-info"):
                headers = _read_headers(os.path.join(full, "METADATA"))
            elif item.endswith(".egg-info"):
                headers = _read_headers(os.path.join(full, "PKG-INFO") if os.path.isdir(full)
                                        else full)
            else:
                continue
            if headers and _normalize(headers[0]) not in found:
                found[_normalize(headers[0])] = headers
    return found


def probe_module(name):
    """File, version and (for cv2) GStreamer support of an importable module, else the error."""
    try:
        module = __import__(name)
    except Exception as exc:  # a broken install counts as absent: record why
        return {"error": "{}: {}".format(type(exc).__name__, exc)}
    record = {"file": getattr(module, "__file__", None),
              "version": str(getattr(module, "__version__", ""))}
    if name == "cv2":
        record["gstreamer"] = bool(_GSTREAMER.search(module.getBuildInformation()))
    return record


def snapshot(directory):
    """Write base.json and constraints.txt into directory."""
    if not os.path.isdir(directory):
        os.makedirs(directory)
    distributions = list_distributions()
    state = {"distributions": {key: list(value) for key, value in distributions.items()},
             "modules": {name: probe_module(name) for name in KEPT_MODULES}}
    with open(os.path.join(directory, "base.json"), "w") as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
    pins = ["{}=={}".format(name, version) for name, version in sorted(distributions.values())
            if _PEP440.match(version)]
    with open(os.path.join(directory, "constraints.txt"), "w") as handle:
        handle.write("".join(pin + "\n" for pin in pins))
    return state


def find_changes(before, after, require_gstreamer=False):
    """One line per distribution or module that changed from before to after."""
    changes = []
    now = after["distributions"]
    for key, (name, version) in sorted(before["distributions"].items()):
        if key not in now:
            changes.append("{} {} was removed".format(name, version))
        elif now[key][1] != version:
            changes.append("{} {} was replaced by {}".format(name, version, now[key][1]))
    for name, old in sorted(before["modules"].items()):
        new = after["modules"].get(name, {})
        if "error" in old:
            continue
        if "error" in new:
            changes.append("module {} no longer imports ({})".format(name, new["error"]))
        elif (new["file"], new["version"]) != (old["file"], old["version"]):
            changes.append("module {} {} at {} is now {} at {}".format(
                name, old["version"], old["file"], new["version"], new["file"]))
    if require_gstreamer:
        cv2 = after["modules"].get("cv2", {})
        if "error" in cv2:
            changes.append("cv2 does not import ({}): the Jetson images need JetPack's OpenCV "
                           "(on L4T R32 set Docker's default-runtime to nvidia while building)"
                           .format(cv2["error"]))
        elif not cv2.get("gstreamer"):
            changes.append("cv2 at {} has no GStreamer: the CSI camera will not open"
                           .format(cv2.get("file")))
    return changes


def read_requirements(setup_cfg, extra):
    """install_requires plus extras_require[extra] of a setup.cfg, as a list of strings."""
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(setup_cfg):
        raise SystemExit("keep_base.py: error: cannot read {}".format(setup_cfg))
    extras = parser["options.extras_require"] if parser.has_section(
        "options.extras_require") else {}
    if extra not in extras:
        raise SystemExit("keep_base.py: error: {} has no extra '{}' (choose from {})".format(
            setup_cfg, extra, ", ".join(sorted(extras))))

    def lines(text):
        return [line.strip() for line in text.splitlines()
                if line.strip() and not line.strip().startswith("#")]
    return lines(parser.get("options", "install_requires", fallback="")) + lines(extras[extra])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="keep_base.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.required = True
    take = sub.add_parser("snapshot", help="record what the base image ships")
    take.add_argument("directory")
    reqs = sub.add_parser("requirements", help="print the requirements of an extra")
    reqs.add_argument("setup_cfg")
    reqs.add_argument("extra")
    check = sub.add_parser("verify", help="fail if anything recorded was replaced")
    check.add_argument("directory")
    check.add_argument("--require-gstreamer", action="store_true",
                       help="also fail unless cv2 imports with GStreamer (Jetson images)")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        snapshot(args.directory)
    elif args.command == "requirements":
        print("\n".join(read_requirements(args.setup_cfg, args.extra)))
    else:
        with open(os.path.join(args.directory, "base.json")) as handle:
            before = json.load(handle)
        after = {"distributions": {key: list(value)
                                   for key, value in list_distributions().items()},
                 "modules": {name: probe_module(name) for name in before["modules"]}}
        changes = find_changes(before, after, args.require_gstreamer)
        for change in changes:
            print("keep_base.py: error: " + change, file=sys.stderr)
        if changes:
            return 1
        print("keep_base.py: the base image's packages are unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
