"""LinkNet decoder blocks and the decoder that sums them with the encoder's skips."""

import torch.nn as nn
import torch.nn.functional as F

__all__ = ["DecoderBlock", "ResidualDecoderBlock", "LinkNetDecoder"]


def _conv_bn_relu(conv, channels):
    return nn.Sequential(conv, nn.BatchNorm2d(channels), nn.ReLU(inplace=True))


class DecoderBlock(nn.Module):
    """1x1 conv m->m/4, 3x3 transposed conv (stride 1 or 2), 1x1 conv m/4->n; BN+ReLU after each.

    Transposed convolutions only, no resize: the TX1-safe block of the paper.
    """

    def __init__(self, in_channels, out_channels, stride):
        super(DecoderBlock, self).__init__()
        mid = in_channels // 4
        self.conv1 = _conv_bn_relu(nn.Conv2d(in_channels, mid, 1, bias=False), mid)
        self.tp_conv = _conv_bn_relu(
            nn.ConvTranspose2d(mid, mid, 3, stride, 1, output_padding=stride - 1, bias=False), mid)
        self.conv2 = _conv_bn_relu(nn.Conv2d(mid, out_channels, 1, bias=False), out_channels)

    def forward(self, x):
        return self.conv2(self.tp_conv(self.conv1(x)))


class ResidualDecoderBlock(DecoderBlock):
    """A decoder block plus a residual branch: 1x1 projection, bilinear resize to the output size.

    The resize becomes an ONNX Resize op, which TensorRT on the TX1 cannot run in this form.
    """

    def __init__(self, in_channels, out_channels, stride):
        super(ResidualDecoderBlock, self).__init__(in_channels, out_channels, stride)
        self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                      nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = super(ResidualDecoderBlock, self).forward(x)
        shortcut = F.interpolate(self.shortcut(x), size=out.shape[-2:], mode="bilinear",
                                 align_corners=False)
        return out + shortcut


class LinkNetDecoder(nn.Module):
    """d4 = e3 + dec4(e4), d3 = e2 + dec3(d4), d2 = e1 + dec2(d3), d1 = stem + dec1(d2).

    With ``bypass=False`` the sums are dropped (the paper's no-bypass ablation).
    """

    def __init__(self, encoder_channels, block=DecoderBlock, bypass=True):
        super(LinkNetDecoder, self).__init__()
        stem, c1, c2, c3, c4 = encoder_channels
        self.bypass = bypass
        self.decoder4 = block(c4, c3, 2)
        self.decoder3 = block(c3, c2, 2)
        self.decoder2 = block(c2, c1, 2)
        self.decoder1 = block(c1, stem, 1)
        self.out_channels = stem

    def forward(self, features):
        stem, e1, e2, e3, e4 = features
        d = e4
        for block, skip in ((self.decoder4, e3), (self.decoder3, e2), (self.decoder2, e1),
                            (self.decoder1, stem)):
            d = block(d)
            if self.bypass:
                d = d + skip
        return d
