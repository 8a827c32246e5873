"""Architectures by name: ``build_model("linknet", num_classes=11)``."""

from ..errors import SpecError
from .decoder import DecoderBlock, ResidualDecoderBlock
from .linknet import LinkNet

__all__ = ["MODELS", "build_model", "model_from_spec", "is_tx1_safe"]

#: name -> (constructor keywords, TX1-safe (no Resize in the graph), one-line description)
MODELS = {
    "linknet": (dict(decoder_block=DecoderBlock, bypass=True), True,
                "LinkNet, transposed-convolution decoder (the TX1-compatible network)"),
    "linknet-res-dec": (dict(decoder_block=ResidualDecoderBlock, bypass=True), False,
                        "decoder blocks with a bilinear residual branch (Resize: not TX1-safe)"),
    "linknet-nobypass": (dict(decoder_block=DecoderBlock, bypass=False), True,
                         "LinkNet without the encoder-decoder skip sums (ablation)"),
}


def _lookup(name):
    if name not in MODELS:
        import difflib
        close = difflib.get_close_matches(str(name), MODELS, n=1)
        raise SpecError("unknown architecture {!r}{}; choose from {}".format(
            name, " (did you mean {!r}?)".format(close[0]) if close else "",
            ", ".join(sorted(MODELS))))
    return MODELS[name]


def build_model(name, num_classes, **kwargs):
    """A freshly initialised model of architecture ``name`` with ``num_classes`` outputs."""
    defaults, _, _ = _lookup(name)
    options = dict(defaults)
    options.update(kwargs)
    return LinkNet(int(num_classes), **options)


def model_from_spec(spec):
    """The (untrained) model a ``ModelSpec`` describes."""
    return build_model(spec.arch, spec.num_classes, **spec.arch_kwargs)


def is_tx1_safe(name):
    """True if the architecture exports without Resize ops (runs on TensorRT on a TX1)."""
    return _lookup(name)[1]
