"""The one line a run logs before its first step: what is actually applied.

Loss weights, augmentation, normalisation, input size, optimizer and schedule, device, AMP and
channels-last as the trainer resolved them (e.g. ``--amp`` on a CPU shows "AMP off"), so a
mistake shows in the first second of a run rather than after hours of GPU time.
"""

import numpy as np

__all__ = ["applied_settings"]


def _numbers(values):
    return ",".join("{:.3f}".format(v) for v in values)


def _weights(weights, class_names):
    weights = np.asarray(weights, dtype=np.float64)
    each = " ".join("{} {:.2f}".format(name, w) for name, w in zip(class_names, weights))
    return "class weights {:.2f}-{:.2f} ({})".format(weights.min(), weights.max(), each)


def _augmentation(config):
    parts = []
    if config.scale_range is not None and config.scale_range[1] > config.scale_range[0]:
        parts.append("scale {:g}-{:g} + crop/pad".format(*config.scale_range))
    if config.flip:
        parts.append("h-flip p=0.5")
    return "augment " + (" + ".join(parts) if parts else "none")


def _schedule(config):
    name = config.schedule
    if name == "poly":
        name = "poly^{:g}".format(config.poly_power)
    elif name == "step":
        name = "step x{:g} every {} epochs".format(config.lr_gamma, config.lr_step)
    text = "{} lr {:g} wd {:g}".format(config.optimizer, config.lr, config.weight_decay)
    if config.optimizer == "sgd":
        text += " momentum {:g}".format(config.momentum)
    return "{}, {} schedule over {} epochs".format(text, name, config.epochs)


def applied_settings(config, spec, weights, device, amp, channels_last, world_size, init):
    """The summary line (no newline). ``init`` says where the weights came from."""
    height, width = spec.input_size
    return "; ".join([
        "applied: input {}x{} (WxH), batch {} x {} process(es)".format(
            width, height, config.batch_size, world_size),
        "normalise {} (x/255 - mean)/std, mean {} std {}".format(
            spec.channel_order, _numbers(spec.mean), _numbers(spec.std)),
        _augmentation(config),
        _weights(weights, spec.class_names) + ", void {} ignored".format(spec.ignore_index),
        _schedule(config),
        "device {}, AMP {}, channels-last {}".format(device, "on" if amp else "off",
                                                      "on" if channels_last else "off"),
        "weights: " + init,
    ])
