"""``linknet-edge run``: segment a video, camera or stream live into files, a window or HTTP."""

import argparse

from linknet_edge.arguments import add_verb

EXAMPLES = [
    "linknet-edge run model.onnx --input clip.mp4 --output overlay.mp4",
    "linknet-edge run model.engine --input csi://0 --output http://0.0.0.0:8080",
    "linknet-edge run model.onnx --input v4l2:///dev/video0 --output display://0 --legend",
    "linknet-edge run model.onnx --input rtsp://cam/stream --output out.avi --output masks://m",
    "linknet-edge run model.engine -i 'rtsp://cam/live?codec=h265' -o rtp://10.0.0.5:5000",
    "linknet-edge run model.pt --input frames/ --output overlays/ --mask-only",
]


def _alpha(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("alpha must be a number from 0 to 1, got {!r}".format(
            text))
    return value


def _positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number >= 1, got {!r}".format(text))
    return int(text)


def add_parser(subparsers):
    parser = add_verb(subparsers, "run", "segment a video, camera or stream live", EXAMPLES)
    parser.add_argument("model", help="model file: .onnx, .engine or .pt checkpoint")
    parser.add_argument("--input", "-i", required=True, metavar="SRC",
                        help="file, image, folder, glob, v4l2:///dev/videoN, N, csi://N, "
                             "rtsp://..., http(s)://...")
    parser.add_argument("--output", "-o", action="append", metavar="SINK",
                        help="video file (.mp4/.mkv/.avi), folder/, dir://DIR, masks://DIR, "
                             "http://HOST:PORT (MJPEG), rtp://HOST:PORT or udp://HOST:PORT "
                             "(H.264), display://0 or none; repeatable (default none)")
    parser.add_argument("--save-masks", metavar="DIR", help="also write class-index PNG masks")
    parser.add_argument("--backend", help="tensorrt, onnxruntime or pytorch (default: by suffix)")
    parser.add_argument("--alpha", type=_alpha, default=0.5, help="overlay opacity 0-1 [0.5]")
    parser.add_argument("--mask-only", action="store_true", help="colours without the frame")
    parser.add_argument("--legend", action="store_true", help="draw class names")
    parser.add_argument("--overlay-size", choices=("frame", "network"), default="frame",
                        help="overlays at the frame's size, or at the network's (less host "
                             "work per frame: for a Jetson's CPU) [frame]")
    parser.add_argument("--loop", action="store_true", help="restart a file source at its end")
    parser.add_argument("--host", help="bind address of http:// outputs [127.0.0.1]")
    parser.add_argument("--max-frames", type=_positive, metavar="N", help="stop after N frames")
    parser.add_argument("--batch", type=_positive, default=1, metavar="N",
                        help="frames per inference call [1]")
    parser.add_argument("--latency", type=int, metavar="MS", help="rtsp:// jitter buffer [200]")
    parser.add_argument("--bitrate", type=_positive, default=4000000, metavar="BITS",
                        help="H.264 bits/s of .mp4/.mkv files and rtp/udp streams [4000000]")
    parser.add_argument("--strict", action="store_true",
                        help="fail (exit 1) when the input ends early: a video shorter than "
                             "its frame count, a stream lost for good")
    return parser


def run(args):
    from linknet_edge.sizes import format_size
    from ..pipeline import OverlayOptions, StreamOptions, run_pipeline
    from ..timings import format_table
    outputs = list(args.output or ["none"]) + (["masks://" + args.save_masks]
                                               if args.save_masks else [])
    source_options = {"loop": args.loop}
    if args.latency:
        source_options["latency"] = args.latency
    summary = run_pipeline(
        args.model, args.input, outputs,
        overlay=OverlayOptions(args.alpha, args.mask_only, args.legend,
                               args.overlay_size == "network"),
        stream=StreamOptions(args.batch, args.max_frames),
        model_options={"backend": args.backend}, source_options=source_options,
        sink_options={"host": args.host, "bitrate": args.bitrate})
    print("{} ({}, {}) on {}".format(summary["model"], summary["precision"],
                                     format_size(*summary["input_size"]), summary["source"]))
    print(format_table(summary))
    if summary.get("input_fallback"):
        print("input read by fallback: {}".format(summary["input_fallback"]))
    ended = summary.get("input_ended_early")
    if ended:
        print("input ended early: {}".format(ended))
        if args.strict:
            from linknet_edge.errors import SourceError
            raise SourceError("{}: {} (--strict)".format(args.input, ended))
    return 0
