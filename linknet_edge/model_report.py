"""Text and JSON summaries of architectures for the ``model`` verb (needs torch, except --list)."""

import json

from .architectures import format_architectures, is_tx1_safe
from .sizes import format_size

__all__ = ["describe_model"]


def describe_model(arch="linknet", num_classes=11, size=(352, 480), checkpoint=None,
                   list_only=False, as_json=False):
    """The ``model`` verb's output: the architecture list, or one architecture's summary (of a
    fresh model, or of the one a ``checkpoint`` holds)."""
    if list_only:
        return format_architectures(as_json)
    from .model import build_model, summarize
    if checkpoint:
        from .weights import load_model
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
