"""Argument helpers shared by the verbs."""

import argparse
import logging
import math
import sys

__all__ = ["add_verb", "add_output_options", "size_type", "add_labelled_split", "DATASET_KINDS",
           "PARSER_OPTIONS", "positive_int", "non_negative_int", "positive_float",
           "non_negative_float", "fraction", "seed_type", "device_type", "add_dataset_option",
           "add_deprecated_alias", "ExtendAction"]

logger = logging.getLogger(__name__)

#: Keyword arguments of every parser: no abbreviated long options (``--epoch`` must not pass for
#: ``--epochs``). Python < 3.8 keeps them: there allow_abbrev=False also breaks ``-vv``
#: (bpo-26967).
PARSER_OPTIONS = {"allow_abbrev": False} if sys.version_info >= (3, 8) else {}

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
        formatter_class=argparse.RawDescriptionHelpFormatter, **PARSER_OPTIONS)
    add_output_options(parser, in_verb=True)
    return parser


class ExtendAction(argparse.Action):
    """argparse's ``extend`` (3.8+) on 3.6: with ``nargs="+"``, ``--size A B --size C`` gives
    [A, B, C] (``append`` would nest lists, ``store`` keep only the last)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, list(getattr(namespace, self.dest, None) or []) + values)


class _DeprecatedAlias(argparse.Action):
    """An old spelling: warns once per parser, then does what its ``target`` action does."""

    def __init__(self, option_strings, dest, target=None, **kwargs):
        super(_DeprecatedAlias, self).__init__(option_strings, dest, **kwargs)
        self.target, self.warned = target, False

    def __call__(self, parser, namespace, values, option_string=None):
        if not self.warned:
            self.warned = True
            new = [o for o in self.target.option_strings if o.startswith("--")][0]
            logger.warning("%s is deprecated, use %s", option_string, new)
        self.target(parser, namespace, values, option_string)


def add_deprecated_alias(parser, old, new):
    """Keep the old option name ``old`` (hidden from --help) for ``new``, the action that
    ``parser.add_argument`` returned: same dest, type, nargs and choices, and a warning."""
    return parser.add_argument(old, action=_DeprecatedAlias, target=new, dest=new.dest,
                               nargs=new.nargs, type=new.type, choices=new.choices,
                               metavar=new.metavar, default=argparse.SUPPRESS,
                               help=argparse.SUPPRESS)


def size_type(text):
    """argparse type for ``WxH``: returns (H, W) or fails with the multiple-of-32 hint."""
    from .errors import InputSizeError
    from .sizes import parse_size
    try:
        return parse_size(text)
    except InputSizeError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _number(convert, text, lowest, inclusive, highest=None):
    """``convert(text)`` if finite, >= (or >) ``lowest`` and <= ``highest``; else the reason."""
    kind = "a whole number" if convert is int else "a number"
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError("{!r} is not {}".format(text, kind))
    if highest is not None:
        if not (math.isfinite(value) and lowest <= value <= highest):
            raise argparse.ArgumentTypeError("{!r}: must be {} from {} to {}".format(
                text, kind, lowest, highest))
    elif not math.isfinite(value) or value < lowest or (value == lowest and not inclusive):
        raise argparse.ArgumentTypeError("{!r}: must be {} {} {}".format(
            text, "a whole number" if convert is int else "a finite number",
            ">=" if inclusive else ">", lowest))
    return value


def positive_int(text):
    """argparse type: a whole number >= 1."""
    return _number(int, text, 1, True)


def non_negative_int(text):
    """argparse type: a whole number >= 0."""
    return _number(int, text, 0, True)


def positive_float(text):
    """argparse type: a finite number > 0 (refuses nan and inf)."""
    return _number(float, text, 0.0, False)


def non_negative_float(text):
    """argparse type: a finite number >= 0."""
    return _number(float, text, 0.0, True)


def fraction(text):
    """argparse type: a number from 0 to 1 (an opacity, a share of pixels)."""
    return _number(float, text, 0, True, highest=1)


def seed_type(text):
    """argparse type: a random seed, a whole number from 0 to 2**32 - 1 (numpy's range)."""
    return _number(int, text, 0, True, highest=2 ** 32 - 1)


def device_type(text):
    """argparse type for ``--device``: auto, cpu, cuda or cuda:N (checked without torch)."""
    from .devices import check_device_name
    try:
        return check_device_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def add_dataset_option(parser, default="camvid"):
    """``--dataset``: the layout of the folder ``--data-root`` names, the same choices and
    default in every verb (``train`` applies its default itself, after ``--resume``)."""
    return parser.add_argument("--dataset", choices=DATASET_KINDS, default=default,
                               metavar="KIND",
                               help="layout of --data-root: {} (docs/datasets.md) [camvid]"
                                    .format(", ".join(DATASET_KINDS)))


def add_labelled_split(parser, model="checkpoint",
                       model_help="a .pt checkpoint written by linknet-edge train"):
    """The model and the labelled split a verb scores: MODEL --dataset --data-root --split."""
    parser.add_argument(model, help=model_help)
    add_dataset_option(parser)
    parser.add_argument("--data-root", required=True, metavar="DIR", help="the dataset folder")
    parser.add_argument("--split", default="val", help="labelled split to score [val]")
