"""The layout and motion of one synthetic street, in metres, drawn from a seeded generator.

World axes: x to the right, y up from the ground, z forward along the street. The camera starts
at z = 0 in the middle of its lane and drives toward +z at ``StreetLayout.speed`` m/s. Every
object keeps its parameters for the whole clip; only positions change with time, so a clip of
one street is consistent from frame to frame. ``scene`` draws it. numpy only.
"""

import numpy as np

__all__ = ["StreetLayout", "Prop", "pose_figure", "SKY", "BUILDING", "POLE", "ROAD", "PAVEMENT",
           "TREE", "SIGN", "FENCE", "CAR", "PEDESTRIAN", "BICYCLIST", "VOID"]

# CamVid (SegNet, 11 classes) indices; 11 is void.
SKY, BUILDING, POLE, ROAD, PAVEMENT, TREE, SIGN, FENCE, CAR, PEDESTRIAN, BICYCLIST, VOID = range(12)

#: how far ahead of the camera the street is laid out and drawn (m)
VIEW_DEPTH = 150.0
_LANE = 3.3
# Base colours (BGR) per material; each scene and object jitters them, and several overlap
# across classes (grey cars on grey roads, beige walls and pavements) so colour alone is not enough.
_SKIES = (((235, 200, 150), (250, 230, 205)), ((205, 200, 195), (235, 232, 228)),
          ((190, 210, 235), (215, 235, 250)), ((150, 120, 100), (200, 190, 185)))
_WALLS = ((70, 90, 150), (150, 180, 205), (150, 150, 150), (205, 215, 220), (60, 80, 110),
          (120, 130, 140), (110, 150, 190))
_GREENS = ((40, 110, 70), (50, 90, 60), (60, 130, 110), (40, 80, 90), (30, 120, 130))
_PAINTS = ((40, 40, 40), (200, 200, 200), (160, 160, 165), (40, 40, 170), (150, 80, 30),
           (220, 220, 225), (60, 110, 60), (90, 90, 95), (30, 150, 200), (100, 40, 40))
_CLOTHES = ((40, 40, 40), (120, 60, 30), (70, 70, 140), (150, 150, 150), (30, 30, 100),
            (200, 200, 200), (60, 100, 60), (140, 110, 60), (90, 60, 110))


def jitter(rng, color, amount=18):
    """A BGR colour near ``color``."""
    return tuple(int(np.clip(c + rng.randint(-amount, amount + 1), 0, 255)) for c in color)


def pick(rng, colors, amount=18):
    """A BGR colour near one of ``colors``."""
    return jitter(rng, colors[rng.randint(len(colors))], amount)


class Prop(object):
    """One object of the street: a class label, a place (x, z), a speed along z and its looks."""

    def __init__(self, kind, x, z, speed=0.0, **looks):
        self.kind, self.x, self.z, self.speed = kind, float(x), float(z), float(speed)
        self.looks = looks

    def z_at(self, t):
        return self.z + self.speed * t


class StreetLayout(object):
    """A street long enough for the camera to drive ``duration`` seconds along it."""

    def __init__(self, seed, duration=0.0):
        # One generator per kind of object, so a longer clip of the same seed lays out the same
        # street (plus more of it): its first frames equal the shorter clip's.
        self.seed = int(seed) % 2 ** 32
        rng = self.stream(0)
        self.speed = rng.uniform(6.0, 11.0)
        self.length = self.speed * duration + VIEW_DEPTH + 14.0 * duration + 20.0
        left_shoulder = rng.uniform(0.5, 3.6)
        parking = 2.4 if rng.rand() < 0.6 else 0.3
        self.parking = (left_shoulder > 2.9, parking > 1.0)
        self.road = (-_LANE / 2 - left_shoulder, 1.5 * _LANE + parking)
        self.walls = (self.road[0] - rng.uniform(2.5, 5.5), self.road[1] + rng.uniform(2.5, 5.5))
        self.backs = (self.walls[0] - rng.uniform(8, 25), self.walls[1] + rng.uniform(8, 25))
        self.sky = tuple(jitter(rng, c, 12) for c in _SKIES[rng.randint(len(_SKIES))])
        grey = rng.randint(60, 125)
        self.asphalt = jitter(rng, (grey + 5, grey, grey), 8)
        self.paving = pick(rng, [(150, 150, 150), (130, 150, 175), (120, 120, 130)])
        self.marking = jitter(rng, (215, 220, 220), 20)
        # painted lines (x from, x to, dashed): the centre line, our lane's edge, the parking lane's
        self.lines = [(_LANE / 2 - 0.07, _LANE / 2 + 0.07, True),
                      (-_LANE / 2 - 0.07, -_LANE / 2 + 0.05, False)]
        if self.parking[1]:
            self.lines.append((1.5 * _LANE - 0.05, 1.5 * _LANE + 0.07, False))
        self.buildings, self.fences, self.props = [], [], []
        for side in (0, 1):
            self._add_buildings(self.stream(1 + side), self.backs[side], 0.0, 6, 0.0, (8, 28))
            self._add_buildings(self.stream(3 + side), self.walls[side],
                                self.backs[side] - self.walls[side], 4, 0.35, (6, 22))
            self._add_fences(self.stream(5 + side), side)
            self._add_kerb_props(self.stream(7 + side), side)
            self._add_people(self.stream(9 + side), side)
        self._add_cars()
        self._add_cyclists(self.stream(12))

    #: stream numbers of the lighting and of frame i's noise (FRAME_STREAM + i); below 100: objects
    LOOK_STREAM, FRAME_STREAM = 100, 1000

    def stream(self, index):
        """The seeded generator for one part of the scene."""
        return np.random.RandomState([self.seed, index])

    def _add_buildings(self, rng, x, depth, min_width, gap_chance, heights):
        """A row of facades at x with gaps; ``depth``: how far (signed) their end walls reach."""
        z = -5.0 - rng.uniform(0, 10)
        while z < self.length:
            width = rng.uniform(min_width, 22)
            if rng.rand() >= gap_chance:
                self.buildings.append(Prop(
                    BUILDING, x, z, z1=z + width, height=rng.uniform(*heights),
                    color=pick(rng, _WALLS, 25), glass=jitter(rng, (80, 70, 60), 30),
                    floor=rng.uniform(2.8, 3.6), bay=rng.uniform(2.0, 3.5),
                    window=(rng.uniform(0.3, 0.7), rng.uniform(0.35, 0.6)),
                    shop=rng.rand() < 0.5, depth=depth))
            z += width + (rng.uniform(1.0, 6.0) if gap_chance else 0.0)

    def _add_fences(self, rng, side):
        step = 1 if side else -1
        z = rng.uniform(-5, 20)
        while z < self.length:
            length = rng.uniform(5, 25)
            self.fences.append(Prop(
                FENCE, self.walls[side] - step * rng.uniform(0.3, 1.0), z, z1=z + length,
                height=rng.uniform(0.9, 1.6), solid=rng.rand() < 0.35,
                bar=rng.uniform(0.12, 0.3), color=pick(rng, _PAINTS, 25)))
            z += length + rng.uniform(10, 50)

    def _add_kerb_props(self, rng, side):
        """Trees and poles (some with signs or lamp arms) near the kerb."""
        step = 1 if side else -1
        z = rng.uniform(-2, 8)
        while z < self.length:
            x = self.road[side] + step * rng.uniform(0.4, 1.0)
            if rng.rand() < 0.55:
                radius = rng.uniform(1.2, 2.6)
                self.props.append(Prop(
                    TREE, x, z, trunk=rng.uniform(0.2, 0.4), crown=radius,
                    base=rng.uniform(1.8, 3.5), lumps=1.0 + 0.15 * rng.uniform(-1, 1, 16),
                    bark=jitter(rng, (40, 60, 80), 15), leaves=pick(rng, _GREENS, 20),
                    blobs=rng.uniform(-0.35, 0.35, (6, 2)), shades=rng.uniform(0.6, 1.35, 6)))
            else:
                sign = None
                if rng.rand() < 0.8:
                    sign = dict(shape=rng.randint(3), size=rng.uniform(0.6, 1.1),
                                height=rng.uniform(2.0, 3.0),
                                face=pick(rng, [(40, 40, 200), (170, 90, 20), (220, 220, 220),
                                                (30, 200, 230)], 20),
                                rim=jitter(rng, (235, 235, 235), 15))
                self.props.append(Prop(
                    POLE, x, z, width=rng.uniform(0.1, 0.22), height=rng.uniform(3.5, 8.0),
                    arm=-step * rng.uniform(1.0, 2.5) if rng.rand() < 0.4 else 0.0,
                    color=pick(rng, [(90, 90, 90), (40, 60, 40), (50, 50, 55)], 20),
                    sign=sign))
            z += rng.uniform(5, 16)

    def _add_people(self, rng, side):
        low, high = sorted((self.road[side], self.walls[side]))
        z, near = 40.0, rng.randint(1, 5)  # a few close to the camera, then every 5-30 m
        while z < self.length:
            self.props.append(Prop(
                PEDESTRIAN, rng.uniform(low + 0.5, high - 0.5), rng.uniform(6, 35) if near else z,
                speed=rng.choice((-1, 1)) * rng.uniform(0.7, 1.6), height=rng.uniform(1.55, 1.9),
                phase=rng.uniform(0, 6.3), legs=pick(rng, _CLOTHES), shirt=pick(rng, _CLOTHES, 30),
                skin=pick(rng, [(120, 150, 200), (70, 100, 140), (50, 70, 100)])))
            if near:
                near -= 1
            else:
                z += rng.uniform(5, 30)

    def _car(self, x, z, speed, rng):
        return Prop(CAR, x, z, speed=speed, length=rng.uniform(3.8, 4.9),
                    width=rng.uniform(1.65, 1.95), height=rng.uniform(1.35, 1.75),
                    cabin=rng.uniform(0.45, 0.65), paint=pick(rng, _PAINTS, 20),
                    glass=jitter(rng, (60, 50, 45), 15),
                    forward=speed >= 0 if speed else rng.rand() < 0.5)

    def _add_cars(self):
        rng = self.stream(11)
        for _ in range(rng.randint(1, 4)):  # ahead in our lane, pulling away
            self.props.append(self._car(rng.uniform(-0.3, 0.3), rng.uniform(12, 70),
                                        self.speed + rng.uniform(0.2, 3.0), rng))
        rng = self.stream(14)
        z = rng.uniform(10, 40)
        while z < self.length:  # oncoming lane
            x = _LANE + rng.uniform(-0.3, 0.3)
            self.props.append(self._car(x, z, -rng.uniform(6, 13), rng))
            z += rng.uniform(10, 45)
        for side in (0, 1):
            if not self.parking[side]:
                continue
            rng = self.stream(15 + side)
            z = rng.uniform(5, 20)
            while z < self.length:  # parked
                if rng.rand() < 0.85:
                    self.props.append(self._car(self.road[side] + (1.0 if side == 0 else -1.0),
                                                z, 0.0, rng))
                z += rng.uniform(5.2, 12)

    def _add_cyclists(self, rng):
        z = rng.uniform(8, 25)
        while z < self.length:  # just left of our lane, clear of cars parked on the left
            self.props.append(Prop(
                BICYCLIST, -_LANE / 2 - rng.uniform(0.25, 0.45), z, speed=rng.uniform(3.0, 6.5),
                phase=rng.uniform(0, 6.3), frame=pick(rng, _PAINTS, 25),
                shirt=pick(rng, _CLOTHES, 30), legs=pick(rng, _CLOTHES),
                helmet=pick(rng, _PAINTS, 25)))
            z += rng.uniform(25, 80)


def pose_figure(p, distance):
    """Limbs of a pedestrian or cyclist ``distance`` m into its way: (start, end, width m, colour)
    in local metres (x right, y up, z forward), and the head (centre, radius, colour)."""
    looks = p.looks
    parts = []
    if p.kind == PEDESTRIAN:
        h = looks["height"]
        swing = 0.45 * np.sin(looks["phase"] + distance * 2 * np.pi / (0.75 * h))
        hip, shoulder = 0.5 * h, 0.81 * h
        for side in (-1, 1):
            foot = (side * 0.1, 0.05, side * swing * 0.5 * h * 0.8)
            hand = (side * 0.24, 0.45 * h, -side * swing * 0.3 * h)
            parts += [((side * 0.1, hip, 0), foot, 0.14, looks["legs"]),
                      ((side * 0.2, shoulder, 0), hand, 0.09, looks["shirt"])]
        parts.append(((0, hip - 0.05, 0), (0, shoulder, 0), 0.36, looks["shirt"]))
        return parts, ((0, 0.92 * h, 0), 0.11, looks["skin"])
    crank = looks["phase"] + distance * np.pi / 2.1
    angles = np.linspace(0, 2 * np.pi, 14, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], -1) * 0.34
    for hub in (-0.52, 0.52):
        points = [(0, 0.34 + dy, hub + dz) for dz, dy in ring]
        parts += [(a, b, 0.05, (30, 30, 30)) for a, b in zip(points, points[1:] + points[:1])]
    seat, bar, bottom = (0, 0.95, -0.22), (0, 1.02, 0.42), (0, 0.36, 0.0)
    parts += [((0, 0.34, -0.52), seat, 0.05, looks["frame"]), (seat, bar, 0.05, looks["frame"]),
              ((0, 0.34, 0.52), bar, 0.05, looks["frame"]), (bottom, seat, 0.05, looks["frame"]),
              ((0, 0.34, -0.52), bottom, 0.05, looks["frame"])]
    for side in (-1, 1):
        pedal = (side * 0.14, 0.36 + 0.17 * np.cos(crank + (side + 1) * np.pi / 2),
                 0.17 * np.sin(crank + (side + 1) * np.pi / 2))
        parts += [((side * 0.12, 1.0, -0.18), pedal, 0.13, looks["legs"]),
                  ((side * 0.2, 1.5, 0.1), (side * 0.25, 1.04, 0.42), 0.08, looks["shirt"])]
    parts.append(((0, 0.98, -0.2), (0, 1.52, 0.1), 0.36, looks["shirt"]))
    return parts, ((0, 1.68, 0.22), 0.13, looks["helmet"])
