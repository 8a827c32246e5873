"""Text and JSON summaries of architectures for the ``model`` verb."""

import json

from ..sizes import format_size
from .registry import MODELS, build_model, is_tx1_safe
from .summary import summarize

__all__ = ["describe_model"]


def describe_model(arch="linknet", num_classes=11, size=(352, 480), checkpoint=None,
                   list_only=False, as_json=False):
    """The ``model`` verb's output: the registry, or one architecture's summary."""
    if list_only:
        rows = [{"arch": name, "tx1_safe": is_tx1_safe(name), "description": MODELS[name][2]}
                for name in sorted(MODELS)]
        if as_json:
            return json.dumps(rows, indent=2)
        return "\n".join("{:18} {:9} {}".format(r["arch"], "TX1-safe" if r["tx1_safe"] else "",
                                                 r["description"]) for r in rows)
    if checkpoint:
        from ..weights import load_model
        model, spec = load_model(checkpoint)
        arch, num_classes = spec.arch, spec.num_classes
    else:
        model = build_model(arch, num_classes)
    info = summarize(model, size)
    info.update({"arch": arch, "classes": num_classes, "tx1_safe": is_tx1_safe(arch),
                 "size": format_size(*size)})
    if as_json:
        return json.dumps(info, indent=2, sort_keys=True)
    return "\n".join([
        "architecture   {}{}".format(arch, "" if info["tx1_safe"] else "  (not TX1-safe)"),
        "classes        {}".format(num_classes),
        "parameters     {:,}".format(info["parameters"]),
        "input          {} (N, C, H, W)  = {}".format(info["input_shape"], info["size"]),
        "output         {} logits".format(info["output_shape"]),
        "GMACs          {:.2f} per image ({:.2f} GFLOPs)".format(info["gmacs"],
                                                                 2 * info["gmacs"]),
    ])
