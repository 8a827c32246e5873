"""LinkNet (Chaurasia & Culurciello, 2017): ResNet-18 encoder, LinkNet decoder, head.

Matches e-Lab's pytorch-linknet layer for layer: with 12 classes 11,534,796 parameters.
"""

import torch
import torch.nn as nn

from ..sizes import check_size
from .decoder import DecoderBlock, LinkNetDecoder
from .encoder import ResNetEncoder
from .head import SegmentationHead

__all__ = ["LinkNet"]


def _exporting():
    tracing = torch.jit.is_tracing() or torch.jit.is_scripting()
    onnx_export = getattr(torch.onnx, "is_in_onnx_export", lambda: False)
    return tracing or onnx_export()


class LinkNet(nn.Module):
    """Encoder -> decoder -> head. Input (N, 3, H, W) normalised, H and W multiples of 32;
    output logits (N, num_classes, H, W)."""

    def __init__(self, num_classes, decoder_block=DecoderBlock, bypass=True):
        super(LinkNet, self).__init__()
        self.num_classes = num_classes
        self.encoder = ResNetEncoder()
        self.decoder = LinkNetDecoder(self.encoder.out_channels, decoder_block, bypass)
        self.head = SegmentationHead(self.decoder.out_channels, num_classes)

    def forward(self, x):
        if not _exporting():
            check_size(x.shape[-2], x.shape[-1])
        return self.head(self.decoder(self.encoder(x)))
