"""What the project touches in ``tensorrt`` on each version's code path, and the conformance
table of it against the real surfaces.

``record_usage(flavour, folder)`` runs the project's builder (FP32, FP16, INT8 by whatever
route that version takes) and runner against the TensorRT stand-in flavour, whose API is the
real release's (tests/stand_ins/surfaces/), and returns every ``(class, member)`` touched.
``python -m tests.real_tensorrt.conformance`` prints the table (docs/tensorrt.md holds it; a
test checks it is current).
"""

import os

import numpy as np

from tests.stand_ins import FLAVOURS, install_stand_ins
from tests.stand_ins import surfaced

__all__ = ["SURFACE_OF", "record_usage", "check_usage", "conformance_table"]

#: stand-in flavour -> the real surface it is checked against
SURFACE_OF = {"8.2": "8.2.1", "8.6": "8.6.1", "10.3": "10.3.0", "10.16": "10.16.1.11",
              "11.4": "11.4.0.106"}


def _images(folder, count=2):
    import cv2
    from linknet_edge.export.sample_images import synthetic_images
    path = os.path.join(folder, "calib")
    os.makedirs(path, exist_ok=True)
    for index, image in enumerate(synthetic_images(count)):
        cv2.imwrite(os.path.join(path, "{:02d}.png".format(index)), image)
    return path


def record_usage(flavour, folder, monkeypatch):
    """The ``(class, member)`` pairs the project touches building and running on ``flavour``."""
    from linknet_edge.errors import EngineBuildError
    from tests.stand_ins.tiny_onnx import write_tiny_onnx
    install_stand_ins(monkeypatch, FLAVOURS[flavour], "NVIDIA Jetson AGX Orin", "8.7")
    from linknet_edge.export.tensorrt import build_engine
    from linknet_edge.runtime.backends import tensorrt as backend
    onnx_path = write_tiny_onnx(os.path.join(folder, "tiny.onnx"))
    images = _images(folder)
    batch = np.zeros((2, 3, 64, 64), np.float32)
    for precision in ("fp32", "fp16", "int8"):
        engine = build_engine(onnx_path, os.path.join(folder, precision + ".engine"),
                              precision=precision, calib_dir=images)
        with backend.load(engine) as runner:
            runner.run(batch)
            runner.run_logits(batch)
    odd = write_tiny_onnx(os.path.join(folder, "odd.onnx"), unsupported_ops=("Unique",))
    try:  # the parser-error path
        build_engine(odd, precision="fp32")
    except EngineBuildError:
        pass
    else:
        raise AssertionError("the stand-in parsed an unsupported operator")
    return set(surfaced.USED)


def _member(surface, owner, name):
    if owner == "tensorrt":
        return surface["module"].get(name)
    return surface["classes"].get(owner, {}).get("members", {}).get(name)


def check_usage(usage, surface):
    """Used pairs the real ``surface`` lacks (empty when the code conforms)."""
    return sorted(pair for pair in usage if _member(surface, *pair) is None)


def conformance_table(usages, surfaces):
    """Markdown: one row per member used on any version, one column per version; "yes" used
    there and present, "-" not on that version's path, "MISSING" used but absent."""
    versions = sorted(usages, key=lambda f: tuple(int(p) for p in f.split(".")))
    rows = sorted(set(pair for usage in usages.values() for pair in usage),
                  key=lambda pair: (pair[0] != "tensorrt", pair))
    lines = ["| used by LinkNet-Edge | " + " | ".join(
        "{} ({})".format(v, SURFACE_OF[v]) for v in versions) + " |",
        "|---|" + "---|" * len(versions)]
    for owner, name in rows:
        cells = []
        for version in versions:
            if (owner, name) not in usages[version]:
                cells.append("-")
            else:
                cells.append("yes" if _member(surfaces[version], owner, name) else "MISSING")
        label = name if owner == "tensorrt" else "{}.{}".format(owner, name)
        lines.append("| `{}` | {} |".format(label, " | ".join(cells)))
    return "\n".join(lines)


if __name__ == "__main__":
    import tempfile
    from _pytest.monkeypatch import MonkeyPatch
    from tests.real_tensorrt import load_surface
    patch = MonkeyPatch()
    found = {}
    try:
        for flavour in FLAVOURS:
            found[flavour] = record_usage(flavour, tempfile.mkdtemp(), patch)
    finally:
        patch.undo()
    print(conformance_table(found, dict((f, load_surface(SURFACE_OF[f])) for f in found)))
