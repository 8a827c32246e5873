"""The LinkNet model family (needs torch)."""

from .decoder import DecoderBlock, LinkNetDecoder, ResidualDecoderBlock
from .encoder import ResNetEncoder
from .head import SegmentationHead
from .linknet import LinkNet
from .registry import build_model, model_from_spec
from .summary import count_macs, count_parameters, summarize

__all__ = ["LinkNet", "ResNetEncoder", "LinkNetDecoder", "DecoderBlock", "ResidualDecoderBlock",
           "SegmentationHead", "build_model", "model_from_spec",
           "count_parameters", "count_macs", "summarize"]
