"""``doctor``: what of the toolkit can run on this machine, and why not, from its environment.

Each capability row is asked of the code that would do the work (e.g. the TensorRT backend says
what ``build`` and ``run`` will find: a broken install, no CUDA binding, no GPU, no trtexec).
"""

from linknet_edge.errors import first_line

from .environment import OPTIONAL_LIBRARIES, describe_environment

__all__ = ["diagnose", "capabilities", "format_diagnosis"]


def diagnose():
    """``describe_environment()`` plus ``capabilities``: [{"what", "ok", "why"}]."""
    env = describe_environment()
    env["capabilities"] = capabilities(env)
    return env


def _tensorrt_rows(env):
    """doctor's TensorRT rows, asked of the backend itself so they say what ``build`` and
    ``run`` will find (a broken install, no CUDA binding, no GPU, no trtexec)."""
    from .backends import tensorrt as backend
    from .backends.tensorrt.trtexec import find_trtexec
    try:
        trtexec = find_trtexec()
    except Exception as exc:
        trtexec_why = first_line(exc)
    else:
        trtexec_why = backend.build_unavailable_reason(trtexec)
    build = backend.build_unavailable_reason()
    run = backend.unavailable_reason() or build or (
        None if env["libraries"]["cv2"]["version"] else "needs cv2")
    rows = [("build TensorRT engines", (build is None, build or "")),
            ("build TensorRT engines with --trtexec", (trtexec_why is None, trtexec_why or "")),
            ("run and evaluate TensorRT engines (no torch)", (run is None, run or ""))]
    if backend.tensorrt_problem() is None and backend.api.capabilities().strongly_typed_only:
        have = dict((n, bool(env["libraries"][n]["version"]))
                    for n in ("onnx", "onnxconverter-common", "onnxruntime"))
        missing = [n for n in ("onnx", "onnxconverter-common", "onnxruntime") if not have[n]]
        rows.append(("FP16/INT8 from an FP32 ONNX (TensorRT {} converts it first)".format(
            backend.version()), (not missing, "needs {}; else build the FP16 / Q-DQ ONNX that "
                                 "`linknet-edge quantize` writes on the workstation".format(
                                     ", ".join(missing)))))
    return rows


def capabilities(env):
    """The rows of what can run here, for an environment from ``describe_environment``."""
    have = {name: bool(info["version"]) for name, info in env["libraries"].items()}

    pip_only = dict(OPTIONAL_LIBRARIES)

    def need(*names):
        missing = [n + (" (pip install {})".format(n) if n in pip_only else "")
                   for n in names if not have[n]]
        return (True, "") if not missing else (False, "needs " + ", ".join(missing))

    rows = [
        ("train; evaluate checkpoints (.pt)", need("torch", "numpy", "cv2")),
        ("export to ONNX", need("torch", "onnx")),
        ("verify ONNX against PyTorch", need("torch", "onnx", "onnxruntime")),
        ("run and evaluate ONNX models (ONNX Runtime, no torch)", need("onnxruntime", "cv2")),
        ("write FP16 ONNX (quantize --precision fp16)", need("onnx", "onnxconverter-common")),
        ("write INT8 ONNX (quantize --precision int8)", need("onnx", "onnxruntime")),
        ("plots (train, bench)", need("matplotlib")),
        ("progress bars (train, evaluate)", need("tqdm")),
    ] + _tensorrt_rows(env)
    gst = env.get("opencv_gstreamer")
    rows.append(("CSI camera (csi://)", (bool(gst and env["l4t_release"]),
                 "" if gst and env["l4t_release"] else
                 "needs a Jetson and OpenCV built with GStreamer (JetPack's, not pip's)")))
    return [{"what": what, "ok": ok, "why": why} for what, (ok, why) in rows]


def format_diagnosis(env):
    """``doctor``'s text report."""
    lines = ["Python      {}  ({})".format(env["python"], env["platform"])]
    for name, info in env["libraries"].items():
        label = {"cv2": "OpenCV"}.get(name, name)
        lines.append("{:11} {}".format(label, info["version"] or "-  " + info["error"]))
    if "opencv_gstreamer" in env:
        lines.append("GStreamer   {}".format("yes (in OpenCV)" if env["opencv_gstreamer"] else
                                            "no (OpenCV built without it)"))
    if "onnxruntime_providers" in env:
        lines.append("ORT EPs     {}".format(", ".join(env["onnxruntime_providers"])))
    gpu = env["cuda_device"]
    lines.append("CUDA GPU    {}".format("{} (compute capability {})".format(
        gpu["name"], gpu["compute_capability"]) if gpu else "none"))
    if env["l4t_release"]:
        lines.append("Jetson      {} (L4T {})".format(env["jetson_model"] or "unknown board",
                                                      env["l4t_release"]))
    lines.append("")
    lines.append("What can run here:")
    for row in env["capabilities"]:
        lines.append("  [{}] {}{}".format("ok" if row["ok"] else "--", row["what"],
                                          "" if row["ok"] else ": " + row["why"]))
    return "\n".join(lines)
