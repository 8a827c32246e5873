"""``linknet-edge demo``: train, export, verify, segment a clip and benchmark, with no download."""

from linknet_edge.arguments import add_verb, positive_int, seed_type, size_type


def add_parser(subparsers):
    parser = add_verb(subparsers, "demo", "run the whole toolkit on synthetic street scenes", [
        "linknet-edge demo                                   # synthetic data, a few minutes",
        "linknet-edge demo --out /tmp/demo --epochs 4 --size 160x128",
        "linknet-edge demo --data-root ../shared/data/camvid --limit 48   # real CamVid"],
        description="Make a labelled synthetic street dataset, train LinkNet on it briefly, "
                    "export and verify ONNX, segment a driving clip into an overlay video and "
                    "compare PyTorch with ONNX Runtime. Ends with a table and the paths written.")
    parser.add_argument("--out", default="linknet-edge-demo", metavar="DIR",
                        help="output folder [linknet-edge-demo]")
    parser.add_argument("--data-root", metavar="DIR",
                        help="a CamVid root (SegNet layout) instead of synthetic [synthetic]")
    parser.add_argument("--size", type=size_type, default=(160, 224), metavar="WxH",
                        help="network input WxH [224x160]")
    parser.add_argument("--epochs", type=positive_int, default=20, help="training epochs [20]")
    parser.add_argument("--frames", type=positive_int, default=45, metavar="N",
                        help="synthetic clip frames to segment [45]")
    parser.add_argument("--limit", type=positive_int, metavar="N",
                        help="use only the first N frames of each split [all]")
    parser.add_argument("--seed", type=seed_type, default=0, help="data and training seed [0]")
    return parser


def run(args):
    from ..demo import run_demo
    result = run_demo(args.out, args.data_root, args.size, args.epochs, args.frames, args.limit,
                      args.seed)
    print(result.format())
    return 0
