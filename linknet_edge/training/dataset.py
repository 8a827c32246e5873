"""A thin torch ``Dataset`` over a dataset reader: augmentation, then the runtime's normalisation.

Images go through ``preprocessing.normalize(image, spec)``, the function the export checks and
the runtime use, so a network sees the same numbers in training and on the Jetson.

Augmentation draws from a ``RandomState`` seeded by (seed, epoch, index): the same sample of the
same epoch is augmented identically whichever DataLoader worker (or process) reads it, which is
what makes a resumed run repeat an uninterrupted one exactly.
"""

import numpy as np
import torch
from torch.utils.data import Dataset

from ..preprocessing import normalize, resize_image, resize_labels
from .augment import augment_pair

__all__ = ["SegmentationDataset"]


class SegmentationDataset(Dataset):
    """Frames ``indices`` (default: all) of ``reader`` as (float32 CHW image, int64 HW labels).

    With ``train=True`` frames are augmented (``flip``, ``scale_range``); call ``set_epoch``
    before each epoch so every epoch draws new augmentations.
    """

    def __init__(self, reader, spec, train=False, indices=None, seed=0, flip=True,
                 scale_range=(0.75, 1.25)):
        self.reader = reader
        self.spec = spec
        self.train = train
        self.indices = list(range(len(reader))) if indices is None else list(indices)
        self.seed = int(seed)
        self.flip = flip
        self.scale_range = scale_range
        self.epoch = 0
        # The pad colour that normalises to 0 (the dataset mean), in RGB.
        self.fill = tuple(int(round(m * 255)) for m in spec.mean)

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, item):
        index = self.indices[item]
        image, labels = self.reader.read(index)
        size = tuple(self.spec.input_size)
        if self.train:
            rng = np.random.RandomState([self.seed % (2 ** 32), self.epoch, index])
            image, labels = augment_pair(image, labels, size, rng, self.reader.ignore_index,
                                         flip=self.flip, scale_range=self.scale_range,
                                         fill=self.fill)
        else:
            image, labels = resize_image(image, size), resize_labels(labels, size)
        return (torch.from_numpy(normalize(image, self.spec)),
                torch.from_numpy(labels.astype(np.int64)))
