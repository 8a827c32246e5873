"""The pinhole camera and the twin canvas that synthetic scenes are drawn with.

``Camera.project`` maps world points (x right, y up, z forward, metres) to OpenCV fixed-point
pixels; ``Canvas`` fills the image and the label map with identical calls, so every pixel's label
is the shape drawn there. The quad helpers build wall-plane and ground shapes clipped in depth,
so no vertex ever lies behind the camera. numpy and OpenCV only.
"""

import numpy as np

__all__ = ["Camera", "Canvas", "side_quads", "ground_quads", "CIRCLES", "EYE", "ONE"]

SHIFT = 4  # OpenCV fixed-point bits: sub-pixel shapes, so slow motion stays smooth
ONE = 1 << SHIFT
EYE = 1.5  # camera height (m)


def _cv2():
    import cv2
    return cv2


class Camera(object):
    """Pinhole camera at (x, EYE, z) looking along +z; ``horizon`` is the image row of y = EYE."""

    def __init__(self, size, x, z, horizon):
        self.height, self.width = size
        self.focal = 0.62 * self.width
        self.cx, self.cy = self.width / 2.0, horizon
        self.x, self.z = x, z
        self.near_ground = 0.9 * self.focal * EYE / max(self.height - horizon, 1.0)

    def project(self, points):
        """World points (..., 3) -> fixed-point pixel coordinates (..., 2) int32."""
        points = np.asarray(points, dtype=np.float64)
        ratio = (self.focal * ONE) / np.maximum(points[..., 2] - self.z, 0.05)
        pixels = np.empty(points.shape[:-1] + (2,))
        pixels[..., 0] = (points[..., 0] - self.x) * ratio + self.cx * ONE
        pixels[..., 1] = (EYE - points[..., 1]) * ratio + self.cy * ONE
        return np.rint(pixels).astype(np.int32)

    def project_facing(self, centre, offsets):
        """A shape facing the camera at world point ``centre``; ``offsets`` (..., 2) in metres
        right and up -> fixed-point pixels (..., 2)."""
        offsets = np.asarray(offsets, float)
        points = np.empty(offsets.shape[:-1] + (3,))
        points[..., 0] = centre[0] + offsets[..., 0]
        points[..., 1] = centre[1] + offsets[..., 1]
        points[..., 2] = centre[2]
        return self.project(points)

    def scale(self, z):
        """Pixels per metre at depth z."""
        return self.focal / max(z - self.z, 0.05)


class Canvas(object):
    """The image and the label map, always drawn with the same calls."""

    def __init__(self, size):
        self.image = np.zeros(tuple(size) + (3,), np.uint8)
        self.labels = np.zeros(tuple(size), np.uint8)

    def fill(self, polygons, color, label=None, disjoint=False):
        """Fill fixed-point polygons; ``disjoint`` ones go in one call (overlaps there XOR)."""
        cv2, polygons = _cv2(), [np.ascontiguousarray(p, np.int32) for p in polygons]
        groups = [polygons] if disjoint else [[p] for p in polygons]
        for group in groups:
            cv2.fillPoly(self.image, group, color, cv2.LINE_8, SHIFT)
            if label is not None:
                cv2.fillPoly(self.labels, group, int(label), cv2.LINE_8, SHIFT)

    def line(self, p0, p1, color, thickness, label):
        cv2 = _cv2()
        for target, value in ((self.image, color), (self.labels, int(label))):
            cv2.line(target, tuple(int(v) for v in p0), tuple(int(v) for v in p1), value,
                     max(1, int(round(thickness))), cv2.LINE_8, SHIFT)


def side_quads(x, y0, y1, z0, z1, lo, hi):
    """Quads in the wall plane at x, (N, 4, 3), with z clipped to [lo, hi]; empty ones dropped."""
    y0, y1, z0, z1 = np.broadcast_arrays(*[np.asarray(v, float).ravel() for v in (y0, y1, z0, z1)])
    z0, z1 = np.maximum(z0, lo), np.minimum(z1, hi)
    keep = z1 > z0
    quads = np.empty((int(keep.sum()), 4, 3))
    quads[..., 0] = x
    quads[:, :, 1] = np.where([True, False, False, True], y0[keep, None], y1[keep, None])
    quads[:, :, 2] = np.where([True, True, False, False], z0[keep, None], z1[keep, None])
    return quads


def ground_quads(x0, x1, z0, z1, lo, hi):
    """Quads on the ground (N, 4, 3) between x0..x1 and z0..z1 clipped to [lo, hi]."""
    quads = side_quads(0.0, x0, x1, z0, z1, lo, hi)
    quads[..., [0, 1]] = quads[..., [1, 0]]  # (x, y) = (given "y", 0)
    return quads


def _unit_circle(count):
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], -1)


CIRCLES = {n: _unit_circle(n) for n in (10, 12, 16, 20)}
