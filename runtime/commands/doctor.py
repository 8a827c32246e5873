"""``linknet-edge doctor``: what this machine has and what of the toolkit can run on it."""

from linknet_edge.arguments import add_verb


def add_parser(subparsers):
    parser = add_verb(subparsers, "doctor", "report versions, GPU, Jetson release and capabilities",
                      ["linknet-edge doctor", "linknet-edge doctor --json > environment.json"])
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def run(args):
    import json
    from ..doctor import diagnose, format_diagnosis
    env = diagnose()
    print(json.dumps(env, indent=2) if args.json else format_diagnosis(env))
    return 0
