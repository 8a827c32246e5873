"""``linknet-edge``: one console command, one verb per job.

Each verb lives in ``linknet_edge/commands/<verb>.py`` with ``add_parser(subparsers)`` and
``run(args)``; a handler converts arguments and calls one public function. This module imports
only the stdlib so that ``--help`` is fast and never pulls in torch.
"""

import argparse
import importlib
import logging
import sys

from . import __version__

__all__ = ["main", "VERBS"]

#: verb -> module under linknet_edge.commands, in the order ``--help`` lists them.
VERBS = (
    ("doctor", "doctor"),
    ("model", "model"),
    ("import", "import_weights"),
    ("train", "train"),
    ("evaluate", "evaluate"),
    ("demo", "demo"),
    ("export", "export"),
    ("verify", "verify"),
    ("quantize", "quantize"),
    ("build", "build"),
    ("run", "run"),
    ("bench", "bench"),
)


def build_parser():
    from .commands._common import PARSER_OPTIONS, add_output_options
    parser = argparse.ArgumentParser(
        prog="linknet-edge",
        description="LinkNet semantic segmentation from workstation training to TensorRT on "
                    "NVIDIA Jetson.",
        epilog="Run 'linknet-edge VERB --help' for a verb's options and examples.",
        **PARSER_OPTIONS)
    parser.add_argument("--version", action="version", version="linknet-edge " + __version__)
    add_output_options(parser)
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb, module_name in VERBS:
        module = importlib.import_module("linknet_edge.commands." + module_name)
        sub = module.add_parser(subparsers)
        sub.set_defaults(handler=module.run)
    return parser


def _configure_logging(args):
    level = logging.INFO
    if args.quiet:
        level = logging.WARNING
    elif args.verbose > 1 or args.debug:
        level = logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def main(argv=None):
    """Run the CLI; returns the exit code (0 ok, 1 a user error, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return 2
    _configure_logging(args)
    from .errors import LinkNetEdgeError
    try:
        result = args.handler(args)
    except LinkNetEdgeError as exc:
        if args.debug:
            raise
        sys.stderr.write("linknet-edge {}: error: {}\n".format(args.verb, exc))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("linknet-edge {}: interrupted\n".format(args.verb))
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
