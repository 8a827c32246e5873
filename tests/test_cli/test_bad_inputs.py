"""The catalogue of bad inputs: every verb, one case per row, each a clean one-line refusal.

A row is (id, argv, exit code, words): the CLI runs in-process (``linknet_edge.cli.main``);
the exit code is 1 for a user error, 2 for an argparse usage error; stderr's last line must
hold every word of the row (the file or option, and the cause), and no traceback is printed.
Placeholders in argv: ``{ckpt}`` a tiny checkpoint, ``{onnx}`` its ONNX export, ``{bad}`` a
folder of bad files (see ``bad_files``), ``{ro}`` a folder nothing can be written in,
``{out}`` the case's own empty folder. Run it with
``pytest tests/test_cli/test_bad_inputs.py``; the whole module runs in well under a minute.
"""

import os
import stat
import tempfile

import pytest

from linknet_edge.cli import main
from tests.markers import requires_onnx, requires_onnxruntime, requires_torch

pytestmark = [requires_torch, requires_onnx, requires_onnxruntime]

TAB = "\t"
NAN = "nan"
DS = ["--dataset", "folder", "--data-root", "{bad}/ds", "--split", "all"]
RUN = ["run", "{onnx}", "-i", "{bad}/frame.png"]
TRAIN = ["train", "--dataset", "folder", "--data-root", "{bad}/ds", "--device", "cpu",
         "--out", "{out}/run"]
LATENCY = ["bench", "latency", "{onnx}", "--out", "{out}/b"]
ACCURACY = ["bench", "accuracy", "{ckpt}"] + DS + ["--out", "{out}/b"]
QUANT = ["quantize", "{onnx}", "--precision", "fp16", "-o", "{out}/q.onnx"]
VERIFY = ["verify", "{onnx}", "--checkpoint", "{ckpt}"]
EXPORT = ["export", "{ckpt}", "-o", "{out}/x.onnx", "--no-verify"]
BUILD = ["build", "{onnx}", "-o", "{out}/x.engine"]
STREAM = ["deploy", "deepstream", "{onnx_float}", "-o", "{out}/ds"]
TRITON = ["deploy", "triton", "{onnx}", "-o", "{out}/repo"]
EVAL = ["evaluate", "{onnx}"] + DS


def usage(case_id, argv, *words):
    return pytest.param(argv, 2, words, id=case_id)


def error(case_id, argv, *words):
    return pytest.param(argv, 1, words, id=case_id)


def numbers(prefix, argv, option, values, words=()):
    """One usage-error row per bad value of a numeric option, nan always among them."""
    values = list(values) + ([] if NAN in values or words else [NAN])
    return [usage("{}-{}-{}".format(prefix, option.lstrip("-"), value), argv + [option, value],
                  "argument " + option, *words) for value in values]


CASES = [
    # --- top level ---
    usage("no-such-verb", ["segment"], "invalid choice", "'segment'"),
    # --- model ---
    *numbers("model", ["model"], "--classes", ["0", "-3", NAN, "x"]),
    usage("model-size-not-32", ["model", "--size", "100x64"], "--size", "multiple of 32"),
    usage("model-size-0x0", ["model", "--size", "0x0"], "--size", "0x0"),
    usage("model-size-garbage", ["model", "--size", "big"], "--size", "big"),
    error("model-unknown-arch", ["model", "--arch", "segformer"], "segformer"),
    error("model-checkpoint-random", ["model", "--checkpoint", "{bad}/random.pt"],
          "random.pt", "not a PyTorch checkpoint", "random bytes"),
    error("model-checkpoint-missing", ["model", "--checkpoint", "{bad}/missing.pt"],
          "missing.pt", "no such checkpoint"),
    error("model-checkpoint-truncated", ["model", "--checkpoint", "{bad}/truncated.pt"],
          "truncated.pt", "not a readable PyTorch checkpoint"),
    error("model-checkpoint-is-onnx", ["model", "--checkpoint", "{onnx}"],
          ".onnx", "an ONNX file"),
    # --- import ---
    error("import-random", ["import", "{bad}/random.pt", "-o", "{out}/x.pt"],
          "random.pt", "not a PyTorch file", "random bytes"),
    error("import-missing", ["import", "{bad}/missing.pth", "-o", "{out}/x.pt"],
          "missing.pth", "no such file"),
    error("import-onnx", ["import", "{onnx}", "-o", "{out}/x.pt"], ".onnx", "an ONNX file"),
    error("import-truncated", ["import", "{bad}/truncated.pt", "-o", "{out}/x.pt"],
          "truncated.pt", "not a readable PyTorch file"),
    error("import-own-checkpoint", ["import", "{ckpt}", "-o", "{out}/x.pt"],
          ".pt", "already a linknet-edge checkpoint"),
    error("import-o-read-only", ["import", "{ckpt}", "-o", "{ro}/x.pt"],
          "x.pt", "cannot write -o"),
    error("import-o-is-folder", ["import", "{ckpt}", "-o", "{bad}"], "is a folder", "-o"),
    error("import-o-below-file", ["import", "{ckpt}", "-o", "{bad}/blocker/x.pt"],
          "blocker", "is a file, not a folder"),
    *numbers("import", ["import", "{ckpt}", "-o", "{out}/x.pt"], "--drop-output", ["-1", "x"]),
    usage("import-size", ["import", "{ckpt}", "-o", "{out}/x.pt", "--size", "33x33"],
          "--size", "multiple of 32"),
    usage("import-dataset", ["import", "{ckpt}", "-o", "{out}/x.pt", "--dataset", "voc"],
          "--dataset", "invalid choice"),
    # --- train (each fails before any data is read or any epoch runs) ---
    *numbers("train", TRAIN, "--lr", [NAN, "0", "-1", "inf"]),
    *numbers("train", TRAIN, "--epochs", ["0", "-2", "1.5"]),
    *numbers("train", TRAIN, "--batch-size", ["0", NAN]),
    *numbers("train", TRAIN, "--workers", ["-1"]),
    *numbers("train", TRAIN, "--weight-decay", ["-1", NAN]),
    *numbers("train", TRAIN, "--momentum", [NAN, "-0.5"]),
    *numbers("train", TRAIN, "--lr-step", ["0"]),
    *numbers("train", TRAIN, "--save-every", ["-1"]),
    *numbers("train", TRAIN, "--overfit", ["0"]),
    *numbers("train", TRAIN, "--limit-train", ["0"]),
    *numbers("train", TRAIN, "--limit-val", ["-1"]),
    *numbers("train", TRAIN, "--seed", ["-1", NAN, str(2 ** 40)]),
    usage("train-device", TRAIN + ["--device", "tpu"], "argument --device", "tpu"),
    usage("train-size", TRAIN + ["--size", "100x100"], "--size", "multiple of 32"),
    usage("train-schedule", TRAIN + ["--schedule", "linear"], "--schedule", "invalid choice"),
    error("train-unknown-arch", TRAIN + ["--arch", "segformer"], "segformer"),
    error("train-out-is-file", TRAIN + ["--out", "{bad}/blocker"],
          "blocker", "is a file; --out needs a folder"),
    error("train-out-read-only", TRAIN + ["--out", "{ro}/run"], "run", "cannot write --out"),
    error("train-out-below-file", TRAIN + ["--out", "{bad}/blocker/run"],
          "blocker", "is a file, not a folder"),
    error("train-data-root-missing", TRAIN + ["--data-root", "{bad}/missing"], "missing"),
    error("train-data-without-labels", TRAIN + ["--data-root", "{bad}/no_labels"],
          "no_labels", "masks"),
    error("train-data-empty-folder", TRAIN + ["--data-root", "{bad}/empty"], "empty"),
    error("train-resume-random", TRAIN + ["--resume", "{bad}/random.pt"],
          "random.pt", "not a PyTorch checkpoint"),
    error("train-init-weights-onnx", TRAIN + ["--init-weights", "{onnx}"],
          ".onnx", "an ONNX file"),
    # --- doctor ---
    usage("doctor-unknown-option", ["doctor", "--yaml"], "unrecognized arguments", "--yaml"),
    # --- evaluate ---
    *numbers("evaluate", EVAL, "--batch-size", ["0", "-1", NAN]),
    *numbers("evaluate", EVAL, "--limit", ["0", "-5"], ["must be a whole number >= 1"]),
    *numbers("evaluate", EVAL, "--limit", [NAN], ["is not a whole number"]),
    usage("evaluate-size", EVAL + ["--size", "65x64"], "--size", "multiple of 32"),
    usage("evaluate-backend", EVAL + ["--backend", "openvino"], "--backend", "invalid choice"),
    usage("evaluate-device", ["evaluate", "{ckpt}"] + DS + ["--device", "gpu0"],
          "argument --device", "gpu0"),
    error("evaluate-json-read-only", EVAL + ["--json", "{ro}/r.json"],
          "r.json", "cannot write --json"),
    error("evaluate-json-is-folder", EVAL + ["--json", "{bad}"], "is a folder", "--json"),
    error("evaluate-json-below-file", EVAL + ["--json", "{bad}/blocker/r.json"],
          "blocker", "is a file, not a folder"),
    error("evaluate-onnx-random", ["evaluate", "{bad}/random.onnx"] + DS, "random.onnx"),
    error("evaluate-pt-random", ["evaluate", "{bad}/random.pt"] + DS,
          "random.pt", "not a PyTorch checkpoint"),
    error("evaluate-pt-named-onnx", ["evaluate", "{bad}/checkpoint.onnx"] + DS,
          "checkpoint.onnx"),
    error("evaluate-missing-model", ["evaluate", "{bad}/missing.onnx"] + DS, "missing.onnx"),
    error("evaluate-engine-no-sidecar", ["evaluate", "{bad}/lonely.engine"] + DS,
          "lonely.engine"),
    error("evaluate-engine-bad-sidecar", ["evaluate", "{bad}/broken.engine"] + DS,
          "broken.engine"),
    error("evaluate-data-root-missing", EVAL + ["--data-root", "{bad}/missing"], "missing"),
    error("evaluate-no-labels", EVAL + ["--data-root", "{bad}/no_labels"], "no_labels"),
    error("evaluate-empty-folder", EVAL + ["--data-root", "{bad}/empty"], "empty"),
    error("evaluate-corrupt-image", EVAL + ["--data-root", "{bad}/ds_corrupt"],
          "0.png", "cannot decode"),
    error("evaluate-wrong-layout", ["evaluate", "{onnx}", "--dataset", "camvid",
                                    "--data-root", "{bad}/ds"], "ds"),
    error("evaluate-unknown-split", EVAL + ["--split", "test"], "test"),
    # --- demo (each refused before any data is made) ---
    *numbers("demo", ["demo", "--out", "{out}/d"], "--epochs", ["0", NAN]),
    *numbers("demo", ["demo", "--out", "{out}/d"], "--frames", ["-1"]),
    *numbers("demo", ["demo", "--out", "{out}/d"], "--limit", ["0"]),
    *numbers("demo", ["demo", "--out", "{out}/d"], "--seed", [NAN]),
    usage("demo-size", ["demo", "--size", "10x10"], "--size", "multiple of 32"),
    error("demo-out-is-file", ["demo", "--out", "{bad}/blocker"], "blocker", "is a file"),
    error("demo-out-read-only", ["demo", "--out", "{ro}/d"], "cannot write --out"),
    error("demo-data-root-missing", ["demo", "--out", "{out}/d", "--data-root",
                                     "{bad}/missing"], "missing", "does not exist"),
    # --- export ---
    error("export-pt-random", ["export", "{bad}/random.pt", "-o", "{out}/x.onnx"],
          "random.pt", "not a PyTorch checkpoint", "random bytes"),
    error("export-pt-truncated", ["export", "{bad}/truncated.pt", "-o", "{out}/x.onnx"],
          "truncated.pt", "truncated"),
    error("export-pt-empty", ["export", "{bad}/empty.pt", "-o", "{out}/x.onnx"],
          "empty.pt", "an empty file"),
    error("export-onnx-as-checkpoint", ["export", "{onnx}", "-o", "{out}/x.onnx"],
          ".onnx", "an ONNX file"),
    error("export-onnx-named-pt", ["export", "{bad}/model_onnx.pt", "-o", "{out}/x.onnx"],
          "model_onnx.pt", "an ONNX file"),
    error("export-state-dict", ["export", "{bad}/state_dict.pt", "-o", "{out}/x.onnx"],
          "state_dict.pt", "not a linknet-edge checkpoint"),
    error("export-malicious", ["export", "{bad}/malicious.pt", "-o", "{out}/x.onnx"],
          "malicious.pt", "refused to load"),
    error("export-missing", ["export", "{bad}/missing.pt", "-o", "{out}/x.onnx"],
          "missing.pt", "no such checkpoint"),
    error("export-o-empty", ["export", "{ckpt}", "-o", ""], "-o", "the path is empty"),
    error("export-o-read-only", ["export", "{ckpt}", "-o", "{ro}/x.onnx"],
          "x.onnx", "cannot write -o"),
    error("export-o-is-folder", ["export", "{ckpt}", "-o", "{bad}"], "is a folder", "-o"),
    error("export-o-below-file", ["export", "{ckpt}", "-o", "{bad}/blocker/x.onnx"],
          "blocker", "is a file, not a folder"),
    *numbers("export", EXPORT, "--opset", ["0", NAN]),
    error("export-opset-14", EXPORT + ["--opset", "14"], "opset 14", "TensorRT 8.2"),
    *numbers("export", EXPORT, "--batch-size", ["0", "-1"]),
    error("export-batch-with-dynamic", EXPORT + ["--batch-size", "2", "--dynamic-batch"],
          "--batch-size 2", "not both"),
    usage("export-size-not-32", EXPORT + ["--size", "100x64"], "--size", "multiple of 32"),
    usage("export-size-0x0", EXPORT + ["--size", "0x0"], "--size"),
    usage("export-input-form", EXPORT + ["--input", "rgb16"], "--input", "invalid choice"),
    error("export-images-missing", ["export", "{ckpt}", "-o", "{out}/x.onnx", "--images",
                                    "{bad}/missing"], "missing", "does not exist"),
    error("export-images-empty", ["export", "{ckpt}", "-o", "{out}/x.onnx", "--images",
                                  "{bad}/empty"], "empty", "no images found"),
    error("export-images-not-images", ["export", "{ckpt}", "-o", "{out}/x.onnx", "--images",
                                       "{bad}/not_images"],
          "x.onnx", "not written", "cannot decode", "x.failed.onnx"),
    # --- verify ---
    error("verify-onnx-random", ["verify", "{bad}/random.onnx", "--checkpoint", "{ckpt}"],
          "random.onnx"),
    error("verify-onnx-missing", ["verify", "{bad}/missing.onnx", "--checkpoint", "{ckpt}"],
          "missing.onnx"),
    error("verify-pt-as-onnx", ["verify", "{bad}/checkpoint.onnx", "--checkpoint", "{ckpt}"],
          "checkpoint.onnx"),
    error("verify-checkpoint-random", ["verify", "{onnx}", "--checkpoint", "{bad}/random.pt"],
          "random.pt", "not a PyTorch checkpoint"),
    error("verify-checkpoint-is-onnx", ["verify", "{onnx}", "--checkpoint", "{onnx}"],
          ".onnx", "an ONNX file"),
    error("verify-checkpoint-missing", ["verify", "{onnx}", "--checkpoint", "{bad}/no.pt"],
          "no.pt", "no such checkpoint"),
    error("verify-opset-17", ["verify", "{bad}/opset17.onnx", "--checkpoint", "{ckpt}",
                              "--count", "1"], "opset17.onnx", "TensorRT 8.2: opset 17 is newer"),
    *numbers("verify", VERIFY, "--count", ["0", NAN]),
    *numbers("verify", VERIFY, "--tolerance", [NAN, "-1"]),
    *numbers("verify", VERIFY, "--min-agreement", ["2", NAN, "-0.1"]),
    error("verify-images-missing", VERIFY + ["--images", "{bad}/missing"],
          "missing", "does not exist"),
    error("verify-images-empty", VERIFY + ["--images", "{bad}/empty"], "empty", "no images found"),
    error("verify-images-not-images", VERIFY + ["--images", "{bad}/not_images"],
          "notimage.png", "cannot decode"),
    # --- quantize ---
    error("quantize-calib-missing", ["quantize", "{onnx}", "--precision", "int8", "-o",
                                     "{out}/q.onnx", "--calib", "{bad}/missing"],
          "missing", "does not exist"),
    error("quantize-calib-empty", ["quantize", "{onnx}", "--precision", "int8", "-o",
                                   "{out}/q.onnx", "--calib", "{bad}/empty"],
          "empty", "no images found"),
    error("quantize-int8-without-calib", ["quantize", "{onnx}", "--precision", "int8", "-o",
                                          "{out}/q.onnx"], "--calib"),
    error("quantize-o-read-only", ["quantize", "{onnx}", "--precision", "fp16", "-o",
                                   "{ro}/q.onnx"], "q.onnx", "cannot write -o"),
    error("quantize-o-is-folder", ["quantize", "{onnx}", "--precision", "fp16", "-o", "{bad}"],
          "is a folder", "-o"),
    *numbers("quantize", QUANT, "--calib-count", ["0"]),
    *numbers("quantize", QUANT, "--count", ["0", NAN]),
    *numbers("quantize", QUANT, "--limit", ["-1"]),
    *numbers("quantize", QUANT, "--min-agreement", ["1.5", NAN]),
    usage("quantize-precision", ["quantize", "{onnx}", "--precision", "int4", "-o", "q.onnx"],
          "--precision", "invalid choice"),
    error("quantize-onnx-random", ["quantize", "{bad}/random.onnx", "--precision", "fp16", "-o",
                                   "{out}/q.onnx"], "random.onnx"),
    error("quantize-onnx-missing", ["quantize", "{bad}/missing.onnx", "--precision", "fp16",
                                    "-o", "{out}/q.onnx"], "missing.onnx"),
    error("quantize-dataset-without-root", QUANT + ["--dataset", "camvid"],
          "--dataset camvid", "--data-root"),
    error("quantize-images-missing", QUANT + ["--images", "{bad}/missing"],
          "missing", "does not exist"),
    # --- build (each refused before TensorRT is looked for) ---
    error("build-o-read-only", ["build", "{onnx}", "-o", "{ro}/x.engine"],
          "x.engine", "cannot write -o"),
    error("build-o-is-folder", ["build", "{onnx}", "-o", "{bad}"], "is a folder", "-o"),
    error("build-o-below-file", ["build", "{onnx}", "-o", "{bad}/blocker/x.engine"],
          "blocker", "is a file, not a folder"),
    *numbers("build", BUILD, "--workspace", ["0", NAN]),
    usage("build-precision", BUILD + ["--precision", "int4"], "--precision", "invalid choice"),
    usage("build-force-and-no-rebuild", BUILD + ["--force", "--no-rebuild"],
          "--no-rebuild", "not allowed with"),
    error("build-onnx-random", ["build", "{bad}/random.onnx", "-o", "{out}/x.engine"],
          "random.onnx"),
    error("build-onnx-missing", ["build", "{bad}/missing.onnx", "-o", "{out}/x.engine"],
          "missing.onnx"),
    error("build-pt-given", ["build", "{ckpt}", "-o", "{out}/x.engine"], ".pt"),
    error("build-calib-missing", BUILD + ["--precision", "int8", "--calib", "{bad}/missing"],
          "missing", "does not exist"),
    # --- deploy ---
    usage("deploy-no-target", ["deploy"], "TARGET"),
    error("deploy-deepstream-o-is-file", ["deploy", "deepstream", "{onnx_float}", "-o",
                                          "{bad}/blocker"], "blocker", "is a file"),
    error("deploy-deepstream-o-read-only", ["deploy", "deepstream", "{onnx_float}", "-o",
                                            "{ro}/ds"], "ds", "cannot write -o"),
    error("deploy-deepstream-uint8-input", ["deploy", "deepstream", "{onnx}", "-o", "{out}/ds"],
          ".onnx", "--input raw"),
    *numbers("deploy-deepstream", STREAM, "--sources", ["0", NAN]),
    error("deploy-deepstream-uri-count", STREAM + ["--sources", "2", "--uri", "a.mp4", "--uri",
                                                   "b.mp4", "--uri", "c.mp4"], "--uri"),
    error("deploy-deepstream-onnx-random", ["deploy", "deepstream", "{bad}/random.onnx", "-o",
                                            "{out}/ds"], "random.onnx"),
    error("deploy-deepstream-engine-no-sidecar", ["deploy", "deepstream",
                                                  "{bad}/lonely.engine", "-o", "{out}/ds"],
          "lonely.engine"),
    error("deploy-deepstream-engine-bad-sidecar", ["deploy", "deepstream",
                                                   "{bad}/broken.engine", "-o", "{out}/ds"],
          "broken.engine"),
    error("deploy-deepstream-missing", ["deploy", "deepstream", "{bad}/missing.onnx", "-o",
                                        "{out}/ds"], "missing.onnx"),
    usage("deploy-deepstream-sink", STREAM + ["--sink", "hdmi"], "--sink", "invalid choice"),
    error("deploy-triton-o-is-file", ["deploy", "triton", "{onnx}", "-o", "{bad}/blocker"],
          "blocker", "is a file, not a folder"),
    error("deploy-triton-o-read-only", ["deploy", "triton", "{onnx}", "-o", "{ro}/repo"],
          "repo", "cannot write -o"),
    *numbers("deploy-triton", TRITON, "--version", ["0"]),
    *numbers("deploy-triton", TRITON, "--max-batch", ["0"]),
    *numbers("deploy-triton", TRITON, "--queue-delay-us", ["-1"]),
    *numbers("deploy-triton", TRITON, "--instances", ["0"]),
    usage("deploy-triton-device", TRITON + ["--device", "tpu"], "--device", "invalid choice"),
    error("deploy-triton-name", TRITON + ["--name", "my model"], "--name", "letters"),
    error("deploy-triton-pt-given", ["deploy", "triton", "{ckpt}", "-o", "{out}/repo"], ".pt"),
    # --- run ---
    error("run-http-port-out-of-range", RUN + ["-o", "http://127.0.0.1:99999"],
          "99999", "port"),
    error("run-http-port-garbage", RUN + ["-o", "http://127.0.0.1:web"], "port"),
    error("run-output-scheme", RUN + ["-o", "ftp://host/x.mp4"], "ftp", "unknown output scheme"),
    error("run-output-type", RUN + ["-o", "{out}/x.gif"], "x.gif", "unknown output type"),
    error("run-output-read-only", RUN + ["-o", "{ro}/x.mp4"], "x.mp4", "cannot write"),
    error("run-output-below-file", RUN + ["-o", "{bad}/blocker/x.mp4"],
          "blocker", "is a file, not a folder"),
    error("run-save-masks-is-file", RUN + ["--save-masks", "{bad}/blocker"],
          "blocker", "is a file"),
    error("run-rtsp-tab", ["run", "{onnx}", "-i", "rtsp://cam/li" + TAB + "ve"], "rtsp://"),
    error("run-input-scheme", ["run", "{onnx}", "-i", "gopher://cam"], "gopher"),
    error("run-camera-missing", ["run", "{onnx}", "-i", "v4l2:///dev/video99"],
          "/dev/video99", "no such camera device"),
    error("run-input-missing", ["run", "{onnx}", "-i", "{bad}/missing.mp4"], "missing.mp4"),
    error("run-input-empty-folder", ["run", "{onnx}", "-i", "{bad}/empty"], "empty"),
    error("run-input-not-an-image", ["run", "{onnx}", "-i", "{bad}/not_images/notimage.png"],
          "notimage.png"),
    error("run-pytorch-backend-onnx", ["run", "--backend", "pytorch", "{onnx}", "-i",
                                       "{bad}/frame.png"], ".onnx", "an ONNX file",
          "--backend onnxruntime"),
    error("run-pt-random", ["run", "{bad}/random.pt", "-i", "{bad}/frame.png"],
          "random.pt", "not a PyTorch checkpoint"),
    error("run-onnx-random", ["run", "{bad}/random.onnx", "-i", "{bad}/frame.png"],
          "random.onnx"),
    error("run-engine-no-sidecar", ["run", "{bad}/lonely.engine", "-i", "{bad}/frame.png"],
          "lonely.engine"),
    error("run-model-missing", ["run", "{bad}/missing.onnx", "-i", "{bad}/frame.png"],
          "missing.onnx"),
    error("run-unknown-backend", RUN + ["--backend", "openvino"], "openvino"),
    error("run-outputs-per-input", ["run", "{onnx}", "-i", "{bad}/frame.png", "-i",
                                    "{bad}/frame.png", "-o", "a.mp4", "-o", "b.mp4", "-o",
                                    "c.mp4"], "--output"),
    *numbers("run", RUN, "--alpha", ["2", NAN, "-1"]),
    *numbers("run", RUN, "--limit", ["0"]),
    *numbers("run", RUN, "--batch-size", ["0"]),
    *numbers("run", RUN, "--batch-wait", ["-1"]),
    *numbers("run", RUN, "--latency", ["-5"]),
    *numbers("run", RUN, "--bitrate", ["0", NAN]),
    usage("run-overlay-size", RUN + ["--overlay-size", "huge"], "--overlay-size",
          "invalid choice"),
    # --- bench ---
    *numbers("bench-latency", LATENCY, "--iters", ["0", NAN]),
    *numbers("bench-latency", LATENCY, "--warmup", ["-1"]),
    *numbers("bench-latency", LATENCY, "--batch-size", ["0"]),
    usage("bench-latency-size", LATENCY + ["--size", "100x100"], "--size", "multiple of 32"),
    error("bench-latency-unknown-backend", LATENCY + ["--backend", "openvino"],
          "openvino", "unknown backend"),
    error("bench-latency-out-is-file", ["bench", "latency", "{onnx}", "--out", "{bad}/blocker"],
          "blocker", "is a file; --out needs a folder"),
    error("bench-latency-out-read-only", ["bench", "latency", "{onnx}", "--out", "{ro}/b"],
          "cannot write --out"),
    *numbers("bench-accuracy", ACCURACY, "--limit", ["0"]),
    *numbers("bench-accuracy", ACCURACY, "--calib-count", ["0"]),
    *numbers("bench-accuracy", ACCURACY, "--min-miou", [NAN, "-1"]),
    *numbers("bench-accuracy", ACCURACY, "--max-miou-drop", ["-1", NAN]),
    error("bench-accuracy-out-is-file", ["bench", "accuracy", "{ckpt}"] + DS +
          ["--out", "{bad}/blocker"], "blocker", "is a file; --out needs a folder"),
]


def _write_folder_dataset(root, image_bytes=None):
    """A ``folder`` dataset of 2 frames in the tiny checkpoint's 3 classes, split files for
    train and val; ``image_bytes`` replaces the first image's content."""
    import cv2
    import numpy as np
    for sub in ("images", "masks"):
        os.makedirs(os.path.join(root, sub))
    with open(os.path.join(root, "classes.csv"), "w") as handle:
        handle.write("index,name\n0,class0\n1,class1\n2,class2\n")
    for split in ("train", "val"):  # what training reads; "all" is every pair
        with open(os.path.join(root, split + ".txt"), "w") as handle:
            handle.write("0\n1\n")
    for index in range(2):
        image = np.full((64, 64, 3), 40 * index, np.uint8)
        cv2.imwrite(os.path.join(root, "images", "{}.png".format(index)), image)
        cv2.imwrite(os.path.join(root, "masks", "{}.png".format(index)),
                    np.full((64, 64), index, np.uint8))
    if image_bytes is not None:
        with open(os.path.join(root, "images", "0.png"), "wb") as handle:
            handle.write(image_bytes)
    return root


def _can_write_in(folder):
    try:
        handle, probe = tempfile.mkstemp(dir=folder)
    except OSError:
        return False
    os.close(handle)
    os.remove(probe)
    return True


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, tiny_checkpoint, onnx_uint8_path, onnx_path):
    """The files and folders every row refers to; a folder no one can write in at ``ro``."""
    import numpy as np
    import cv2
    import torch
    bad = str(tmp_path_factory.mktemp("bad"))
    rng = np.random.RandomState(0)
    noise = rng.randint(0, 256, 4096).astype(np.uint8).tobytes()
    checkpoint = open(tiny_checkpoint, "rb").read()
    onnx_bytes = open(onnx_uint8_path, "rb").read()

    def put(name, data):
        with open(os.path.join(bad, name), "wb") as handle:
            handle.write(data)

    put("random.pt", b"\x13" + noise)  # never a zip ("PK") or pickle (0x80) opening
    put("random.onnx", b"\x13" + noise)
    put("truncated.pt", checkpoint[:len(checkpoint) // 2])
    put("empty.pt", b"")
    put("model_onnx.pt", onnx_bytes)
    put("checkpoint.onnx", checkpoint)
    put("blocker", b"a file where a folder is wanted")
    put("lonely.engine", noise)
    put("broken.engine", noise)
    put("broken.engine.json", b"{\"spec\": ")
    torch.save({"state_dict": {"w": torch.zeros(1)}}, os.path.join(bad, "state_dict.pt"))
    from linknet_edge.export.onnx import export_onnx
    export_onnx(tiny_checkpoint, os.path.join(bad, "opset17.onnx"), opset=17, force_opset=True,
                verify=False)
    torch.save({"payload": _Payload(os.path.join(bad, "PAYLOAD_RAN"))},
               os.path.join(bad, "malicious.pt"))
    for name in ("empty", "not_images"):
        os.makedirs(os.path.join(bad, name))
    put(os.path.join("not_images", "notimage.png"), b"this is text, not a PNG\n")
    cv2.imwrite(os.path.join(bad, "frame.png"), np.full((48, 80, 3), 90, np.uint8))
    _write_folder_dataset(os.path.join(bad, "ds"))
    _write_folder_dataset(os.path.join(bad, "ds_corrupt"), image_bytes=b"not a png")
    no_labels = _write_folder_dataset(os.path.join(bad, "no_labels"))
    for name in os.listdir(os.path.join(no_labels, "masks")):
        os.remove(os.path.join(no_labels, "masks", name))
    os.rmdir(os.path.join(no_labels, "masks"))
    ro = os.path.join(bad, "read_only")
    os.makedirs(ro)
    os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
    if _can_write_in(ro):  # root ignores permission bits; sysfs refuses new files to anyone
        ro = "/sys"
    yield {"ckpt": tiny_checkpoint, "onnx": onnx_uint8_path, "onnx_float": onnx_path,
           "bad": bad, "ro": ro}
    os.chmod(os.path.join(bad, "read_only"), stat.S_IRWXU)
    assert not os.path.exists(os.path.join(bad, "PAYLOAD_RAN"))


class _Payload(object):
    """Unpickling this would create ``path``: what a malicious checkpoint does."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("argv, code, words", CASES)
def test_bad_input_is_one_line_naming_it(argv, code, words, bad_files, tmp_path, capsys):
    if "{ro}" in " ".join(argv) and _can_write_in(bad_files["ro"]):
        pytest.skip("no folder here refuses new files to this user")
    paths = dict(bad_files, out=str(tmp_path))
    args = [part.format(**paths) for part in argv]
    try:
        result = main(["-q"] + args)
    except SystemExit as exc:
        result = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert lines, "nothing on stderr (exit {})".format(result)
    last = lines[-1]
    assert result == code, last
    prefix = "linknet-edge" if code == 2 else "linknet-edge {}: error: ".format(args[0])
    assert last.startswith(prefix) or (code == 2 and "error:" in last), last
    for word in words:
        assert word.format(**paths) in last, (word, last)


def test_the_catalogue_is_large_and_its_ids_unique():
    ids = [case.id for case in CASES]
    assert len(ids) >= 100 and len(set(ids)) == len(ids)
    verbs = {case.values[0][0] for case in CASES}
    from linknet_edge.cli import VERBS
    assert {verb for verb, _ in VERBS} <= verbs


def test_a_failed_verification_keeps_the_export_under_a_failed_name(bad_files, tmp_path,
                                                                    capsys):
    out = tmp_path / "x.onnx"
    assert main(["-q", "export", bad_files["ckpt"], "-o", str(out), "--images",
                 os.path.join(bad_files["bad"], "not_images")]) == 1
    assert not out.exists() and (tmp_path / "x.failed.onnx").is_file()
    assert sorted(os.listdir(str(tmp_path))) == ["x.failed.onnx"]
    capsys.readouterr()

