#!/bin/sh
# Run the linknet-edge image of this host (built by docker/build.sh) with what live segmentation
# needs: the GPU (NVIDIA runtime), CSI cameras (the Argus socket), /dev/video*, the display when
# there is one, and host folders for models, engines and outputs that outlive the container.
#
# usage: docker/run.sh [--dry-run] [--target auto|jetson|x86-gpu|cpu] [--image NAME:TAG]
#                      [--volume HOST:CONTAINER]... [--] [COMMAND [ARG...]]
#
# Host folders (created when missing): $LINKNET_EDGE_HOME/models, engines and outputs (default
# ~/linknet-edge/...), mounted at /data/models, /data/engines and /data/outputs; /data is the
# working directory. The container shares the host's network, so an MJPEG stream served on
# port 8554 inside is http://BOARD:8554 outside.
# Environment: DOCKER (default "docker"), NV_TEGRA_RELEASE_FILE, LINKNET_EDGE_IMAGE,
# LINKNET_EDGE_HOME, ARGUS_SOCKET (default /tmp/argus_socket), VIDEO_DEVICES (a glob, default
# /dev/video*), X11_SOCKET_DIR (default /tmp/.X11-unix), DISPLAY, XAUTHORITY.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=docker/select_tag.sh
. "$here/select_tag.sh"
# shellcheck source=docker/shell_command.sh
. "$here/shell_command.sh"

usage() {
    echo "usage: docker/run.sh [--dry-run] [--target auto|jetson|x86-gpu|cpu] [--image NAME:TAG]"
    echo "                     [--volume HOST:CONTAINER]... [--] [COMMAND [ARG...]]"
}

warn() {
    echo "run.sh: warning: $*" >&2
}

dry_run=0
target=auto
image=
volumes=
while [ $# -gt 0 ]; do
    case $1 in
        --dry-run) dry_run=1 ;;
        --target) [ $# -ge 2 ] || { usage >&2; exit 2; }; target=$2; shift ;;
        --target=*) target=${1#*=} ;;
        --image) [ $# -ge 2 ] || { usage >&2; exit 2; }; image=$2; shift ;;
        --image=*) image=${1#*=} ;;
        -v | --volume) [ $# -ge 2 ] || { usage >&2; exit 2; }
                       volumes="$volumes --volume $(quote "$2")"; shift ;;
        --volume=*) volumes="$volumes --volume $(quote "${1#*=}")" ;;
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        -*) echo "run.sh: error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done

if ! select_image "$target"; then
    exit 1
fi
IMAGE=${image:-$IMAGE}
docker_cmd=${DOCKER:-docker}

# shellcheck disable=SC2086  # DOCKER may be several words ("sudo docker")
append $docker_cmd run --rm --interactive
if [ -t 0 ] && [ -t 1 ]; then
    append --tty
fi
append --network host
case $TARGET in
    jetson)
        # --ipc host: Argus hands camera frames over shared memory.
        append --runtime nvidia --ipc host
        argus=${ARGUS_SOCKET:-/tmp/argus_socket}
        if [ -S "$argus" ]; then
            append --volume "$argus:/tmp/argus_socket"
        else
            # Never bind a missing socket: Docker would create a folder there and block
            # nvargus-daemon from creating its socket.
            warn "no Argus socket at $argus, so CSI cameras (csi://N) will not open;" \
                 "run 'sudo systemctl restart nvargus-daemon' and start again"
        fi ;;
    x86-gpu)
        append --gpus all ;;
esac

# A glob on purpose: one --device per existing camera node.
# shellcheck disable=SC2086
for device in ${VIDEO_DEVICES:-/dev/video*}; do
    if [ -e "$device" ]; then
        append --device "$device"
    fi
done

x11=${X11_SOCKET_DIR:-/tmp/.X11-unix}
if [ -n "${DISPLAY:-}" ] && [ -d "$x11" ]; then
    append --env "DISPLAY=$DISPLAY" --volume "$x11:/tmp/.X11-unix"
    if [ -n "${XAUTHORITY:-}" ] && [ -f "$XAUTHORITY" ]; then
        append --env XAUTHORITY=/tmp/.Xauthority --volume "$XAUTHORITY:/tmp/.Xauthority:ro"
    fi
fi

data=${LINKNET_EDGE_HOME:-${HOME:-.}/linknet-edge}
for folder in models engines outputs; do
    if [ "$dry_run" = 0 ]; then
        mkdir -p "$data/$folder"
    fi
    append --volume "$data/$folder:/data/$folder"
done
# volumes holds quoted words (see quote), so eval splits them back exactly.
eval "append $volumes"
append --workdir /data "$IMAGE" "$@"

# shellcheck disable=SC2086
if [ "$dry_run" = 0 ] && ! $docker_cmd image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "run.sh: error: image $IMAGE not found; build it with docker/build.sh" >&2
    exit 1
fi
run_command "$dry_run"
