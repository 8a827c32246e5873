"""The LinkNet classifier head: back from stride 4 to full resolution."""

import torch.nn as nn

__all__ = ["SegmentationHead"]


class SegmentationHead(nn.Module):
    """3x3 transposed conv /2 (64->32), 3x3 conv (32->32), 2x2 transposed conv /2 (32->C).

    Returns logits; no softmax, so ArgMax can sit in the exported graph.
    """

    def __init__(self, in_channels, num_classes, mid_channels=32):
        super(SegmentationHead, self).__init__()
        self.tp_conv1 = nn.Sequential(
            nn.ConvTranspose2d(in_channels, mid_channels, 3, 2, 1, output_padding=1),
            nn.BatchNorm2d(mid_channels), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(mid_channels, mid_channels, 3, 1, 1),
                                   nn.BatchNorm2d(mid_channels), nn.ReLU(inplace=True))
        self.tp_conv2 = nn.ConvTranspose2d(mid_channels, num_classes, 2, 2, 0)

    def forward(self, x):
        return self.tp_conv2(self.conv2(self.tp_conv1(x)))
