"""``linknet-edge quantize``: FP32 ONNX -> FP16 or INT8 ONNX, compared with the FP32 file."""

from linknet_edge.arguments import (add_dataset_option, add_deprecated_alias, add_verb, fraction,
                                    positive_int)
from linknet_edge.reports import show_report


def add_parser(subparsers):
    parser = add_verb(subparsers, "quantize", "write an FP16 or INT8 ONNX and measure its drift", [
        "linknet-edge quantize linknet.onnx --precision fp16 -o linknet_fp16.onnx "
        "--images data/camvid/val",
        "linknet-edge quantize linknet.onnx --precision int8 -o linknet_int8.onnx "
        "--calib data/camvid/train --calib-count 64",
        "linknet-edge quantize linknet.onnx --precision int8 --target cpu -o linknet_int8_cpu.onnx "
        "--calib data/camvid/train",
        "linknet-edge quantize linknet.onnx --precision int8 -o int8.onnx --calib "
        "data/camvid/train --dataset camvid --data-root data/camvid --split val"])
    parser.add_argument("onnx", help="FP32 ONNX file written by export")
    from ..quantize import CALIBRATION_METHODS, TARGETS
    parser.add_argument("--precision", required=True, choices=("fp16", "int8"),
                        help="fp16 (weights and activations; needs onnxconverter-common) or int8 "
                             "(calibrated on --calib; needs onnxruntime) (required)")
    parser.add_argument("--target", choices=TARGETS, default="tensorrt",
                        help="INT8 form: tensorrt = symmetric Q/DQ (TensorRT's explicit "
                             "quantization; slow on CPUs), cpu = ONNX Runtime's U8S8 QOperator "
                             "form (fast on CPUs; TensorRT cannot build it) [tensorrt]")
    parser.add_argument("--calibration", choices=CALIBRATION_METHODS, default="minmax",
                        help="INT8 calibration method [minmax]")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--calib", metavar="DIR",
                        help="folder or glob of real images to calibrate INT8 on [none]")
    parser.add_argument("--calib-count", type=positive_int, default=32, metavar="N",
                        help="calibration images, spread over --calib [32]")
    parser.add_argument("--images", help="images to compare on [--calib, else synthetic street "
                                         "frames]")
    parser.add_argument("--count", type=positive_int, default=4, metavar="N",
                        help="images to compare, spread over --images [4]")
    add_dataset_option(parser, default=None)
    parser.add_argument("--data-root", metavar="DIR",
                        help="a labelled dataset: also compare the mIoU of both files on it "
                             "[none]")
    parser.add_argument("--split", default="val", help="labelled split [val]")
    limit = parser.add_argument("--limit", type=positive_int, default=20, metavar="N",
                                help="labelled frames for the mIoU comparison, spread over the "
                                     "split [20]")
    add_deprecated_alias(parser, "--label-count", limit)
    parser.add_argument("--min-agreement", type=fraction,
                        help="fail (exit 1) below this fraction of agreeing pixels [no check]")
    return parser


def run(args):
    from ..precision import convert_precision
    from linknet_edge.errors import ExportError
    if args.dataset and not args.data_root:
        raise ExportError("--dataset {} needs --data-root DIR".format(args.dataset))
    labelled = (args.dataset or "camvid", args.data_root, args.split) if args.data_root else None
    report = convert_precision(args.onnx, args.output, args.precision, calib=args.calib,
                               calib_count=args.calib_count, images=args.images,
                               count=args.count, labelled=labelled,
                               limit=args.limit, min_agreement=args.min_agreement,
                               target=args.target, calibration=args.calibration)
    return show_report(report)
