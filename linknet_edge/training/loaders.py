"""Readers, datasets and DataLoaders of a training run (train split augmented, val split not).

Data order is a function of (seed, epoch) alone: a ``DistributedSampler`` (with one replica when
there is one process) draws the permutation from a generator seeded with ``seed + epoch``, and
augmentation from (seed, epoch, index). A resumed run therefore needs only the epoch number to
continue with exactly the batches an uninterrupted run would have seen.

With ``overfit=N`` the val "split" is the first N train frames, read without augmentation, and
the train set passes over those frames ``overfit.repeats(N)`` times per epoch.
"""

import logging

from torch.utils.data import DataLoader, DistributedSampler

from ..data import class_frequencies, open_dataset
from ..errors import DatasetError
from .dataset import SegmentationDataset
from .distributed import shard_indices
from .overfit import repeats
from .signals import worker_init

__all__ = ["FirstFrames", "TrainingData", "open_training_data"]

logger = logging.getLogger(__name__)


class FirstFrames(object):
    """A view of the first ``count`` frames of a reader (``--limit-train``/``--limit-val``)."""

    def __init__(self, reader, count):
        self.reader = reader
        self.count = min(int(count), len(reader))

    def __len__(self):
        return self.count

    def __getattr__(self, name):
        if name == "reader":  # not set yet (unpickling): avoid recursing
            raise AttributeError(name)
        return getattr(self.reader, name)


class TrainingData(object):
    """Everything the trainer reads: ``spec``, readers, datasets, loaders, the train sampler."""

    def __init__(self, spec, train_reader, val_reader, train_set, val_set, train_loader,
                 val_loader, sampler):
        self.spec = spec
        self.train_reader, self.val_reader = train_reader, val_reader
        self.train_set, self.val_set = train_set, val_set
        self.train_loader, self.val_loader = train_loader, val_loader
        self.sampler = sampler

    def set_epoch(self, epoch):
        """Select epoch ``epoch``'s data order and augmentations (call before iterating)."""
        self.sampler.set_epoch(epoch)
        self.train_set.set_epoch(epoch)

    def class_frequencies(self):
        """Per-class pixel shares of the (limited) train split, void excluded."""
        return class_frequencies(self.train_reader)


def _open(config, split, limit, context):
    # The resize cache is built by rank 0; the others open it once it is complete.
    shared_cache = context.distributed and config.cache_dir
    if shared_cache and not context.is_main:
        context.barrier()
    reader = open_dataset(config.dataset, config.data_root, split, size=config.size,
                          cache_dir=config.cache_dir)
    if shared_cache and context.is_main:
        context.barrier()
    return reader if limit is None else FirstFrames(reader, limit)


def open_training_data(config, context):
    """Open both splits of ``config.dataset`` and build their loaders for this process."""
    train_reader = _open(config, "train", config.limit_train, context)
    if config.overfit:
        val_reader = train_reader
    else:
        val_reader = _open(config, "val", config.limit_val, context)
    spec = train_reader.make_spec(arch=config.arch, input_size=config.size)
    if val_reader.class_names != train_reader.class_names:
        raise DatasetError("{}: train and val splits list different classes".format(
            config.data_root))
    indices = None
    if config.overfit:
        indices = list(range(len(train_reader))) * repeats(len(train_reader))
    train_set = SegmentationDataset(train_reader, spec, train=True, indices=indices,
                                    seed=config.seed, flip=config.flip,
                                    scale_range=config.scale_range)
    val_set = SegmentationDataset(val_reader, spec, train=False,
                                  indices=shard_indices(len(val_reader), context.rank,
                                                        context.world_size))
    sampler = DistributedSampler(train_set, num_replicas=context.world_size, rank=context.rank,
                                 shuffle=True, seed=config.seed)
    pin = context.device.type == "cuda"
    init = worker_init if config.workers else None
    train_loader = DataLoader(train_set, batch_size=config.batch_size, sampler=sampler,
                              num_workers=config.workers, pin_memory=pin, worker_init_fn=init)
    val_loader = DataLoader(val_set, batch_size=config.batch_size, shuffle=False,
                            num_workers=config.workers, pin_memory=pin, worker_init_fn=init)
    logger.debug("train %d frames, val %d frames (this process: %d batches / %d)",
                 len(train_reader), len(val_reader), len(train_loader), len(val_loader))
    return TrainingData(spec, train_reader, val_reader, train_set, val_set, train_loader,
                        val_loader, sampler)
