"""Rendering synthetic clips and scenes: the seeded street drawn frame by frame. numpy/OpenCV."""

from ...errors import InputSizeError
from ...sizes import format_size
from .scene import SceneLook, render_frame
from .street import StreetLayout

__all__ = ["render_scene", "render_clip", "check_scene_size", "DEFAULT_SIZE"]

DEFAULT_SIZE = (360, 480)  # (H, W) of CamVid frames


def check_scene_size(size):
    """(H, W) as ints, or ``InputSizeError`` below 32x32."""
    height, width = (int(v) for v in size)
    if height < 32 or width < 32:
        raise InputSizeError("synthetic scene size {} (WxH) is too small: use at least "
                             "32x32".format(format_size(height, width)))
    return height, width


def render_clip(seed, num_frames, size=DEFAULT_SIZE, fps=15.0):
    """An iterator over ``num_frames`` (image BGR HxWx3 uint8, labels HxW uint8) of one drive."""
    size, num_frames, fps = check_scene_size(size), int(num_frames), float(fps)
    if num_frames < 1 or fps <= 0:
        raise ValueError("render_clip needs num_frames >= 1 and fps > 0")
    layout = StreetLayout(seed, duration=num_frames / fps)
    look = SceneLook(layout.stream(layout.LOOK_STREAM), size)
    return (render_frame(layout, look, i / fps, layout.stream(layout.FRAME_STREAM + i), size)
            for i in range(num_frames))


def render_scene(seed, size=DEFAULT_SIZE):
    """One street scene: (image BGR HxWx3 uint8, labels HxW uint8); the first frame of a clip."""
    return next(render_clip(seed, 1, size))
