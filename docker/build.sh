#!/bin/sh
# Build the linknet-edge image for this host (or for --target), from the repository root.
#
# usage: docker/build.sh [--dry-run] [--target auto|jetson|x86-gpu|cpu] [--image NAME:TAG]
#                        [-- DOCKER_BUILD_OPTION...]
#
# The image follows the host: a Jetson's /etc/nv_tegra_release picks the JetPack image
# (docker/select_tag.sh), elsewhere x86-gpu where nvidia-smi is found, else cpu.
# Environment: DOCKER (default "docker", e.g. "sudo docker"), NV_TEGRA_RELEASE_FILE,
# LINKNET_EDGE_IMAGE (repository name), DOCKER_DAEMON_JSON (default /etc/docker/daemon.json).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=docker/select_tag.sh
. "$here/select_tag.sh"
# shellcheck source=docker/shell_command.sh
. "$here/shell_command.sh"

usage() {
    echo "usage: docker/build.sh [--dry-run] [--target auto|jetson|x86-gpu|cpu] [--image NAME:TAG]"
    echo "                       [-- DOCKER_BUILD_OPTION...]"
}

dry_run=0
target=auto
image=
while [ $# -gt 0 ]; do
    case $1 in
        --dry-run) dry_run=1 ;;
        --target) [ $# -ge 2 ] || { usage >&2; exit 2; }; target=$2; shift ;;
        --target=*) target=${1#*=} ;;
        --image) [ $# -ge 2 ] || { usage >&2; exit 2; }; image=$2; shift ;;
        --image=*) image=${1#*=} ;;
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        *) echo "build.sh: error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if ! select_image "$target"; then
    exit 1
fi
IMAGE=${image:-$IMAGE}

# On L4T R32 CUDA and TensorRT exist in a container only through the NVIDIA runtime, and
# `docker build` uses the default runtime.
daemon_json=${DOCKER_DAEMON_JSON:-/etc/docker/daemon.json}
if [ "$DOCKERFILE" = docker/Dockerfile.jetpack4 ] &&
   ! grep -qs '"default-runtime"[[:space:]]*:[[:space:]]*"nvidia"' "$daemon_json"; then
    echo "build.sh: warning: $daemon_json does not set \"default-runtime\": \"nvidia\";" \
         "on L4T R32 the build needs it (docs/docker.md)" >&2
fi

echo "build.sh: building $IMAGE from $DOCKERFILE on $BASE_IMAGE" \
     "(target $TARGET${L4T:+, host L4T R$L4T})" >&2
# shellcheck disable=SC2086  # DOCKER may be several words ("sudo docker")
append ${DOCKER:-docker} build \
    --file "$root/$DOCKERFILE" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --tag "$IMAGE" \
    "$@" "$root"
run_command "$dry_run"
