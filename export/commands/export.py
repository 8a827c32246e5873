"""``linknet-edge export``: checkpoint -> ONNX (spec inside), verified against PyTorch; or
``--format pt``: the weights-only checkpoint to ship."""

from linknet_edge.arguments import add_deprecated_alias, add_verb, positive_int, size_type
from linknet_edge.reports import show_report

#: (dest, option, default) of the options that only shape an ONNX file (``--format pt``
#: refuses them)
_ONNX_ONLY = (("size", "--size", None), ("opset", "--opset", 13),
              ("force_opset", "--force-opset", False), ("argmax", "--argmax", False),
              ("input_form", "--input", "uint8"), ("dynamic_batch", "--dynamic-batch", False),
              ("batch_size", "--batch-size", 1), ("no_verify", "--no-verify", False),
              ("images", "--images", None))


def add_parser(subparsers):
    parser = add_verb(subparsers, "export", "export a checkpoint to ONNX and verify it (or "
                      "--format pt: its weights only)", [
        "linknet-edge export runs/camvid/best.pt -o linknet.onnx --images data/camvid/val",
        "linknet-edge export best.pt -o linknet.onnx --size 480x352 --opset 11 --argmax",
        "linknet-edge export best.pt -o linknet_dyn.onnx --dynamic-batch --no-verify",
        "linknet-edge export best.pt -o linknet_raw.onnx --input raw   # TensorRT 8.2, DeepStream",
        "linknet-edge export best.pt -o linknet_weights.pt --format pt   # weights only, 1/3 size"])
    parser.add_argument("checkpoint", help="checkpoint (.pt) written by train or import")
    parser.add_argument("-o", "--output", required=True, help="ONNX file (or .pt) to write")
    parser.add_argument("--format", dest="format", choices=("onnx", "pt"), default="onnx",
                        help="onnx, or pt: a weights-only checkpoint (spec and weights, no "
                             "optimizer state; loads wherever a checkpoint does, except "
                             "train --resume) [onnx]")
    parser.add_argument("--size", type=size_type, metavar="WxH",
                        help="input WxH, multiples of 32 [the spec's size]")
    parser.add_argument("--opset", type=positive_int, default=13,
                        help="ONNX opset 11..13 (TensorRT 8.2 parses up to 13) [13]")
    parser.add_argument("--force-opset", action="store_true",
                        help="allow an opset outside 11..13 (newer TensorRT only)")
    parser.add_argument("--argmax", action="store_true",
                        help="also output 'classes' (N,H,W) int32 from an in-graph ArgMax")
    from linknet_edge.spec import INPUT_FORMS
    parser.add_argument("--input", dest="input_form", choices=sorted(INPUT_FORMS),
                        default="uint8",
                        help="network input: uint8 = the camera's NHWC BGR image, normalised in "
                             "the graph (TensorRT 8.5+, ONNX Runtime); float = NCHW float32 "
                             "normalised on the host; raw = NCHW float32 RGB 0-255, normalised "
                             "in the graph (TensorRT 8.2, DeepStream, Triton) [uint8]")
    parser.add_argument("--dynamic-batch", action="store_true",
                        help="dynamic batch dimension (instead of a static --batch-size)")
    batch = parser.add_argument("--batch-size", type=positive_int, default=1, metavar="N",
                                help="frames per inference call: a static batch of N, e.g. one "
                                     "frame per camera for a TensorRT engine (engines are "
                                     "static-shape) [1]")
    add_deprecated_alias(parser, "--batch", batch)
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the checker / ONNX Runtime / TensorRT 8.2 checks")
    parser.add_argument("--images", help="folder or glob of real images for the verification "
                                         "[synthetic street frames]")
    return parser


def _check_format(args):
    from linknet_edge.errors import ExportError
    if args.format == "pt":
        given = [flag for dest, flag, default in _ONNX_ONLY if getattr(args, dest) != default]
        if given:
            raise ExportError("--format pt writes weights only; {} shape{} an ONNX file".format(
                ", ".join(given), "s" if len(given) == 1 else ""))
    elif args.output.lower().endswith((".pt", ".pth")):
        raise ExportError("-o {}: an ONNX file would be written there; give --format pt for a "
                          "weights-only checkpoint, or an .onnx name".format(args.output))


def run(args):
    _check_format(args)
    if args.format == "pt":
        from ..weights import export_weights
        return show_report(export_weights(args.checkpoint, args.output))
    from ..onnx import export_onnx
    report = export_onnx(args.checkpoint, args.output,
                         size=args.size, opset=args.opset,
                         argmax=args.argmax,
                         dynamic_batch=args.dynamic_batch, batch_size=args.batch_size,
                         verify=not args.no_verify,
                         images=args.images, force_opset=args.force_opset,
                         input_form=args.input_form)
    return show_report(report)
