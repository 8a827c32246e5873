"""ResNet-18 encoder, laid out as torchvision builds it (so its weights load as they are).

Contract: ``ResNetEncoder()(x)`` for x of shape (N, 3, H, W), H and W multiples of 32, returns
``[stem, e1, e2, e3, e4]`` with channels ``out_channels = (64, 64, 128, 256, 512)`` and strides
4, 4, 8, 16, 32. ``stem`` is after conv1/bn1/relu/maxpool. Parameter names match torchvision's
``resnet18`` (``conv1``, ``bn1``, ``layer1.0.conv1`` ...) minus its ``fc`` head.
"""

import torch.nn as nn

__all__ = ["BasicBlock", "ResNetEncoder"]


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual sum; a strided 1x1 projection when shapes change."""

    def __init__(self, in_channels, out_channels, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


def _stage(in_channels, out_channels, stride):
    return nn.Sequential(BasicBlock(in_channels, out_channels, stride),
                         BasicBlock(out_channels, out_channels, 1))


class ResNetEncoder(nn.Module):
    """ResNet-18 without pooling head: 7x7/2 stem, BN, ReLU, 3x3/2 max-pool, four stages."""

    out_channels = (64, 64, 128, 256, 512)

    def __init__(self):
        super(ResNetEncoder, self).__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = _stage(64, 64, 1)
        self.layer2 = _stage(64, 128, 2)
        self.layer3 = _stage(128, 256, 2)
        self.layer4 = _stage(256, 512, 2)

    def forward(self, x):
        stem = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        e1 = self.layer1(stem)
        e2 = self.layer2(e1)
        e3 = self.layer3(e2)
        e4 = self.layer4(e3)
        return [stem, e1, e2, e3, e4]
