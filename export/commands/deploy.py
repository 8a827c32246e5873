"""``linknet-edge deploy deepstream|triton``: DeepStream and Triton configs from the same
``.onnx`` file or engine the toolkit runs."""

from linknet_edge.arguments import (add_output_options, add_verb, non_negative_int,
                                    positive_int)

EXAMPLES = [
    "linknet-edge deploy deepstream linknet.onnx -o deepstream/ --sources 4 "
    "--uri rtsp://cam1/live --uri rtsp://cam2/live --uri rtsp://cam3/live --uri csi://0",
    "linknet-edge deploy deepstream linknet_b1.engine -o deepstream/ --sink rtsp",
    "linknet-edge deploy triton linknet_dyn.onnx -o model_repository --max-batch 8",
    "linknet-edge deploy triton linknet.engine -o model_repository --name linknet_orin",
]




def _target(targets, name, help_text, description):
    """A deploy target's parser: -v/-q/--debug and the model file."""
    parser = targets.add_parser(name, help=help_text, description=description)
    add_output_options(parser, in_verb=True)
    parser.add_argument("model", help=".onnx file or TensorRT engine (with its .json sidecar)")
    return parser


def add_parser(subparsers):
    parser = add_verb(subparsers, "deploy", "write DeepStream or Triton configs for a model",
                      EXAMPLES)
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    targets.required = True

    stream = _target(targets, "deepstream", "Gst-nvinfer + deepstream-app configs",
                     "Write a Gst-nvinfer config (segmentation), a deepstream-app config with N "
                     "sources, labels and the model into one folder.")
    stream.add_argument("-o", "--output", metavar="DIR",
                        help="folder to write [deepstream_NAME]")
    stream.add_argument("--sources", type=positive_int, metavar="N",
                        help="number of inputs, batched together [one per --uri, or 1]")
    stream.add_argument("--uri", action="append", metavar="URI",
                        help="an input: file, rtsp://, http(s)://, csi://N or v4l2:///dev/videoN; "
                             "once for all sources or once per source [DeepStream's sample "
                             "clip]")
    stream.add_argument("--precision", choices=("fp32", "fp16", "int8"),
                        help="network-mode [the file's; fp16 for an fp32 ONNX file]")
    stream.add_argument("--int8-calib-file", metavar="FILE",
                        help="calibration cache for int8 from a float ONNX file [none]")
    stream.add_argument("--sink", choices=("file", "rtsp", "display", "fake"), default="file",
                        help="deepstream-app output: an mp4 file, an RTSP server on :8554, a "
                             "window or nothing [file]")
    stream.add_argument("--images", metavar="DIR",
                        help="real frames to measure the normalisation's effect on [synthetic]")
    stream.add_argument("--no-fold", action="store_true",
                        help="copy the ONNX file as it is instead of folding the per-channel std "
                             "into its stem (nvinfer's one scale is then approximate)")
    stream.set_defaults(deploy=_deepstream)

    triton = _target(targets, "triton", "a Triton model repository",
                     "Write REPO/NAME/config.pbtxt, the model as REPO/NAME/VERSION/model.onnx or "
                     "model.plan, and REPO/NAME/labels.txt.")
    triton.add_argument("-o", "--output", default="model_repository", metavar="REPO",
                        help="model repository folder [model_repository]")
    triton.add_argument("--name", help="model name [the file's stem]")
    triton.add_argument("--version", type=positive_int, default=1, help="model version [1]")
    triton.add_argument("--max-batch", type=positive_int, default=8, metavar="N",
                        help="max_batch_size of a dynamic-batch file [8]")
    triton.add_argument("--queue-delay-us", type=non_negative_int, default=100, metavar="US",
                        help="how long the dynamic batcher waits to fill a batch [100]")
    triton.add_argument("--instances", type=positive_int, default=1, metavar="N",
                        help="model instances [1]")
    triton.add_argument("--device", choices=("gpu", "cpu"), default="gpu",
                        help="where the instances run [gpu]")
    triton.set_defaults(deploy=_triton)
    return parser


def _deepstream(args):
    from ..deploy.deepstream import write_deepstream
    return write_deepstream(args.model, args.output, args.sources, args.uri, args.precision,
                            args.sink, args.int8_calib_file, args.images,
                            fold=not args.no_fold)


def _triton(args):
    from ..deploy.triton import write_triton_repository
    return write_triton_repository(args.model, args.output, args.name, args.version,
                                   args.max_batch, args.queue_delay_us, args.instances,
                                   args.device)


def run(args):
    from linknet_edge.reports import show_report
    return show_report(args.deploy(args))
