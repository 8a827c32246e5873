#!/bin/sh
# The CamVid recipe as one command for a CUDA machine: train (AMP, channels-last, memmap cache,
# as many epochs at 480x352 as fit in a time budget), evaluate on val, export (--argmax),
# verify, and benchmark PyTorch CUDA FP32/FP16 and ONNX Runtime CUDA, writing one Markdown
# report with every figure and command.
#
#   benchmarks/gpu_train.sh pack [--data-root ../shared/data/camvid] [--data DIR] [--limit N]
#       here, once: CamVid train+val as JPEG 95 + PNG labels into packed/camvid (ignored by git,
#       34 MiB, small enough to travel with the working tree; ../shared does not travel)
#   benchmarks/gpu_train.sh run [--minutes 8] [--epochs N | --max-epochs 300] [--device cuda]
#       [--size 480x352] [--batch-size 8] [--workers N] [--data DIR] [--out DIR] [--python PY]
#       [--limit-train N] [--limit-val N] [--bench-iters N] [--reserve SECONDS]
#       on the GPU machine: reads the packed folder, writes DIR/REPORT.md
#
# The epoch count: epoch 1 runs alone and is timed; then as many epochs as fit into what is left
# of --minutes (less --reserve seconds for evaluation, export, verification and benchmarks) are
# chosen (at most --max-epochs) and the run resumes with --epochs N (the saved options are
# reused; the poly schedule then spans N epochs, and epoch 1 is the same as that of an N-epoch
# run: factor 1 at epoch 0). --epochs N fixes the count instead. --device cpu with tiny limits
# is a smoke test of the script.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STEP=${1:-}
[ $# -gt 0 ] && shift

SOURCE="$ROOT/../shared/data/camvid"
DATA="$ROOT/packed/camvid"
OUT="$ROOT/runs/gpu-recipe"
PY=${PYTHON:-python3}
MINUTES=8
EPOCHS=
MAX_EPOCHS=300
DEVICE=cuda
SIZE=480x352
BATCH=8
WORKERS=
LIMIT=
LIMIT_TRAIN=
LIMIT_VAL=
BENCH_ITERS=100
RESERVE=150

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

fail() {
    echo "gpu_train: error: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { [ "$1" = -h ] || [ "$1" = --help ] || fail "$1 needs a value"; usage; }
    case $1 in
        --data-root) SOURCE=$2 ;;
        --data) DATA=$2 ;;
        --out) OUT=$2 ;;
        --python) PY=$2 ;;
        --minutes) MINUTES=$2 ;;
        --epochs) EPOCHS=$2 ;;
        --max-epochs) MAX_EPOCHS=$2 ;;
        --device) DEVICE=$2 ;;
        --size) SIZE=$2 ;;
        --batch-size) BATCH=$2 ;;
        --workers) WORKERS=$2 ;;
        --limit) LIMIT=$2 ;;
        --limit-train) LIMIT_TRAIN=$2 ;;
        --limit-val) LIMIT_VAL=$2 ;;
        --bench-iters) BENCH_ITERS=$2 ;;
        --reserve) RESERVE=$2 ;;
        *) fail "unknown option $1 (see --help)" ;;
    esac
    shift 2
done

whole_number() {
    case $2 in
        '' | *[!0-9]*) fail "$1 must be a whole number, got '$2'" ;;
    esac
}

pack() {
    "$PY" -c "import linknet_edge.benchmarks.pack_dataset" 2>/dev/null \
        || fail "$PY cannot import linknet_edge: install it there, or give --python PY (or PYTHON=PY)"
    set -- --data-root "$SOURCE" --out "$DATA"
    [ -n "$LIMIT" ] && set -- "$@" --limit "$LIMIT"
    "$PY" -m linknet_edge.benchmarks.pack_dataset "$@"
}

# Run a step: log the command into the report, keep its output in logs/NAME.log.
step() {
    name=$1
    shift
    echo "gpu_train: $name: $*" >&2
    printf '%s\n' "$*" >>"$OUT/commands.txt"
    if ! "$@" >"$OUT/logs/$name.log" 2>&1; then
        tail -n 5 "$OUT/logs/$name.log" >&2
        fail "step '$name' failed (log: $OUT/logs/$name.log)"
    fi
}

# history.csv -> a Markdown table (metrics in %)
history_table() {
    awk -F, 'NR == 1 { print "| epoch | train loss | val loss | val mIoU | mean class acc. | global acc. | lr | s |"
                       print "|---|---|---|---|---|---|---|---|"; next }
             { printf "| %d | %.4f | %.4f | %.2f %% | %.2f %% | %.2f %% | %.3g | %.1f |\n",
                      $1, $2, $3, 100 * $4, 100 * $5, 100 * $6, $7, $8 }' "$1"
}

code_block() {
    echo '```'
    cat "$1"
    echo '```'
}

report() {
    started=$1
    finished=$(date +%s)
    {
        echo "# LinkNet on CamVid: the GPU recipe"
        echo
        echo "benchmarks/gpu_train.sh run, $(date -u '+%Y-%m-%d %H:%M UTC'), $((finished - started)) s in all (budget ${MINUTES} min)."
        echo
        echo "## Machine"
        echo
        code_block "$OUT/logs/environment.log"
        echo
        echo "## Training: $SIZE, $CHOSEN epoch(s) from scratch, batch $BATCH, AMP, channels-last"
        echo
        echo "$CHOICE"
        echo
        history_table "$OUT/train/history.csv"
        echo
        echo "The table's val figures are at the network input size; the evaluation below scores best.pt at the labels' full resolution."
        echo
        echo "## Validation (linknet-edge evaluate best.pt, full label resolution)"
        echo
        code_block "$OUT/logs/evaluate.log"
        echo
        echo "## Export and verification"
        echo
        code_block "$OUT/logs/export.log"
        echo
        code_block "$OUT/logs/verify.log"
        echo
        echo "## Latency: PyTorch CUDA FP32/FP16, ONNX Runtime CUDA (python -m linknet_edge.benchmarks.gpu_bench)"
        echo
        cat "$OUT/bench/latency.md"
        echo
        echo "## Commands"
        echo
        code_block "$OUT/commands.txt"
    } >"$OUT/REPORT.md"
    echo "gpu_train: report in $OUT/REPORT.md ($((finished - started)) s in all)" >&2
}

run() {
    started=$(date +%s)
    whole_number --minutes "$MINUTES"
    whole_number --reserve "$RESERVE"
    whole_number --bench-iters "$BENCH_ITERS"
    whole_number --max-epochs "$MAX_EPOCHS"
    [ -d "$DATA" ] || fail "$DATA: no packed dataset here; run 'benchmarks/gpu_train.sh pack' first"
    [ -e "$OUT" ] && fail "$OUT: exists; remove it or choose another --out"
    if [ -z "$WORKERS" ]; then
        cores=$(nproc 2>/dev/null || echo 2)
        WORKERS=$((cores / 2))
        [ "$WORKERS" -gt 8 ] && WORKERS=8
        [ "$WORKERS" -lt 1 ] && WORKERS=1
    fi
    if ! "$PY" -c "import linknet_edge.benchmarks.gpu_bench" 2>/dev/null; then
        echo "gpu_train: installing linknet-edge (no dependencies) into $PY" >&2
        "$PY" -m pip install -q --no-deps --no-build-isolation --no-index "$ROOT" \
            || fail "cannot install linknet-edge into $PY"
    fi
    mkdir -p "$OUT/logs"
    : >"$OUT/commands.txt"
    {
        "$PY" -c 'import platform, torch; print("python", platform.python_version(), "torch", torch.__version__, "cuda", torch.version.cuda, "gpu", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")'
        nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not here"
        echo "cpu cores: $(nproc 2>/dev/null || echo '?'), DataLoader workers: $WORKERS"
    } >"$OUT/logs/environment.log" 2>&1

    set -- "$PY" -m linknet_edge.cli train --dataset camvid --data-root "$DATA" --size "$SIZE" \
        --batch-size "$BATCH" --workers "$WORKERS" --device "$DEVICE" --amp \
        --cache-dir "$OUT/cache" --out "$OUT/train"
    [ -n "$LIMIT_TRAIN" ] && set -- "$@" --limit-train "$LIMIT_TRAIN"
    [ -n "$LIMIT_VAL" ] && set -- "$@" --limit-val "$LIMIT_VAL"
    if [ -n "$EPOCHS" ]; then
        whole_number --epochs "$EPOCHS"
        step train "$@" --epochs "$EPOCHS"
        CHOSEN=$EPOCHS
        CHOICE="--epochs $EPOCHS given."
    else
        step train-epoch1 "$@" --epochs 1
        epoch1=$(awk -F, 'NR == 2 { printf "%d", $8 + 0.999 }' "$OUT/train/history.csv")
        [ "$epoch1" -lt 1 ] && epoch1=1
        left=$((MINUTES * 60 - ($(date +%s) - started) - RESERVE))
        # per epoch: its measured time plus a tenth for checkpoints and plots
        more=$((left * 10 / (epoch1 * 11)))
        [ "$more" -lt 0 ] && more=0
        CHOSEN=$((1 + more))
        [ "$CHOSEN" -gt "$MAX_EPOCHS" ] && CHOSEN=$MAX_EPOCHS
        CHOICE="Epoch 1 took $epoch1 s (its one-time warm-up included); $left s were left for training after the ${RESERVE} s reserved for evaluation, export and benchmarks, so the run was given $CHOSEN epoch(s) in all (at most $MAX_EPOCHS)."
        echo "gpu_train: $CHOICE" >&2
        if [ "$CHOSEN" -gt 1 ]; then
            step train "$PY" -m linknet_edge.cli train --out "$OUT/train" --resume \
                --epochs "$CHOSEN"
        fi
    fi
    echo "gpu_train: trained $CHOSEN epoch(s) at $SIZE" >&2
    best="$OUT/train/best.pt"
    set -- "$PY" -m linknet_edge.cli evaluate "$best" --dataset camvid --data-root "$DATA" \
        --split val --device "$DEVICE" --json "$OUT/val.json"
    [ -n "$LIMIT_VAL" ] && set -- "$@" --limit "$LIMIT_VAL"
    step evaluate "$@"
    # verification is its own step, on more frames than export's default check
    step export "$PY" -m linknet_edge.cli export "$best" -o "$OUT/linknet.onnx" --size "$SIZE" \
        --argmax --no-verify
    step verify "$PY" -m linknet_edge.cli verify "$OUT/linknet.onnx" --checkpoint "$best" \
        --images "$DATA/val" --count 16
    warmup=$((BENCH_ITERS / 5))
    [ "$warmup" -lt 1 ] && warmup=1
    step bench "$PY" -m linknet_edge.benchmarks.gpu_bench --checkpoint "$best" --size "$SIZE" \
        --device "$DEVICE" --warmup "$warmup" --iters "$BENCH_ITERS" --out "$OUT/bench"
    report "$started"
}

case $STEP in
    pack) pack ;;
    run) run ;;
    -h | --help | '') usage ;;
    *) fail "unknown step '$STEP': use pack or run (see --help)" ;;
esac
