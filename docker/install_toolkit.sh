#!/bin/sh
# Install linknet-edge into a Docker image without letting pip replace what the base image ships.
#
# usage: docker/install_toolkit.sh deps EXTRA [PYCUDA_REQUIREMENT]
#        docker/install_toolkit.sh package [--require-gstreamer]
#
# deps (before the source is copied, so code changes do not rebuild pycuda):
#   1. keep_base.py records every installed distribution and pins it in a constraints file;
#   2. pycuda is built only if the base image has none (l4t-ml ships one);
#   3. the requirements of setup.cfg's EXTRA are installed under those constraints, so pip fails
#      instead of replacing JetPack's numpy or TensorRT.
# package:
#   4. the toolkit itself goes in with --no-deps;
#   5. keep_base.py verify fails the build if anything recorded changed (and, with
#      --require-gstreamer, unless cv2 still has GStreamer).
# Runs inside the image, from the copied source tree (its docker/ folder).
set -eu

python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
state=${LINKNET_EDGE_STATE:-/opt/linknet-edge}

install_deps() {
    extra=$1
    pycuda=${2:-}
    "$python" "$here/keep_base.py" snapshot "$state"
    if [ -n "$pycuda" ] && ! "$python" -c "import pycuda" 2>/dev/null; then
        cuda_lib=/usr/local/cuda/lib64
        # The most common Jetson failure is this build: it needs nvcc and the CUDA headers on
        # the paths, and libcuda from the stubs at link time (the driver's own is mounted at
        # run time). --no-build-isolation compiles against the image's numpy, not a newer one.
        PATH="/usr/local/cuda/bin:$PATH" \
        CPATH="/usr/local/cuda/include${CPATH:+:$CPATH}" \
        LIBRARY_PATH="$cuda_lib/stubs:$cuda_lib${LIBRARY_PATH:+:$LIBRARY_PATH}" \
            "$python" -m pip install --no-cache-dir --no-build-isolation \
                -c "$state/constraints.txt" "$pycuda"
    fi
    # One requirement per word: setup.cfg's requirements contain no spaces.
    # shellcheck disable=SC2046
    "$python" -m pip install --no-cache-dir -c "$state/constraints.txt" \
        $("$python" "$here/keep_base.py" requirements "$src/setup.cfg" "$extra")
}

install_package() {
    "$python" -m pip install --no-cache-dir --no-deps "$src"
    "$python" "$here/keep_base.py" verify "$state" "$@"
    linknet-edge --version
}

case ${1:-} in
    deps) shift; install_deps "$@" ;;
    package) shift; install_package "$@" ;;
    *) echo "usage: $0 deps EXTRA [PYCUDA_REQUIREMENT] | package [--require-gstreamer]" >&2
       exit 2 ;;
esac
