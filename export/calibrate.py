"""INT8 calibration from real images, with a calibration cache that is really reused.

``CalibrationBatches`` (numpy + OpenCV only) turns a folder of images into batches through
``linknet_edge.preprocessing.prepare_batch``, exactly the runtime's input for the spec's form.
``EntropyCalibrator`` speaks TensorRT's ``IInt8EntropyCalibrator2`` protocol (8.x-10.x; 11.x
has no calibrators); its cache hooks read and write the cache file, so a second build (or
trtexec ``--calib``) skips calibration. When images are given they are always offered: TensorRT
skips a cache it finds incompatible and then needs batches. ``cache_problem`` reads the cache
header (``TRT-8201-EntropyCalibration2``) to tell a cache written by another TensorRT version.
``tensorrt`` and the CUDA binding are touched only once TensorRT asks for a batch.
"""

import logging
import os

import numpy as np

from linknet_edge.atomic import write_atomic
from linknet_edge.errors import DatasetError
from linknet_edge.images import find_images, read_image_bgr
from linknet_edge.preprocessing import batch_shape, prepare_batch
from linknet_edge.runtime.backends.tensorrt.versions import (calibration_cache_version,
                                                             parse_version, version_text)

from .sample_images import spread_evenly

__all__ = ["CalibrationBatches", "EntropyCalibrator", "DEFAULT_MAX_IMAGES", "cache_problem",
           "CALIBRATOR_ALGORITHM"]

logger = logging.getLogger(__name__)

#: TensorRT's guidance is a few hundred representative images; more only costs time.
DEFAULT_MAX_IMAGES = 500
#: the algorithm name the cache header of ``EntropyCalibrator`` carries
CALIBRATOR_ALGORITHM = "EntropyCalibration2"


def cache_problem(cache_path, trt_version):
    """None if ``cache_path`` is absent or this TensorRT wrote it, else why it cannot be used
    (one phrase naming the file, the version in its header and this version)."""
    if not os.path.isfile(cache_path):
        return None
    with open(cache_path, "rb") as handle:
        found = calibration_cache_version(handle.read(64))
    if found is None:
        return "{} is not a TensorRT calibration cache (no TRT-<version>-<algorithm> " \
               "header)".format(cache_path)
    version, algorithm = found
    here = parse_version(trt_version)[:3]
    if version != here:
        return "{} was written by TensorRT {}, this is TensorRT {}".format(
            cache_path, version_text(version), version_text(here))
    if algorithm != CALIBRATOR_ALGORITHM:
        return "{} was written by the {} calibrator, this build uses {}".format(
            cache_path, algorithm, CALIBRATOR_ALGORITHM)
    return None


class CalibrationBatches(object):
    """Images from ``source`` (folder, glob or list) as input batches of ``batch_size`` in the
    spec's ``input_form``.

    At most ``max_images`` images, spread evenly over the sorted list (consecutive video frames
    are near-duplicates); a last partial batch is dropped because engine shapes are static.
    Images are read one batch at a time, never all at once.
    """

    def __init__(self, source, spec, batch_size=1, max_images=DEFAULT_MAX_IMAGES):
        paths = spread_evenly(find_images(source), max_images)
        if len(paths) < batch_size:
            raise DatasetError("{}: {} images, fewer than one calibration batch of {}".format(
                source, len(paths), batch_size))
        self.source = source
        self.spec = spec
        self.batch_size = int(batch_size)
        self.paths = paths[:len(paths) - len(paths) % self.batch_size]

    @property
    def shape(self):
        return batch_shape(self.spec, self.batch_size)

    def __len__(self):
        return len(self.paths) // self.batch_size

    def __iter__(self):
        for start in range(0, len(self.paths), self.batch_size):
            yield prepare_batch(
                [read_image_bgr(path) for path in self.paths[start:start + self.batch_size]],
                self.spec)


class EntropyCalibrator(object):
    """TensorRT's entropy calibrator (v2) over ``batches``, caching to ``cache_path``.

    TensorRT reads the cache first (``use_cache=False`` hides a foreign one) and asks for batches
    only if it has no usable cache. ``as_tensorrt()`` wraps it in a
    ``trt.IInt8EntropyCalibrator2`` for ``config.int8_calibrator``.
    """

    def __init__(self, cache_path, batches=None, use_cache=True):
        self.cache_path = str(cache_path)
        self.batches = batches
        self.use_cache = use_cache
        self.batches_served = 0
        #: an exception raised while TensorRT asked for a batch (TensorRT would swallow it)
        self.error = None
        self._iterator = None
        self._device = None

    def get_batch_size(self):
        return self.batches.batch_size if self.batches is not None else 1

    def get_batch(self, names):
        """The device pointer of the next batch (one input), or None when all are served."""
        if self.batches is None:
            return None
        if self._iterator is None:
            self._iterator = iter(self.batches)
        batch = next(self._iterator, None)
        if batch is None:
            return None
        from linknet_edge.runtime.backends.tensorrt.cuda import api
        cuda = api()
        if self._device is None:
            self._device = cuda.alloc(batch.nbytes)
        cuda.htod(self._device, np.ascontiguousarray(batch))
        self.batches_served += 1
        if self.batches_served % 10 == 0 or self.batches_served == len(self.batches):
            logger.info("calibration batch %d/%d", self.batches_served, len(self.batches))
        return [int(self._device)]

    def read_calibration_cache(self):
        """The cache file's bytes if it exists (TensorRT then skips calibration), else None."""
        if not self.use_cache or not os.path.isfile(self.cache_path):
            return None
        with open(self.cache_path, "rb") as handle:
            data = handle.read()
        logger.info("%s: reusing the INT8 calibration cache (%d bytes)", self.cache_path, len(data))
        return data

    def write_calibration_cache(self, cache):
        """Save what TensorRT computed, atomically, for the next build."""
        write_atomic(self.cache_path, bytes(memoryview(cache)))
        logger.info("%s: wrote the INT8 calibration cache", self.cache_path)

    def close(self):
        """Free the device batch buffer (safe to call twice)."""
        if self._device is not None:
            self._device.free()
            self._device = None

    def as_tensorrt(self):
        """A ``trt.IInt8EntropyCalibrator2`` that forwards to this object."""
        from linknet_edge.runtime.backends.tensorrt.api import calibrator_base
        base = calibrator_base()
        owner = self

        class _Calibrator(base):
            def __init__(self):
                base.__init__(self)

            def get_batch_size(self):
                return owner.get_batch_size()

            def get_batch(self, names):
                try:
                    return owner.get_batch(names)
                except Exception as exc:  # re-raised by build_engine after TensorRT returns
                    owner.error = exc
                    return None

            def read_calibration_cache(self):
                return owner.read_calibration_cache()

            def write_calibration_cache(self, cache):
                owner.write_calibration_cache(cache)

        return _Calibrator()
