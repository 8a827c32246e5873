"""``linknet-edge export``: checkpoint -> ONNX (spec inside), verified against PyTorch."""

from linknet_edge.arguments import add_verb, positive_int, size_type
from linknet_edge.reports import show_report


def add_parser(subparsers):
    parser = add_verb(subparsers, "export", "export a checkpoint to ONNX and verify it", [
        "linknet-edge export runs/camvid/best.pt -o linknet.onnx --images data/camvid/val",
        "linknet-edge export best.pt -o linknet.onnx --size 480x352 --opset 11 --argmax",
        "linknet-edge export best.pt -o linknet_dyn.onnx --dynamic-batch --no-verify",
        "linknet-edge export best.pt -o linknet_raw.onnx --input raw   # TensorRT 8.2, DeepStream"])
    parser.add_argument("checkpoint", help="checkpoint (.pt) written by train or import")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--size", type=size_type, metavar="WxH",
                        help="input WxH, multiples of 32 (default: the spec's size)")
    parser.add_argument("--opset", type=positive_int, default=13,
                        help="ONNX opset 11..13 (TensorRT 8.2 parses up to 13; default 13)")
    parser.add_argument("--force-opset", action="store_true",
                        help="allow an opset outside 11..13 (newer TensorRT only)")
    parser.add_argument("--argmax", action="store_true",
                        help="also output 'classes' (N,H,W) int32 from an in-graph ArgMax")
    from linknet_edge.spec import INPUT_FORMS
    parser.add_argument("--input", dest="input_form", choices=sorted(INPUT_FORMS),
                        default="uint8",
                        help="network input: uint8 = the camera's NHWC BGR image, normalised in "
                             "the graph (default; TensorRT 8.5+, ONNX Runtime); float = NCHW "
                             "float32 normalised on the host; raw = NCHW float32 RGB 0-255, "
                             "normalised in the graph (TensorRT 8.2, DeepStream, Triton)")
    parser.add_argument("--dynamic-batch", action="store_true",
                        help="dynamic batch dimension (default: static batch 1)")
    parser.add_argument("--batch", type=positive_int, default=1, metavar="N",
                        help="static batch N, e.g. one frame per camera for a TensorRT engine "
                             "(engines are static-shape) [1]")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the checker / ONNX Runtime / TensorRT 8.2 checks")
    parser.add_argument("--images", help="folder or glob of real images for the verification "
                                         "(default: synthetic street frames)")
    return parser


def run(args):
    from ..onnx import export_onnx
    report = export_onnx(args.checkpoint, args.output,
                         size=args.size, opset=args.opset,
                         argmax=args.argmax,
                         dynamic_batch=args.dynamic_batch, batch=args.batch,
                         verify=not args.no_verify,
                         images=args.images, force_opset=args.force_opset,
                         input_form=args.input_form)
    return show_report(report)
