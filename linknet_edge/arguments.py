"""Argument helpers shared by the verbs."""

import argparse

__all__ = ["add_verb", "add_output_options", "size_type", "whole_number", "add_labelled_split",
           "DATASET_KINDS"]

#: The dataset layouts ``linknet_edge.data.open_dataset`` reads (kept here: no numpy at --help).
DATASET_KINDS = ("camvid", "camvid32", "cityscapes", "folder")


def add_output_options(parser, in_verb=False):
    """-v/-q/--debug. A verb repeats them (defaults suppressed, so the top-level values stand
    unless given) so that ``linknet-edge run ... -q`` works as well as ``linknet-edge -q run``."""
    def default(value):
        return argparse.SUPPRESS if in_verb else value
    parser.add_argument("-v", "--verbose", action="count", default=default(0),
                        help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", default=default(False),
                        help="only warnings and errors")
    parser.add_argument("--debug", action="store_true", default=default(False),
                        help="show the full traceback for every error")


def add_verb(subparsers, name, help_text, examples, description=None):
    """A sub-parser whose help ends with an Examples block."""
    epilog = "examples:\n" + "\n".join("  " + line for line in examples)
    parser = subparsers.add_parser(
        name, help=help_text, description=description or help_text, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_output_options(parser, in_verb=True)
    return parser


def size_type(text):
    """argparse type for ``WxH``: returns (H, W) or fails with the multiple-of-32 hint."""
    from .errors import InputSizeError
    from .sizes import parse_size
    try:
        return parse_size(text)
    except InputSizeError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def whole_number(least=0):
    """An argparse type for a whole number >= ``least``, refused with the value it got."""
    def parse(text):
        if not text.isdigit() or int(text) < least:
            raise argparse.ArgumentTypeError("expected a whole number >= {}, got {!r}".format(
                least, text))
        return int(text)
    return parse


def add_labelled_split(parser, model="checkpoint",
                       model_help="a .pt checkpoint written by linknet-edge train"):
    """The model and the labelled split a verb scores: MODEL --dataset --data-root --split."""
    parser.add_argument(model, help=model_help)
    parser.add_argument("--dataset", required=True, choices=DATASET_KINDS,
                        help="dataset layout (see docs/datasets.md)")
    parser.add_argument("--data-root", required=True, metavar="DIR", help="the dataset folder")
    parser.add_argument("--split", default="val", help="labelled split to score (default: val)")
