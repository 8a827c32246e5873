"""Parameter and multiply-accumulate counts of a model at a given input size."""

import torch
import torch.nn as nn

__all__ = ["count_parameters", "count_macs", "summarize"]


def count_parameters(model):
    """Trainable parameters (BN running statistics are buffers and not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def count_macs(model, size, batch=1):
    """Multiply-accumulates of one forward pass at ``size`` = (H, W), per image."""
    total = [0]

    def hook(module, inputs, output):
        # weight[0] holds the products per output pixel (Conv2d: in/groups*kh*kw) or per input
        # pixel (ConvTranspose2d scatters each input into out/groups*kh*kw outputs).
        if isinstance(module, nn.ConvTranspose2d):
            total[0] += inputs[0][0].numel() * module.weight[0].numel()
        elif isinstance(module, nn.Conv2d):
            total[0] += output[0].numel() * module.weight[0].numel()
        elif isinstance(module, nn.Linear):
            total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros((batch, 3) + tuple(size)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return total[0] // batch, tuple(out.shape[1:])


def summarize(model, size):
    """Dict with parameters, GMACs and output shape (C, H, W) at input ``size`` = (H, W)."""
    macs, out_shape = count_macs(model, size)
    return {"parameters": count_parameters(model), "gmacs": macs / 1e9,
            "input_shape": [1, 3] + list(size), "output_shape": [1] + list(out_shape)}
