"""``linknet-edge bench``: latency/FPS of model files, accuracy of every backend vs PyTorch."""

from linknet_edge.arguments import (ExtendAction, add_deprecated_alias, add_labelled_split,
                                    add_verb, non_negative_float, non_negative_int,
                                    positive_int, size_type)

__all__ = ["add_parser", "run"]


def _add_latency(commands):
    parser = add_verb(commands, "latency", "time model files on each backend (ms, FPS, power)", [
        "linknet-edge bench latency model.onnx best.pt --iters 100",
        "linknet-edge bench latency best.pt --size 480x352 --size 960x704 --backend pytorch",
        "linknet-edge bench latency model_fp16.engine --out bench/jetson   # on the Jetson",
    ])
    parser.add_argument("models", nargs="+", metavar="MODEL",
                        help=".pt checkpoints, .onnx files or .engine files; exit 1 unless "
                             "every one runs")
    parser.add_argument("--size", type=size_type, nargs="+", action=ExtendAction, default=None,
                        metavar="WxH",
                        help="input sizes to time, repeatable (exported files only run at the "
                             "size they were exported at) [each model's own]")
    batch = parser.add_argument("--batch-size", type=positive_int, default=1, metavar="N",
                                help="frames per inference call [1]")
    add_deprecated_alias(parser, "--batch", batch)
    parser.add_argument("--warmup", type=non_negative_int, default=10, metavar="N",
                        help="untimed runs first [10]")
    parser.add_argument("--iters", type=positive_int, default=50, metavar="N", help="timed runs [50]")
    parser.add_argument("--backend", nargs="+", action=ExtendAction, default=None,
                        metavar="NAME[:TARGET]",
                        help="backends to use, repeatable, e.g. onnxruntime, onnxruntime:cuda, "
                             "pytorch:cuda, tensorrt [the one each file's suffix implies]")
    parser.add_argument("--out", default="bench-results", metavar="DIR",
                        help="folder for latency.json/.csv/.md and the plots [bench-results]")


def _add_accuracy(commands):
    parser = add_verb(commands, "accuracy", "mIoU, agreement and speed of every backend and "
                      "precision against the given model file", [
                          "linknet-edge bench accuracy best.pt --dataset camvid --data-root "
                          "data/CamVid --split val --size 480x352",
                          "linknet-edge bench accuracy best.pt --dataset camvid --data-root "
                          "data/CamVid --backend onnxruntime --max-miou-drop 1",
                          "linknet-edge bench accuracy model_fp16.engine --dataset camvid "
                          "--data-root data/CamVid   # on the Jetson, no torch",
                      ])
    add_labelled_split(parser, "model", ".pt checkpoint (reference: PyTorch FP32), .onnx file "
                                        "or .engine (reference: that file, torch-free)")
    parser.add_argument("--size", type=size_type, default=None, metavar="WxH",
                        help="network input size to export and run at (a checkpoint only) "
                             "[the model's]")
    backend = parser.add_argument(
        "--backend", nargs="+", action=ExtendAction, default=None, metavar="NAME",
        help="backends (pytorch, onnxruntime, tensorrt) or variants (onnxruntime-int8, ...), "
             "repeatable; exit 1 unless every one named runs; the model file itself always "
             "runs as the reference [all the file derives, exit 1 only if none runs]")
    add_deprecated_alias(parser, "--backends", backend)
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N",
                        help="score only the first N frames [all]")
    parser.add_argument("--calib-count", type=positive_int, default=32, metavar="N",
                        help="INT8 calibration images, spread over the train split [32]")
    parser.add_argument("--min-miou", type=non_negative_float, default=None, metavar="PERCENT",
                        help="fail (exit 1) if any variant's mIoU is below this, in percent "
                             "[no floor]")
    parser.add_argument("--max-miou-drop", type=non_negative_float, default=None, metavar="POINTS",
                        help="fail (exit 1) if any variant loses more mIoU points than this "
                             "against the reference (the given file) [no floor]")
    parser.add_argument("--out", default="bench-results", metavar="DIR",
                        help="folder for the exported models, accuracy.json/.csv/.md and plots "
                             "[bench-results]")


def add_parser(subparsers):
    parser = add_verb(subparsers, "bench", "benchmarks: latency/FPS/power and accuracy per "
                      "backend", [
                          "linknet-edge bench latency model.onnx --iters 100",
                          "linknet-edge bench accuracy best.pt --dataset camvid --data-root "
                          "data/CamVid --min-miou 50",
                      ])
    commands = parser.add_subparsers(dest="bench_command", metavar="BENCHMARK")
    _add_latency(commands)
    _add_accuracy(commands)
    parser.set_defaults(bench_parser=parser)
    return parser


def run(args):
    from linknet_edge.atomic import check_writable
    from linknet_edge.data import LabelledSplit
    from .. import AccuracyFloors, format_table, measure_accuracy, measure_latency, write_reports
    if args.bench_command in ("latency", "accuracy"):
        check_writable(args.out, "--out", folder=True)
    if args.bench_command == "latency":
        report = measure_latency(args.models, sizes=args.size, batch_size=args.batch_size,
                                 warmup=args.warmup, iters=args.iters, backends=args.backend)
    elif args.bench_command == "accuracy":
        report = measure_accuracy(
            args.model, LabelledSplit(args.dataset, args.data_root, args.split, args.limit),
            size=args.size, backends=args.backend, out=args.out,
            floors=AccuracyFloors(args.min_miou, args.max_miou_drop),
            calib_count=args.calib_count)
    else:
        args.bench_parser.print_help()
        return 2
    write_reports(report, args.out)
    print(format_table(report))
    report.check()  # rows that did not run, and the accuracy floors: exit 1 in one line
    return 0
