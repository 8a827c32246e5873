# Sourced by docker/build.sh and docker/run.sh (POSIX sh): the one place that maps a host to a
# Dockerfile, a base image and an image tag. Inputs from the environment:
#   NV_TEGRA_RELEASE_FILE  the host's L4T release file (default /etc/nv_tegra_release)
#   LINKNET_EDGE_IMAGE     the image repository name (default linknet-edge)
# select_image TARGET sets TARGET, DOCKERFILE, BASE_IMAGE, IMAGE and L4T (empty off Jetson), or
# prints why on stderr and returns 1.
# shellcheck shell=sh disable=SC2034  # the variables set here are read by the sourcing script

: "${NV_TEGRA_RELEASE_FILE:=/etc/nv_tegra_release}"
: "${LINKNET_EDGE_IMAGE:=linknet-edge}"

# l4t_version FILE: "32.7.1" from a first line like
# "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: ..."
l4t_version() {
    sed -n '1s/^# R\([0-9][0-9]*\) (release), REVISION: \([0-9][0-9.]*\),.*$/\1.\2/p' "$1"
}

# select_l4t: the image for the Jetson whose release file is $NV_TEGRA_RELEASE_FILE.
# Which host runs which container: R32.7.x hosts run the r32.7.1 images (CUDA and TensorRT are
# mounted from the host); R35 hosts run any R35 container; R36 hosts before R36.4 run R36.0-36.3
# containers and R36.4+ hosts run R36.4+ containers (the user-space driver changed in 36.4).
select_l4t() {
    if [ ! -r "$NV_TEGRA_RELEASE_FILE" ]; then
        echo "${0##*/}: error: cannot read $NV_TEGRA_RELEASE_FILE: this is not a Jetson;" \
             "use --target x86-gpu or --target cpu" >&2
        return 1
    fi
    L4T=$(l4t_version "$NV_TEGRA_RELEASE_FILE")
    case $L4T in
        32.7 | 32.7.*)
            DOCKERFILE=docker/Dockerfile.jetpack4
            BASE_IMAGE=nvcr.io/nvidia/l4t-ml:r32.7.1-py3
            tag=l4t-r32.7.1 ;;
        35 | 35.*)
            DOCKERFILE=docker/Dockerfile.jetpack
            BASE_IMAGE=nvcr.io/nvidia/l4t-jetpack:r35.4.1
            tag=l4t-r35.4.1 ;;
        36.[0-3] | 36.[0-3].*)
            DOCKERFILE=docker/Dockerfile.jetpack
            BASE_IMAGE=nvcr.io/nvidia/l4t-jetpack:r36.3.0
            tag=l4t-r36.3.0 ;;
        36.*)
            DOCKERFILE=docker/Dockerfile.jetpack
            BASE_IMAGE=nvcr.io/nvidia/l4t-jetpack:r36.4.0
            tag=l4t-r36.4.0 ;;
        '')
            echo "${0##*/}: error: cannot read the L4T release from the first line of" \
                 "$NV_TEGRA_RELEASE_FILE: '$(sed -n 1p "$NV_TEGRA_RELEASE_FILE")'" >&2
            return 1 ;;
        *)
            echo "${0##*/}: error: L4T R$L4T is not supported: the images are for" \
                 "JetPack 4.6.1+ (L4T R32.7.x), JetPack 5 (R35.x) and JetPack 6 (R36.x);" \
                 "upgrade JetPack (docs/jetson.md)" >&2
            return 1 ;;
    esac
    IMAGE=$LINKNET_EDGE_IMAGE:$tag
}

# select_image TARGET: TARGET is auto (a Jetson if the release file exists, else x86-gpu where
# nvidia-smi is found, else cpu), jetson, x86-gpu or cpu.
select_image() {
    TARGET=$1
    L4T=
    if [ "$TARGET" = auto ]; then
        if [ -e "$NV_TEGRA_RELEASE_FILE" ]; then
            TARGET=jetson
        elif command -v nvidia-smi >/dev/null 2>&1; then
            TARGET=x86-gpu
        else
            TARGET=cpu
        fi
    fi
    case $TARGET in
        jetson)
            select_l4t ;;
        x86-gpu)
            DOCKERFILE=docker/Dockerfile.x86-gpu
            BASE_IMAGE=nvcr.io/nvidia/tensorrt:24.08-py3
            IMAGE=$LINKNET_EDGE_IMAGE:x86-gpu ;;
        cpu)
            DOCKERFILE=docker/Dockerfile.cpu
            BASE_IMAGE=python:3.11-slim
            IMAGE=$LINKNET_EDGE_IMAGE:cpu ;;
        *)
            echo "${0##*/}: error: unknown target '$TARGET':" \
                 "choose auto, jetson, x86-gpu or cpu" >&2
            return 1 ;;
    esac
}
