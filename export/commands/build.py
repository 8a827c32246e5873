"""``linknet-edge build``: ONNX -> TensorRT engine (+ sidecar), on the device that runs it."""

from linknet_edge.arguments import add_verb, positive_int


def add_parser(subparsers):
    parser = add_verb(subparsers, "build", "build a TensorRT engine from an ONNX file", [
        "linknet-edge build model.onnx -o model.engine               # FP16 (default)",
        "linknet-edge build model.onnx --precision int8 --calib ../shared/data/camvid/val",
        "linknet-edge build model.onnx --precision int8 --calib-cache model.engine.calib",
        "linknet-edge build model.onnx --trtexec --workspace 512     # same engine via trtexec",
        "linknet-edge build model.onnx --trtexec /usr/src/tensorrt/bin/trtexec",
        "linknet-edge build model.onnx --no-rebuild                  # fail if stale, say why"],
        description="Build a TensorRT engine (plain plan + .engine.json sidecar) from an ONNX "
                    "file. Run it on the Jetson or GPU machine that will run the engine: an "
                    "engine only runs on the TensorRT version and GPU it was built with. An "
                    "up-to-date engine is reused, a stale one rebuilt. TensorRT 11 has no "
                    "FP16/INT8 builder flags: there an FP32 ONNX is converted to its FP16 or "
                    "Q/DQ sibling (model.fp16.onnx, model.int8.onnx) where onnx and "
                    "onnxconverter-common / onnxruntime are installed, else build the file "
                    "`linknet-edge quantize` wrote on the workstation.")
    parser.add_argument("onnx", help="ONNX file written by `linknet-edge export`")
    parser.add_argument("-o", "--output", help="engine path [the ONNX path, .engine]")
    parser.add_argument("--precision", choices=("fp32", "fp16", "int8"), default="fp16",
                        help="fp16 needs compute capability 5.3/6.0/6.2/7.0+; int8 needs 6.1 "
                             "or 7.0+ (not TX1, Nano, TX2) [fp16]")
    parser.add_argument("--calib", metavar="DIR",
                        help="INT8: folder of real images to calibrate on (always offered, "
                             "so a cache from another TensorRT version is replaced) [none]")
    parser.add_argument("--calib-cache", metavar="FILE",
                        help="INT8: calibration cache to read/write [ENGINE.calib]")
    parser.add_argument("--workspace", type=positive_int, default=1024, metavar="MiB",
                        help="builder scratch memory cap in MiB [1024]")
    parser.add_argument("--trtexec", nargs="?", const=True, default=False, metavar="PATH",
                        help="build with trtexec instead (PATH, else found on PATH or in "
                             "/usr/src/tensorrt/bin); its flags follow its own version [the "
                             "Python API]")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--no-rebuild", action="store_true",
                       help="never rebuild: fail with what differs if the engine is stale")
    group.add_argument("--force", action="store_true", help="rebuild even if up to date")
    return parser


def run(args):
    from ..tensorrt import build_engine
    rebuild = "never" if args.no_rebuild else "always" if args.force else "auto"
    print(build_engine(args.onnx, args.output, precision=args.precision,
                       workspace_mib=args.workspace, calib_dir=args.calib,
                       calib_cache=args.calib_cache, rebuild=rebuild,
                       use_trtexec=bool(args.trtexec),
                       trtexec_path=args.trtexec if args.trtexec is not True else None))
    return 0
