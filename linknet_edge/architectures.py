"""The architectures by name and their facts, torch-free (``linknet_edge.model`` builds them).

``linknet-edge model --list``, the export checks and the runtime read these without torch.
"""

import collections
import json

from .errors import SpecError

__all__ = ["Architecture", "ARCHITECTURES", "architecture", "is_tx1_safe", "format_architectures"]


class Architecture(collections.namedtuple(
        "Architecture", "name decoder_block bypass tx1_safe description")):
    """``decoder_block``: "plain" (transposed convolutions only) or "residual" (adds a bilinear
    residual branch); ``bypass``: the encoder-decoder skip sums; ``tx1_safe``: no Resize op in the
    exported graph, so TensorRT on a TX1 runs it."""


ARCHITECTURES = collections.OrderedDict((a.name, a) for a in (
    Architecture("linknet", "plain", True, True,
                 "LinkNet, transposed-convolution decoder (the TX1-compatible network)"),
    Architecture("linknet-res-dec", "residual", True, False,
                 "decoder blocks with a bilinear residual branch (Resize: not TX1-safe)"),
    Architecture("linknet-nobypass", "plain", False, True,
                 "LinkNet without the encoder-decoder skip sums (ablation)"),
))


def architecture(name):
    """The ``Architecture`` called ``name``; an unknown name lists the choices."""
    if name not in ARCHITECTURES:
        import difflib
        close = difflib.get_close_matches(str(name), ARCHITECTURES, n=1)
        raise SpecError("unknown architecture {!r}{}; choose from {}".format(
            name, " (did you mean {!r}?)".format(close[0]) if close else "",
            ", ".join(sorted(ARCHITECTURES))))
    return ARCHITECTURES[name]


def is_tx1_safe(name):
    """True if the architecture exports without Resize ops (runs on TensorRT on a TX1)."""
    return architecture(name).tx1_safe


def format_architectures(as_json=False):
    """The ``model --list`` output: one line (or JSON object) per architecture."""
    rows = [{"arch": a.name, "tx1_safe": a.tx1_safe, "description": a.description}
            for a in sorted(ARCHITECTURES.values())]
    if as_json:
        return json.dumps(rows, indent=2)
    return "\n".join("{:18} {:9} {}".format(r["arch"], "TX1-safe" if r["tx1_safe"] else "",
                                             r["description"]) for r in rows)
