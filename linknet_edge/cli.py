"""``linknet-edge``: one console command, one verb per job.

Each verb lives in the stage package that runs it (``linknet_edge/commands/``,
``runtime/commands/``, ``export/commands/``, ``benchmarks/commands/``) as a module with
``add_parser(subparsers)`` and ``run(args)``; a handler converts arguments and calls one public
function. This module imports only the stdlib so that ``--help`` is fast and never needs torch.
"""

import argparse
import importlib
import logging
import sys

from . import __version__

__all__ = ["main", "VERBS"]

#: verb -> the module that holds it (``add_parser`` and ``run``), in ``--help`` order. Each stage
#: package owns its verbs; named as strings, so this dispatcher imports nothing above itself.
VERBS = (
    ("doctor", "linknet_edge.runtime.commands.doctor"),
    ("model", "linknet_edge.commands.model"),
    ("import", "linknet_edge.commands.import_weights"),
    ("train", "linknet_edge.commands.train"),
    ("evaluate", "linknet_edge.runtime.commands.evaluate"),
    ("demo", "linknet_edge.benchmarks.commands.demo"),
    ("export", "linknet_edge.export.commands.export"),
    ("verify", "linknet_edge.export.commands.verify"),
    ("quantize", "linknet_edge.export.commands.quantize"),
    ("build", "linknet_edge.export.commands.build"),
    ("deploy", "linknet_edge.export.commands.deploy"),
    ("run", "linknet_edge.runtime.commands.run"),
    ("bench", "linknet_edge.benchmarks.commands.bench"),
)


def build_parser():
    from .arguments import PARSER_OPTIONS, add_output_options
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
        module = importlib.import_module(module_name)
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
    from .threads import prefer_passive_openmp
    prefer_passive_openmp()  # before any verb imports torch: see linknet_edge/threads.py
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
