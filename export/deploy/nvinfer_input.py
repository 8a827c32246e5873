"""nvinfer's input normalisation for a model spec, how far it is from exact, and what that does
to the class maps.

Gst-nvinfer computes ``y = net-scale-factor * (x - offsets[c])`` on 0-255 pixels in
``model-color-format`` order ("The pre-processing function is: y = net scale factor*(x-mean)",
DeepStream's Gst-nvinfer page): one scale for all channels. A LinkNet spec normalises
``(x / 255 - mean[c]) / std[c]``, so offsets ``255 * mean`` are exact but the scale can only be
``1 / (255 * s)`` for a single ``s``; NVIDIA's own ImageNet-normalised models take the mean std
(TAO citysemsegformer: ``net-scale-factor=0.01735207357279195``, 1/57.63). Each channel then
reaches the network scaled by ``std[c] / s``, unless that ratio is folded into the network
(``fold``). ``measure_agreement`` runs a model as nvinfer would feed it and the original with the
exact normalisation (ONNX Runtime) and counts the pixels whose class stays the same.
"""

import numpy as np

__all__ = ["NvinferNormalisation", "nvinfer_normalisation", "measure_agreement"]


class NvinferNormalisation(object):
    """``scale`` (net-scale-factor), ``offsets`` (per channel, 0-255 scale), ``color_format``
    (0 RGB, 1 BGR), ``exact`` (True when every channel has the same std), ``channel_error``
    (relative scale error per channel, e.g. +0.013) and ``max_error`` (the largest difference
    from the exact input over 0-255 pixels, in normalised units)."""

    def __init__(self, spec):
        std = np.asarray(spec.std, dtype=np.float64)
        mean = np.asarray(spec.mean, dtype=np.float64)
        self.in_graph = spec.input_form == "raw"
        if self.in_graph:  # the graph normalises RGB 0-255 itself: nvinfer passes pixels on
            std, mean = np.full(3, 1.0 / 255.0), np.zeros(3)
        common = float(std.mean())
        self.scale = 1.0 / (255.0 * common)
        self.offsets = [float(v) for v in 255.0 * mean]
        self.color_format = 0 if self.in_graph or spec.channel_order == "RGB" else 1
        self.common_std = common
        self.channel_error = [float(v) for v in std / common - 1.0]
        self.exact = bool(np.allclose(std, common, rtol=0, atol=1e-12))
        reach = np.maximum(255.0 * mean, 255.0 * (1.0 - mean)) / 255.0
        self.max_error = float(np.max(reach * np.abs(1.0 / common - 1.0 / std)))
        self.std = [float(v) for v in std]

    def describe(self):
        """One line for the verb's output and the config's comments."""
        if self.in_graph:
            return "exact: the network normalises inside its graph (raw RGB 0-255 input)"
        if self.exact:
            return "exact: every channel has std {:.4g}".format(self.common_std)
        return ("approximate: nvinfer has one net-scale-factor, so the per-channel std {} is "
                "replaced by its mean {:.4g}; channels reach the network scaled by {} (at most "
                "{:.3f} off in normalised units)".format(
                    "/".join("{:.4g}".format(v) for v in self.std), self.common_std,
                    "/".join("{:+.1f} %".format(100.0 * e) for e in self.channel_error),
                    self.max_error))

    def apply(self, frames_bgr, size):
        """What nvinfer feeds the network for HWC uint8 BGR frames: NCHW float32 at ``size``
        (H, W), resized as the toolkit resizes (nvinfer scales on the GPU or VIC)."""
        from linknet_edge.preprocessing import resize_image
        batch = np.empty((len(frames_bgr), 3) + tuple(size), dtype=np.float32)
        for i, frame in enumerate(frames_bgr):
            image = resize_image(frame, size)
            image = image[..., ::-1] if self.color_format == 0 else image
            for c in range(3):
                np.subtract(image[..., c], np.float32(self.offsets[c]), out=batch[i, c],
                            dtype=np.float32)
            batch[i] *= np.float32(self.scale)
        return batch


def nvinfer_normalisation(spec):
    """The ``NvinferNormalisation`` of a spec."""
    return NvinferNormalisation(spec)


def measure_agreement(reference_path, candidate_path, normalisation, frames_bgr):
    """Share of pixels (0-1) whose class is the same when ``candidate_path`` gets nvinfer's
    input (``normalisation``) as when ``reference_path`` gets the exact one, on ONNX Runtime
    over ``frames_bgr``."""
    from linknet_edge.runtime.backends import load_model
    with load_model(reference_path, "onnxruntime") as runner:
        exact = runner.run(runner.prepare(frames_bgr))
    with load_model(candidate_path, "onnxruntime") as runner:
        approximate = runner.run(normalisation.apply(frames_bgr, runner.input_size))
    return float((exact == approximate).mean())
