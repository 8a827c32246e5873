"""Architectures by name: ``build_model("linknet", num_classes=11)`` (the names and their facts
are ``linknet_edge.architectures``, readable without torch)."""

from ..architectures import architecture
from .decoder import DecoderBlock, ResidualDecoderBlock
from .linknet import LinkNet

__all__ = ["build_model", "model_from_spec"]

_BLOCKS = {"plain": DecoderBlock, "residual": ResidualDecoderBlock}


def build_model(name, num_classes, **kwargs):
    """A freshly initialised model of architecture ``name`` with ``num_classes`` outputs."""
    arch = architecture(name)
    options = dict(decoder_block=_BLOCKS[arch.decoder_block], bypass=arch.bypass)
    options.update(kwargs)
    return LinkNet(int(num_classes), **options)


def model_from_spec(spec):
    """The (untrained) model a ``ModelSpec`` describes."""
    return build_model(spec.arch, spec.num_classes, **spec.arch_kwargs)
