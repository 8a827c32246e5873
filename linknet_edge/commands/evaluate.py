"""``linknet-edge evaluate``: score a checkpoint on a dataset split."""

from ._common import add_labelled_split, add_verb, size_type

__all__ = ["add_parser", "run"]


def add_parser(subparsers):
    parser = add_verb(subparsers, "evaluate", "score a checkpoint on a dataset split (IoU, iIoU)", [
        "linknet-edge evaluate runs/camvid/best.pt --dataset camvid --data-root data/CamVid "
        "--split test",
        "linknet-edge evaluate best.pt --dataset cityscapes --data-root data/cityscapes "
        "--split val --size 1024x512 --cache-dir /tmp/cs-cache --json val.json",
    ])
    add_labelled_split(parser)
    parser.add_argument("--size", type=size_type, default=None, metavar="WxH",
                        help="read, run and score at this size (default: run at the model's "
                             "input size, score at the labels' full resolution)")
    parser.add_argument("--batch-size", type=int, default=4, help="frames per forward pass")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N frames")
    parser.add_argument("--cache-dir", "--cache", dest="cache", default=None, metavar="DIR",
                        help="resize cache folder (needs --size)")
    parser.add_argument("--device", default=None, help="torch device (default: cuda if present)")
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the report")
    return parser


def run(args):
    from ..evaluation import evaluate_checkpoint
    from ..metrics import format_table
    report = evaluate_checkpoint(args.checkpoint, args.dataset, args.data_root, args.split,
                                 size=args.size, batch_size=args.batch_size, out_json=args.json,
                                 cache_dir=args.cache, limit=args.limit, device=args.device)
    print("{} on {} {} ({} frames)".format(args.checkpoint, args.dataset, args.split,
                                            report["frames"]))
    print(format_table(report["metrics"], report["class_names"]))
    return 0
