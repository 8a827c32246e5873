"""CLI verbs of this stage: one module per verb with ``add_parser(subparsers)`` and ``run(args)``."""
