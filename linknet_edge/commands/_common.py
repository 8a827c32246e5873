"""Argument helpers shared by the verbs."""

import argparse

__all__ = ["add_verb", "size_type"]


def add_verb(subparsers, name, help_text, examples, description=None):
    """A sub-parser whose help ends with an Examples block."""
    epilog = "examples:\n" + "\n".join("  " + line for line in examples)
    return subparsers.add_parser(
        name, help=help_text, description=description or help_text, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter)


def size_type(text):
    """argparse type for ``WxH``: returns (H, W) or fails with the multiple-of-32 hint."""
    from ..errors import InputSizeError
    from ..sizes import parse_size
    try:
        return parse_size(text)
    except InputSizeError as exc:
        raise argparse.ArgumentTypeError(str(exc))
