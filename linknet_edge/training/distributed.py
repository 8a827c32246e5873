"""Multi-process training on PyTorch's own engine: torchrun + DistributedDataParallel.

``torchrun --nproc_per_node=N -m linknet_edge.cli train ...`` sets ``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK`` and the rendezvous address; ``DistributedContext.from_environment`` reads them and
joins the group (NCCL on GPUs, gloo on CPUs). Without those variables it is a one-process
context and every helper here is a no-op, so the trainer has a single code path.
"""

import logging
import os

import torch
import torch.distributed as dist

from ..errors import TrainingError

__all__ = ["DistributedContext", "shard_indices"]

logger = logging.getLogger(__name__)


def shard_indices(count, rank, world_size):
    """Every ``world_size``-th index from ``rank``: disjoint shards covering ``range(count)``
    once (no padding, so all-reduced metrics count each frame exactly once)."""
    return list(range(rank, count, world_size))


class DistributedContext(object):
    """Rank, world size and device of this process; ``is_main`` is rank 0 (the only writer)."""

    def __init__(self, rank=0, world_size=1, local_rank=0, device=None):
        self.rank, self.world_size, self.local_rank = rank, world_size, local_rank
        self.device = device or torch.device("cpu")
        self.initialized_here = False

    @property
    def is_main(self):
        return self.rank == 0

    @property
    def distributed(self):
        return self.world_size > 1

    @classmethod
    def from_environment(cls, device="auto"):
        """Join the torchrun group if this process was started by torchrun."""
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        rank = int(os.environ.get("RANK", "0"))
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        context = cls(rank, world_size, local_rank, _pick_device(device, local_rank))
        if world_size > 1 and not (dist.is_available() and dist.is_initialized()):
            if not dist.is_available():
                raise TrainingError("WORLD_SIZE={} but this torch has no torch.distributed".format(
                    world_size))
            backend = "nccl" if context.device.type == "cuda" else "gloo"
            dist.init_process_group(backend=backend)
            context.initialized_here = True
            logger.debug("rank %d of %d joined the %s group on %s", rank, world_size, backend,
                         context.device)
        return context

    def wrap(self, model):
        """``model`` in DistributedDataParallel when there are several processes."""
        if not self.distributed:
            return model
        from torch.nn.parallel import DistributedDataParallel
        if self.device.type == "cuda":
            return DistributedDataParallel(model, device_ids=[self.device.index],
                                           output_device=self.device.index)
        return DistributedDataParallel(model)

    def all_reduce_sum(self, tensor):
        """Sum ``tensor`` over all processes (in place, also returned)."""
        if self.distributed:
            moved = tensor.to(self.device) if self.device.type == "cuda" else tensor
            dist.all_reduce(moved, op=dist.ReduceOp.SUM)
            if moved is not tensor:
                tensor.copy_(moved.cpu())
        return tensor

    def broadcast_buffers(self, model):
        """Give every process rank 0's buffers (BatchNorm running statistics). Each process
        updated its own in its last training step; validation must score the model rank 0
        saves."""
        if self.distributed:
            for buffer in model.buffers():
                dist.broadcast(buffer.data, src=0)

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def close(self):
        """Leave the group if this context joined it."""
        if self.initialized_here and dist.is_initialized():
            dist.destroy_process_group()
            self.initialized_here = False


def _pick_device(name, local_rank):
    if name in (None, "auto"):
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise TrainingError("--device {} asked for, but this torch sees no CUDA GPU".format(
                name))
        if device.index is None:
            device = torch.device("cuda", local_rank % torch.cuda.device_count())
        torch.cuda.set_device(device)
    return device
