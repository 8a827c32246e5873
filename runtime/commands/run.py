"""``linknet-edge run``: segment videos, cameras or streams live into files, a window or HTTP.

Several ``--input`` share the model (their frames are batched into one inference call); each
input has its own outputs: one ``--output`` per ``--input`` in order, or templates with
``{stream}`` (``runtime.stream_outputs``).
"""

import logging
import os

from linknet_edge.arguments import (add_deprecated_alias, add_verb, fraction, non_negative_int,
                                    positive_int)

logger = logging.getLogger(__name__)

EXAMPLES = [
    "linknet-edge run model.onnx --input clip.mp4 --output overlay.mp4",
    "linknet-edge run model.engine --input csi://0 --output http://0.0.0.0:8080",
    "linknet-edge run model.onnx --input v4l2:///dev/video0 --output display://0 --legend",
    "linknet-edge run model.onnx --input rtsp://cam/stream --output out.avi --output masks://m",
    "linknet-edge run model.engine -i 'rtsp://cam/live?codec=h265' -o rtp://10.0.0.5:5000",
    "linknet-edge run model.pt --input frames/ --output overlays/ --mask-only",
    "linknet-edge run model.engine -i csi://0 -i rtsp://cam/live -i clip.mp4 "
    "-o 'out_{stream}.mp4'",
    "linknet-edge run model.onnx -i a.mp4 -i http://cam/video -o a_seg.mp4 -o http://0.0.0.0:8081",
]


def add_parser(subparsers):
    parser = add_verb(subparsers, "run", "segment a video, camera or stream live", EXAMPLES)
    parser.add_argument("model", help="model file: .onnx, .engine or .pt checkpoint")
    parser.add_argument("--input", "-i", required=True, action="append", metavar="SRC",
                        help="file, image, folder, glob, v4l2:///dev/videoN, N, csi://N, "
                             "rtsp://..., http(s)://...; repeat for several inputs, batched "
                             "into one inference call")
    parser.add_argument("--output", "-o", action="append", metavar="SINK",
                        help="video file (.mp4/.mkv/.avi), folder/, dir://DIR, masks://DIR, "
                             "http://HOST:PORT (MJPEG), rtp://HOST:PORT or udp://HOST:PORT "
                             "(H.264), display://0 or none; repeatable. With several inputs: "
                             "one per input, in order, or a template with {stream} (the "
                             "input's number from 0) that every input gets [none: a warning]")
    parser.add_argument("--save-masks", metavar="DIR",
                        help="also write class-index PNG masks (DIR/N/ for input N when there "
                             "are several) [none]")
    parser.add_argument("--backend", help="tensorrt, onnxruntime or pytorch [by suffix]")
    parser.add_argument("--alpha", type=fraction, default=0.5, help="overlay opacity 0-1 [0.5]")
    parser.add_argument("--mask-only", action="store_true", help="colours without the frame")
    parser.add_argument("--legend", action="store_true", help="draw class names")
    parser.add_argument("--overlay-size", choices=("frame", "network"), default="frame",
                        help="overlays at the frame's size, or at the network's (less host "
                             "work per frame: for a Jetson's CPU) [frame]")
    parser.add_argument("--smooth", action="store_true",
                        help="class boundaries from the logits resized bilinearly to frame size "
                             "(smooth edges; more host time per frame, see docs/runtime.md; the "
                             "model needs its logits output)")
    parser.add_argument("--loop", action="store_true", help="restart a file source at its end")
    parser.add_argument("--host", help="bind address of http:// outputs [127.0.0.1]")
    limit = parser.add_argument("--limit", type=positive_int, metavar="N",
                                help="stop each input after its first N frames [all]")
    add_deprecated_alias(parser, "--max-frames", limit)
    batch = parser.add_argument("--batch-size", type=positive_int, metavar="N",
                                help="frames per inference call; a model with a fixed batch "
                                     "runs it in pieces of that batch [one per input]")
    add_deprecated_alias(parser, "--batch", batch)
    parser.add_argument("--batch-wait", type=non_negative_int, default=20, metavar="MS",
                        help="how long a batch waits for a live input's frame once it holds "
                             "another input's; a stalled input is left out [20]")
    parser.add_argument("--latency", type=non_negative_int, metavar="MS", help="rtsp:// jitter buffer [200]")
    parser.add_argument("--bitrate", type=positive_int, default=4000000, metavar="BITS",
                        help="H.264 bits/s of .mp4/.mkv files and rtp/udp streams [4000000]")
    parser.add_argument("--strict", action="store_true",
                        help="fail (exit 1) when the input ends early: a video shorter than "
                             "its frame count, a stream lost for good")
    return parser


def run(args):
    from linknet_edge.sizes import format_size
    from ..pipeline import OverlayOptions, StreamOptions, run_pipeline
    from ..stream_outputs import STREAM_FIELD
    from ..timings import format_streams_table, format_table
    outputs = list(args.output or ["none"])
    if not args.output and not args.save_masks:
        logger.warning("no --output or --save-masks: the frames are segmented and nothing is "
                       "written (e.g. -o overlay.mp4, -o http://127.0.0.1:8080, -o display://0)")
    if args.save_masks:
        several = len(args.input) > 1
        outputs.append("masks://" + (os.path.join(args.save_masks, STREAM_FIELD) if several
                                     else args.save_masks))
    source_options = {"loop": args.loop}
    if args.latency:
        source_options["latency"] = args.latency
    summary = run_pipeline(
        args.model, args.input if len(args.input) > 1 else args.input[0], outputs,
        overlay=OverlayOptions(args.alpha, args.mask_only, args.legend,
                               args.overlay_size == "network"),
        stream=StreamOptions(args.batch_size, args.limit, batch_wait=args.batch_wait / 1000.0,
                             smooth=args.smooth),
        model_options={"backend": args.backend}, source_options=source_options,
        sink_options={"host": args.host, "bitrate": args.bitrate})
    inputs = summary["source"] if len(args.input) == 1 else "{} inputs".format(len(args.input))
    print("{} ({}, {}) on {}".format(summary["model"], summary["precision"],
                                     format_size(*summary["input_size"]), inputs))
    print(format_table(summary))
    if len(args.input) > 1:
        print(format_streams_table(summary))
    else:
        print("outputs: {}".format(", ".join(summary["streams"][0]["outputs"])))
    if summary.get("stopped_by"):
        print("stopped by {}: the outputs hold every frame processed until then".format(
            summary["stopped_by"]))
    if summary.get("input_fallback"):
        print("input read by fallback: {}".format(summary["input_fallback"]))
    ended = summary.get("input_ended_early")
    if ended:
        print("input ended early: {}".format(ended))
        if args.strict:
            from linknet_edge.errors import SourceError
            raise SourceError("{} (--strict)".format(ended if len(args.input) > 1 else
                                                     "{}: {}".format(args.input[0], ended)))
    return 0
