"""Synthetic labelled street scenes, so the toolkit runs end to end with no download.

A seeded street (``street``) with the 11 CamVid classes is drawn in perspective
(``scene``, drawn on ``canvas``); the camera drives along it, so a clip looks like driving. Images are HWC
uint8 BGR (as OpenCV reads frames), labels HW uint8 CamVid indices (0 Sky .. 10 Bicyclist).
The same seed gives the same pixels, and a longer clip of a seed starts with the shorter one.
``write_dataset`` writes the CamVid SegNet layout the CamVid reader reads; ``write_clip`` writes
an mp4 with one label PNG per frame. numpy and OpenCV only.
"""

from ..camvid import CAMVID_CLASSES, CAMVID_VOID as VOID
from .clip import DEFAULT_SIZE, render_clip, render_scene
from .writers import DEFAULT_COUNTS, write_classes_csv, write_clip, write_dataset

__all__ = ["render_scene", "render_clip", "write_dataset", "write_clip", "write_classes_csv",
           "CLASS_NAMES", "VOID", "DEFAULT_SIZE", "DEFAULT_COUNTS"]

#: The 11 CamVid class names the scenes are labelled with (index order); ``VOID`` is 11.
CLASS_NAMES = tuple(name for name, _ in CAMVID_CLASSES)
