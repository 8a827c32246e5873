"""One script for a machine with a CUDA GPU: every fast path for LinkNet, side by side, in minutes.

Times PyTorch on CUDA in FP32 and FP16 (``.half()``), each also with ``channels_last``; the ONNX
export on ONNX Runtime's CUDA and TensorRT execution providers where this onnxruntime build has
them; and TensorRT FP32/FP16 engines where TensorRT and pycuda are installed. Absent pieces show
up as "unavailable" rows. Share of peak is against a torch matrix product on the same device in
the row's precision. Writes latency.json/.csv/.md and plots into --out and prints the table.

    python -m linknet_edge.benchmarks.gpu_bench --checkpoint best.pt --size 480x352 --out gpu-bench

Not run in this project's CI (no GPU there); ``--device cpu`` runs the PyTorch part on the CPU
as a smoke test of the script itself.
"""

import argparse
import logging
import os
import sys
import time


__all__ = ["main", "measure_torch_variants", "measure_gpu_peaks"]

logger = logging.getLogger(__name__)


def _sync(torch, device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure_gpu_peaks(device, n=None, iters=20):
    """Matrix-product GFLOP/s on ``device`` in float32 and float16 (torch)."""
    import torch
    n = n or (4096 if device.startswith("cuda") else 512)
    peaks = {}
    for name, dtype in (("torch_fp32", torch.float32), ("torch_fp16", torch.float16)):
        if dtype == torch.float16 and not device.startswith("cuda"):
            continue
        a = torch.randn(n, n, device=device, dtype=dtype)
        b = torch.randn(n, n, device=device, dtype=dtype)
        torch.mm(a, b)
        _sync(torch, device)
        start = time.perf_counter()
        for _ in range(iters):
            torch.mm(a, b)
        _sync(torch, device)
        peaks[name] = {"library": name, "n": n,
                       "gflops": 2.0 * n ** 3 * iters / (time.perf_counter() - start) / 1e9}
    return peaks


class _TorchCall(object):
    """``run(x)``: the network's class map, waited for, so ``time_runner`` can time it."""

    def __init__(self, torch, net, device):
        self._torch, self._net, self._device = torch, net, device

    def run(self, x):
        self._net(x).argmax(1)
        _sync(self._torch, self._device)


def measure_torch_variants(checkpoint, size, batch, warmup, iters, device, peaks):
    """Rows for PyTorch FP32/FP16 x contiguous/channels_last on ``device``."""
    import torch
    from linknet_edge.benchmarks.latency import time_runner
    from linknet_edge.benchmarks.macs import MacCounter
    from linknet_edge.benchmarks.results import OK, power_columns, throughput, timing_stats
    from linknet_edge.weights import load_model
    from linknet_edge.sizes import format_size
    model, spec = load_model(checkpoint, map_location=device)
    macs = MacCounter().count(checkpoint, spec, size)
    rows = []
    for precision, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
        for layout in (torch.contiguous_format, torch.channels_last):
            net = model.to(dtype=dtype, memory_format=layout)
            x = torch.randn((batch, 3) + tuple(size), device=device, dtype=dtype)
            x = x.contiguous(memory_format=layout)
            with torch.no_grad():
                seconds, power = time_runner(_TorchCall(torch, net, device), x, warmup, iters)
            stats = timing_stats(seconds, batch)
            peak = (peaks.get("torch_" + precision) or {}).get("gflops")
            backend = "pytorch:" + device
            if layout == torch.channels_last:
                backend += "/channels_last"
            row = {"model": os.path.basename(checkpoint), "backend": backend, "provider": backend,
                   "precision": precision, "size": format_size(*size), "batch": batch,
                   "status": OK}
            row.update(stats)
            row.update(throughput(macs, batch, stats["mean_ms"], peak))
            row.update(power_columns(power, stats["fps"]))
            rows.append(row)
    return rows


def _tensorrt_engines(onnx_path, out):
    """Build FP32 and FP16 engines; returns (paths, rows for the ones that could not be built)."""
    from linknet_edge.benchmarks.results import FAILED, UNAVAILABLE, one_line
    from linknet_edge.errors import BackendUnavailable
    paths, rows = [], []
    for precision in ("fp32", "fp16"):
        try:
            from linknet_edge.export.tensorrt import build_engine
            paths.append(build_engine(onnx_path, os.path.join(out, "model_{}.engine".format(
                precision)), precision=precision))
        except BackendUnavailable as exc:
            rows.append({"model": "model_{}.engine".format(precision), "backend": "tensorrt",
                         "precision": precision, "status": UNAVAILABLE, "reason": one_line(exc)})
        except Exception as exc:  # keep going: the other rows are still worth having
            rows.append({"model": "model_{}.engine".format(precision), "backend": "tensorrt",
                         "precision": precision, "status": FAILED, "reason": one_line(exc)})
    return paths, rows


def main(argv=None):
    from linknet_edge.sizes import parse_size
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=None, help=".pt (default: an untrained LinkNet)")
    parser.add_argument("--size", type=parse_size, default=(352, 480), metavar="WxH")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu (smoke test)")
    parser.add_argument("--out", default="gpu-bench", metavar="DIR")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    import torch
    from linknet_edge.benchmarks import LatencyReport, format_table, measure_latency, write_reports
    from linknet_edge.benchmarks.results import throughput
    from linknet_edge.export.onnx import export_onnx
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.stderr.write("gpu_bench: torch sees no CUDA GPU; use --device cpu for a smoke test\n")
        return 1
    if not os.path.isdir(args.out):
        os.makedirs(args.out)
    checkpoint = args.checkpoint
    if checkpoint is None:
        from linknet_edge.benchmarks.readme_performance import _untrained_checkpoint
        checkpoint = _untrained_checkpoint(os.path.join(args.out, "untrained.pt"), args.size)
    torch.backends.cudnn.benchmark = True
    peaks = measure_gpu_peaks(args.device)
    rows = measure_torch_variants(checkpoint, args.size, args.batch, args.warmup, args.iters,
                                  args.device, peaks)
    onnx_path = export_onnx(checkpoint, os.path.join(args.out, "model.onnx"), size=args.size,
                            argmax=True, verify=False).path
    engines, engine_rows = _tensorrt_engines(onnx_path, args.out)
    # peak_seconds=0: its CPU matmul peak is replaced below by the GPU's, so keep it short
    onnx_report = measure_latency([onnx_path] + engines, batch_size=args.batch, warmup=args.warmup,
                                  iters=args.iters, peak_seconds=0, backends=[
                                      "onnxruntime:cuda", "onnxruntime:tensorrt", "tensorrt"])
    for row in onnx_report.ok_rows():  # share of the device's peak, not the CPU's
        peak = (peaks.get("torch_" + row["precision"]) or {}).get("gflops")
        row.update(throughput(row["gmacs"] and row["gmacs"] * 1e9, args.batch, row["mean_ms"],
                              peak))
    report = LatencyReport(rows + onnx_report.rows + engine_rows, onnx_report.environment,
                           {"size": args.size, "batch": args.batch, "iters": args.iters,
                            "device": args.device}, peaks)
    write_reports(report, args.out)
    print(format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
