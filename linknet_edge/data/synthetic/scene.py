"""Draw one frame of a ``StreetLayout``: a BGR image and its CamVid label map, pixel for pixel.

Every shape is projected through a pinhole camera and filled into the image and the label map
with the same OpenCV call arguments, so each pixel's label is the object drawn there. Details
that do not change the class (windows, lane markings, shadows, lights, leaves) touch the image
only and always lie inside their object. Painter's order: sky, ground, walls and fences (far
planes first), then the remaining objects from far to near. numpy and OpenCV only.
"""

import numpy as np

from . import street
from .canvas import CIRCLES, ONE, Camera, Canvas, ground_quads, side_quads

__all__ = ["render_frame", "SceneLook"]

# Closest drawn depth (m). Everything is off-frame by then (walls, fences, things at the kerb
# or in other lanes), except tree crowns, lamp arms and signs, which sit above eye height and so
# sweep up out of the frame as they near: those are drawn almost to the lens, so none pops out.
_NEAR_SIDE, _NEAR_PROP, _NEAR_HIGH, _NEAR_CAR = 2.0, 1.5, 0.5, 1.0
# Strength of the surface grain per class (sky .. bicyclist, void): texture, not only colour.
_GRAIN = np.array([3, 10, 6, 9, 12, 30, 5, 12, 6, 10, 10, 8], dtype=np.float32)


def _cv2():
    import cv2
    return cv2


class SceneLook(object):
    """Per-clip lighting: a smooth illumination field, colour tint, brightness and sensor noise."""

    def __init__(self, rng, size):
        height, width = size
        coarse = rng.uniform(0.8, 1.2, (3, 4)).astype(np.float32)
        self.light = _cv2().resize(coarse, (width, height),
                                   interpolation=_cv2().INTER_CUBIC)[..., None]
        self.gain = (rng.uniform(0.65, 1.25) * rng.uniform(0.9, 1.1, 3)).astype(np.float32)
        # sensor noise: one tile per clip, seen at a random offset in each frame (cheap)
        self.sensor = rng.randn(height + 24, width + 24, 3).astype(np.float32) * rng.uniform(2, 7)
        self.horizon = rng.uniform(0.42, 0.52) * height


def _draw_ground(canvas, cam, layout, visible):
    lo, hi = cam.z + cam.near_ground, cam.z + street.VIEW_DEPTH
    road, mark = layout.road, layout.marking
    pavements = ground_quads([layout.backs[0], road[1]], [road[0], layout.backs[1]], -1e3, 1e5,
                             lo, hi)
    canvas.fill(cam.project(pavements), layout.paving, street.PAVEMENT, disjoint=True)
    canvas.fill(cam.project(ground_quads(road[0], road[1], -1e3, 1e5, lo, hi)), layout.asphalt,
                street.ROAD)
    kerb = tuple(min(255, c + 35) for c in layout.paving)
    kerbs = ground_quads([road[0] - 0.25, road[1]], [road[0], road[1] + 0.25], -1e3, 1e5, lo, hi)
    canvas.fill(cam.project(kerbs), kerb, disjoint=True)
    dashes = np.arange(np.floor(lo / 9.0) * 9.0, hi, 9.0)  # 3 m paint, 6 m gap
    lines = [ground_quads(x0, x1, dashes if dashed else -1e3, dashes + 3.0 if dashed else 1e5,
                          lo, hi) for x0, x1, dashed in layout.lines]
    canvas.fill(cam.project(np.concatenate(lines)), mark, disjoint=True)
    for z, prop in visible:  # car shadows: darker ground, label unchanged
        if prop.kind == street.CAR:
            half_w, half_l = prop.looks["width"] / 2 + 0.15, prop.looks["length"] / 2 + 0.1
            quad = ground_quads(prop.x - half_w, prop.x + half_w, z - half_l, z + half_l, lo, hi)
            canvas.fill(cam.project(quad), tuple(int(c * 0.45) for c in layout.asphalt))


def _draw_building(canvas, cam, b):
    lo, hi = cam.z + _NEAR_SIDE, cam.z + street.VIEW_DEPTH
    looks, z1, back = b.looks, b.looks["z1"], b.x + b.looks["depth"]
    if b.z >= hi or z1 <= lo:
        return
    if looks["depth"] and lo <= b.z:  # the end wall seen through the gap before it
        end = np.array([[b.x, 0, b.z], [b.x, looks["height"], b.z],
                        [back, looks["height"], b.z], [back, 0, b.z]])
        shade = tuple(int(c * 0.75) for c in looks["color"])
        canvas.fill([cam.project(end)], shade, street.BUILDING)
    facade = side_quads(b.x, 0, looks["height"], b.z, z1, lo, hi)
    if not len(facade):
        return
    canvas.fill(cam.project(facade), looks["color"], street.BUILDING)
    floor, bay = looks["floor"], looks["bay"]
    wide, tall = looks["window"]
    floors = np.arange(1 if looks["shop"] else 0, int(looks["height"] / floor))
    bays = np.arange(int((z1 - b.z) / bay))
    if not len(floors) or not len(bays):
        return
    fy, bz = np.meshgrid(floors * floor, b.z + bays * bay)
    y0, z0 = fy + 0.5 * floor * (1 - tall), bz + 0.5 * bay * (1 - wide)
    windows = side_quads(b.x, y0, y0 + tall * floor, z0, z0 + wide * bay, lo, hi)
    canvas.fill(cam.project(windows), looks["glass"], disjoint=True)
    if looks["shop"]:
        canvas.fill(cam.project(side_quads(b.x, 0.4, 2.6, b.z + 0.5, z1 - 0.5, lo, hi)),
                    tuple(int(c * 0.8) for c in looks["glass"]))


def _draw_fence(canvas, cam, f):
    lo, hi = cam.z + _NEAR_SIDE, cam.z + street.VIEW_DEPTH
    looks, z1 = f.looks, f.looks["z1"]
    panel = side_quads(f.x, 0, looks["height"], f.z, z1, lo, hi)
    if not len(panel):
        return
    dark = tuple(int(c * (0.6 if looks["solid"] else 0.35)) for c in looks["color"])
    canvas.fill(cam.project(panel), dark, street.FENCE)
    top, bar = looks["height"], looks["bar"]
    bars = np.arange(f.z, z1 - bar * 0.5, bar)
    bars = side_quads(f.x, 0.05, top - 0.1, bars, bars + bar * 0.5, lo, hi)
    canvas.fill(cam.project(bars), looks["color"], disjoint=True)
    canvas.fill(cam.project(side_quads(f.x, top - 0.1, top, f.z, z1, lo, hi)), looks["color"])


def _draw_tree(canvas, cam, p, z):
    looks, radius = p.looks, p.looks["crown"]
    half, top = looks["trunk"] / 2, looks["base"] + radius
    trunk = [[-half, 0], [half, 0], [half, top], [-half, top]]
    canvas.fill([cam.project_facing((p.x, 0, z), trunk)], looks["bark"], street.TREE)
    centre = (p.x, looks["base"] + radius, z)
    crown = CIRCLES[16] * (radius * looks["lumps"])[:, None]
    canvas.fill([cam.project_facing(centre, crown)], looks["leaves"], street.TREE)
    blobs = (looks["blobs"][:, None, :] + CIRCLES[10] * 0.28) * radius  # inside the 0.85 r core
    for blob, shade in zip(cam.project_facing(centre, blobs), looks["shades"]):
        canvas.fill([blob], tuple(int(min(255, c * shade)) for c in looks["leaves"]))


def _draw_pole(canvas, cam, p, z):
    looks, half = p.looks, p.looks["width"] / 2
    top = looks["height"]
    base = (p.x, 0, z)
    canvas.fill([cam.project_facing(base, [[-half, 0], [half, 0], [half, top], [-half, top]])],
                looks["color"], street.POLE)
    if looks["arm"]:
        arm = [[0, top - 0.12], [looks["arm"], top - 0.12], [looks["arm"], top], [0, top]]
        lamp = [[looks["arm"] - 0.3, top - 0.25], [looks["arm"] + 0.3, top - 0.25],
                [looks["arm"] + 0.3, top - 0.05], [looks["arm"] - 0.3, top - 0.05]]
        canvas.fill([cam.project_facing(base, arm), cam.project_facing(base, lamp)], looks["color"],
                    street.POLE)
    sign = looks["sign"]
    if sign:
        shape = [CIRCLES[20], np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * 0.85,
                 np.array([[-1, -0.7], [1, -0.7], [0, 1]])][sign["shape"]] * sign["size"] / 2
        centre = (p.x, sign["height"], z)
        canvas.fill([cam.project_facing(centre, shape)], sign["rim"], street.SIGN)
        canvas.fill([cam.project_facing(centre, shape * 0.72)], sign["face"])


def _draw_car(canvas, cam, p, z):
    """A body box and a cabin box (their projected hulls), wheels and lamps; the part nearer
    than _NEAR_CAR is cut off, exactly, since the boxes are cut along z (it is off-frame)."""
    cv2, looks, lo = _cv2(), p.looks, cam.z + _NEAR_CAR
    half_w, half_l, height = looks["width"] / 2, looks["length"] / 2, looks["height"]

    def hull(half, y0, y1, z0, z1):
        corners = np.array([[p.x + sx * half, y, max(zz, lo)] for sx in (-1, 1)
                            for y in (y0, y1) for zz in (z0, z1)])
        return [cv2.convexHull(cam.project(corners))] if z1 > lo else []

    rim = 0.32 * CIRCLES[12]
    wheels = [cam.project(np.stack([np.full(12, p.x + sx * half_w), 0.32 + rim[:, 1],
                                    z + sz * 0.33 * looks["length"] + rim[:, 0]], -1))
              if z + sz * 0.33 * looks["length"] - 0.32 > lo else None
              for sx in (-1, 1) for sz in (-1, 1)]
    near_side = 1 if cam.x > p.x else 0  # wheels on the camera's side go over the body
    tyre = (25, 25, 28)
    canvas.fill([w for w in wheels[2 - 2 * near_side:4 - 2 * near_side] if w is not None], tyre,
                street.CAR)
    canvas.fill(hull(half_w, 0.25, 0.6 * height, z - half_l, z + half_l), looks["paint"],
                street.CAR)
    cabin_z = z - (1.0 if looks["forward"] else -1.0) * 0.08 * looks["length"]
    cabin_l = looks["cabin"] * half_l
    canvas.fill(hull(0.9 * half_w, 0.6 * height, height, cabin_z - cabin_l, cabin_z + cabin_l),
                looks["glass"], street.CAR)
    canvas.fill([w for w in wheels[2 * near_side:2 * near_side + 2] if w is not None], tyre,
                street.CAR)
    end = z - half_l  # the end facing the camera: rear lights when driving away, headlights else
    lamp = (40, 40, 200) if looks["forward"] else (200, 235, 240)
    for sx in (-1, 1) if end > lo else ():
        x0 = p.x + sx * (half_w - 0.1)
        corners = np.array([[x0, 0.42 * height, end], [x0 - sx * 0.3, 0.42 * height, end],
                            [x0 - sx * 0.3, 0.52 * height, end], [x0, 0.52 * height, end]])
        canvas.fill([cam.project(corners)], lamp)


def _draw_figure(canvas, cam, p, z):
    parts, (head, radius, skin) = street.pose_figure(p, abs(z - p.z))
    facing = 1.0 if p.speed >= 0 else -1.0

    def world(local):  # local x right, y up, z forward (walking direction) -> world
        local = np.asarray(local, float)
        return np.stack([p.x + facing * local[..., 0], local[..., 1],
                         z + facing * local[..., 2]], -1)

    starts, ends = world([part[0] for part in parts]), world([part[1] for part in parts])
    depths = (starts[:, 2] + ends[:, 2]) / 2
    widths = [part[2] * cam.scale(depth) for part, depth in zip(parts, depths)]
    for a, b, width, part in zip(cam.project(starts), cam.project(ends), widths, parts):
        canvas.line(a, b, part[3], width, p.kind)
    canvas.fill([cam.project_facing(world(head), CIRCLES[12] * radius)], skin, p.kind)


def _in_view(cam, p, z):
    """Whether an object at depth z is drawn (only whole ones, never too close to the lens)."""
    if p.kind == street.CAR:
        return cam.z + _NEAR_CAR < z + p.looks["length"] / 2 and z < cam.z + street.VIEW_DEPTH
    near = _NEAR_HIGH if p.kind in (street.TREE, street.POLE) else _NEAR_PROP
    return cam.z + near < z < cam.z + street.VIEW_DEPTH


_DRAW = {street.TREE: _draw_tree, street.POLE: _draw_pole, street.CAR: _draw_car,
         street.PEDESTRIAN: _draw_figure, street.BICYCLIST: _draw_figure}


def render_frame(layout, look, t, rng, size):
    """The scene at time ``t`` (s): (HxWx3 uint8 BGR image, HxW uint8 CamVid labels)."""
    cv2 = _cv2()
    cam_z = layout.speed * t
    bounce = 0.004 * size[0] * np.sin(2 * np.pi * 1.3 * t + layout.seed % 7)
    cam = Camera(size, 0.12 * np.sin(0.5 * t + layout.seed % 5), cam_z, look.horizon + bounce)
    canvas = Canvas(size)
    rows = np.clip(np.arange(size[0], dtype=np.float32) / max(cam.cy, 1.0), 0, 1)[:, None, None]
    zenith, horizon = (np.array(c, np.float32) for c in layout.sky)
    canvas.image[:] = (zenith * (1 - rows) + horizon * rows).astype(np.uint8)
    below = np.array([[0, cam.cy], [size[1], cam.cy], [size[1], size[0]], [0, size[0]]]) * ONE
    canvas.fill([below], layout.paving, street.PAVEMENT)  # ground beyond the drawn street
    visible = [(z, p) for z, p in ((p.z_at(t), p) for p in layout.props) if _in_view(cam, p, z)]
    _draw_ground(canvas, cam, layout, visible)
    for b in sorted(layout.buildings, key=lambda b: (-abs(b.x), -b.z)):
        _draw_building(canvas, cam, b)
    for f in sorted(layout.fences, key=lambda f: -f.z):
        _draw_fence(canvas, cam, f)
    for z, p in sorted(visible, key=lambda v: -v[0]):
        _DRAW[p.kind](canvas, cam, p, z)
    image = canvas.image.astype(np.float32)
    grain = cv2.resize(rng.randn(size[0] // 3 + 1, size[1] // 3 + 1).astype(np.float32),
                       (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    image += (grain * _GRAIN[canvas.labels])[..., None]
    image *= look.light * look.gain
    image = cv2.GaussianBlur(image, (3, 3), 0.7)
    dy, dx = (rng.randint(0, n - s + 1) for n, s in zip(look.sensor.shape, size))
    image += look.sensor[dy:dy + size[0], dx:dx + size[1]]
    return np.clip(image, 0, 255).astype(np.uint8), canvas.labels
