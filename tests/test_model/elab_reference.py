"""e-Lab pytorch-linknet's two model definitions, written here only to make reference checkpoints.

Tests copy this file under a throwaway module name, build the original network from it, pickle
it into a checkpoint as e-Lab's training script did, and then prove the importer never imports
that module. Layer names follow e-Lab's models/linknet.py (LinkNet and the older LinkNetBase).
"""

import torch.nn as nn


class TVBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super(TVBasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            x = self.downsample(x)
        return self.relu(out + x)


class Decoder(nn.Module):
    def __init__(self, in_planes, out_planes, kernel_size, stride=1, padding=0, output_padding=0):
        super(Decoder, self).__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(in_planes, in_planes // 4, 1, 1, 0, bias=False),
                                   nn.BatchNorm2d(in_planes // 4), nn.ReLU(inplace=True))
        self.tp_conv = nn.Sequential(
            nn.ConvTranspose2d(in_planes // 4, in_planes // 4, kernel_size, stride, padding,
                               output_padding, bias=False),
            nn.BatchNorm2d(in_planes // 4), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(in_planes // 4, out_planes, 1, 1, 0, bias=False),
                                   nn.BatchNorm2d(out_planes), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.conv2(self.tp_conv(self.conv1(x)))


class Encoder(nn.Module):
    def __init__(self, in_planes, out_planes, stride=1):
        super(Encoder, self).__init__()
        self.block1 = TVBasicBlock(in_planes, out_planes, stride)
        self.block2 = TVBasicBlock(out_planes, out_planes, 1)

    def forward(self, x):
        return self.block2(self.block1(x))


class _Head(nn.Module):
    def _make_head(self, n_classes):
        self.decoder1 = Decoder(64, 64, 3, 1, 1, 0)
        self.decoder2 = Decoder(128, 64, 3, 2, 1, 1)
        self.decoder3 = Decoder(256, 128, 3, 2, 1, 1)
        self.decoder4 = Decoder(512, 256, 3, 2, 1, 1)
        self.tp_conv1 = nn.Sequential(nn.ConvTranspose2d(64, 32, 3, 2, 1, 1),
                                      nn.BatchNorm2d(32), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(32, 32, 3, 1, 1), nn.BatchNorm2d(32),
                                   nn.ReLU(inplace=True))
        self.tp_conv2 = nn.ConvTranspose2d(32, n_classes, 2, 2, 0)
        self.lsm = nn.LogSoftmax(dim=1)

    def _decode(self, x, e1, e2, e3, e4):
        d4 = e3 + self.decoder4(e4)
        d3 = e2 + self.decoder3(d4)
        d2 = e1 + self.decoder2(d3)
        d1 = x + self.decoder1(d2)
        return self.lsm(self.tp_conv2(self.conv2(self.tp_conv1(d1))))


def _layer(inplanes, planes, stride):
    return nn.Sequential(TVBasicBlock(inplanes, planes, stride), TVBasicBlock(planes, planes))


class LinkNet(_Head):
    """e-Lab's current LinkNet: torchvision ResNet-18 layers as in_block and encoder1..4."""

    def __init__(self, n_classes=21):
        super(LinkNet, self).__init__()
        self.in_block = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                                      nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
        self.encoder1 = _layer(64, 64, 1)
        self.encoder2 = _layer(64, 128, 2)
        self.encoder3 = _layer(128, 256, 2)
        self.encoder4 = _layer(256, 512, 2)
        self._make_head(n_classes)

    def forward(self, x):
        x = self.in_block(x)
        e1 = self.encoder1(x)
        e2 = self.encoder2(e1)
        e3 = self.encoder3(e2)
        e4 = self.encoder4(e3)
        return self._decode(x, e1, e2, e3, e4)


class LinkNetBase(_Head):
    """e-Lab's older LinkNetBase: conv1/bn1 stem and encoderN.block1/block2."""

    def __init__(self, n_classes=21):
        super(LinkNetBase, self).__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.encoder1 = Encoder(64, 64, 1)
        self.encoder2 = Encoder(64, 128, 2)
        self.encoder3 = Encoder(128, 256, 2)
        self.encoder4 = Encoder(256, 512, 2)
        self._make_head(n_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        e1 = self.encoder1(x)
        e2 = self.encoder2(e1)
        e3 = self.encoder3(e2)
        e4 = self.encoder4(e3)
        return self._decode(x, e1, e2, e3, e4)
