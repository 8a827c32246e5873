"""``linknet-edge evaluate``: score a model file (.pt, .onnx, .engine) on a dataset split."""

from linknet_edge.arguments import (add_deprecated_alias, add_labelled_split, add_verb,
                                    device_type, positive_int, size_type)

__all__ = ["add_parser", "run"]


def add_parser(subparsers):
    parser = add_verb(subparsers, "evaluate", "score a checkpoint, ONNX file or engine on a dataset "
                      "split (IoU, iIoU)", [
        "linknet-edge evaluate runs/camvid/best.pt --dataset camvid --data-root data/CamVid "
        "--split test",
        "linknet-edge evaluate model_fp16.engine --dataset camvid --data-root data/CamVid  "
        "# on the Jetson, no torch",
        "linknet-edge evaluate best.pt --dataset cityscapes --data-root data/cityscapes "
        "--split val --size 1024x512 --cache-dir /tmp/cs-cache --json val.json",
    ])
    add_labelled_split(parser, "model", ".pt checkpoint, .onnx file or .engine (the spec is "
                                        "inside each)")
    parser.add_argument("--size", type=size_type, default=None, metavar="WxH",
                        help="read, run and score at this size [run at the model's input "
                             "size, score at the labels' full resolution]")
    parser.add_argument("--batch-size", type=positive_int, default=4, metavar="N",
                        help="frames per inference call [4]")
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N",
                        help="score only the first N frames [all]")
    cache = parser.add_argument("--cache-dir", default=None, metavar="DIR",
                                help="resize cache folder (needs --size) [none]")
    add_deprecated_alias(parser, "--cache", cache)
    parser.add_argument("--backend", default=None, choices=("pytorch", "onnxruntime", "tensorrt"),
                        help="backend to run it on [the file's suffix decides]")
    parser.add_argument("--device", type=device_type, default=None, help="torch device for .pt files [cuda if "
                                                       "present]")
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the report "
                                                                     "[none]")
    return parser


def run(args):
    from linknet_edge.metrics import format_table
    from ..evaluation import evaluate_model
    report = evaluate_model(args.model, args.dataset, args.data_root, args.split,
                            size=args.size, batch_size=args.batch_size, out_json=args.json,
                            cache_dir=args.cache_dir, limit=args.limit, backend=args.backend,
                            device=args.device)
    print("{} ({}, {}) on {} {} ({} frames)".format(args.model, report["backend"],
                                                    report["precision"], args.dataset,
                                                    args.split, report["frames"]))
    print(format_table(report["metrics"], report["class_names"]))
    return 0
