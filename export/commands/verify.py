"""``linknet-edge verify``: an ONNX file against its checkpoint, and its TensorRT 8.2 report."""

from linknet_edge.arguments import add_verb, fraction, non_negative_float, positive_int
from linknet_edge.reports import show_report


def add_parser(subparsers):
    parser = add_verb(subparsers, "verify", "check an ONNX file against PyTorch and TensorRT 8.2", [
        "linknet-edge verify linknet.onnx --checkpoint best.pt --images data/camvid/val",
        "linknet-edge verify linknet.onnx --checkpoint best.pt --count 16 --tolerance 1e-4"])
    parser.add_argument("onnx", help="ONNX file written by export")
    parser.add_argument("--checkpoint", required=True, help="the checkpoint it was exported from")
    parser.add_argument("--images", help="folder or glob of real images [synthetic street "
                                         "frames]")
    parser.add_argument("--count", type=positive_int, default=4, metavar="N",
                        help="images to compare, spread over --images [4]")
    parser.add_argument("--tolerance", type=non_negative_float, default=1e-3,
                        help="max |logit error| as a fraction of the logit range [1e-3]")
    parser.add_argument("--min-agreement", type=fraction, default=0.999,
                        help="min fraction of pixels with the same class [0.999]")
    return parser


def run(args):
    from ..verify import verify_onnx
    report = verify_onnx(args.onnx, args.checkpoint, images=args.images, count=args.count,
                         min_agreement=args.min_agreement, tolerance=args.tolerance)
    return show_report(report)
