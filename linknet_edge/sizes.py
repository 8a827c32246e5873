"""Network input sizes: parsing ``WxH`` strings and the multiple-of-32 rule. Stdlib only."""

from .errors import InputSizeError

__all__ = ["STRIDE", "parse_size", "check_size", "format_size"]

#: LinkNet downsamples five times (stem, max-pool, three strided encoder stages).
STRIDE = 32


def _round_up(value, multiple=STRIDE):
    return ((value + multiple - 1) // multiple) * multiple


def check_size(height, width, what="input"):
    """Raise ``InputSizeError`` unless ``height`` and ``width`` are positive multiples of 32."""
    if height <= 0 or width <= 0 or height % STRIDE or width % STRIDE:
        raise InputSizeError(
            "{} size {}x{} (WxH) is not a multiple of {}: use {}x{} (pad or resize to it)".format(
                what, width, height, STRIDE, max(_round_up(width), STRIDE),
                max(_round_up(height), STRIDE)))
    return height, width


def parse_size(text):
    """Parse ``"WxH"`` (or a single number for a square) into ``(height, width)``, checked."""
    parts = str(text).lower().replace("*", "x").split("x")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise InputSizeError("size {!r} is not WxH, e.g. 480x352".format(text))
    if len(numbers) == 1:
        numbers = numbers * 2
    if len(numbers) != 2:
        raise InputSizeError("size {!r} is not WxH, e.g. 480x352".format(text))
    width, height = numbers
    return check_size(height, width)


def format_size(height, width):
    """``(H, W)`` as the ``WxH`` string users type."""
    return "{}x{}".format(width, height)
