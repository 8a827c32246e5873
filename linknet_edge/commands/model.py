"""``linknet-edge model``: architecture summary (parameters, GMACs, output shape)."""

from ..arguments import add_verb, positive_int, size_type


def add_parser(subparsers):
    parser = add_verb(subparsers, "model", "show an architecture's parameters, GMACs and shapes", [
        "linknet-edge model                          # LinkNet, 11 classes, 480x352",
        "linknet-edge model --arch linknet-res-dec --classes 19 --size 1024x512",
        "linknet-edge model --list                   # every registered architecture",
        "linknet-edge model --checkpoint runs/camvid/best.pt --json"])
    parser.add_argument("--arch", default="linknet", help="registry name [linknet]")
    parser.add_argument("--classes", type=positive_int, default=11, help="number of classes [11]")
    parser.add_argument("--size", type=size_type, default=(352, 480), metavar="WxH",
                        help="input WxH, multiples of 32 [480x352]")
    parser.add_argument("--checkpoint", help="summarise the model of this checkpoint instead "
                                             "[none]")
    parser.add_argument("--list", action="store_true", help="list the architectures and exit")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def run(args):
    from ..model_report import describe_model
    print(describe_model(args.arch, args.classes, args.size, checkpoint=args.checkpoint,
                         list_only=args.list, as_json=args.json))
    return 0
