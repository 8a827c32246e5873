"""Helpers for tests of docker/: recorded L4T release files and a runner for the shell scripts."""

import os
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCKER_DIR = os.path.join(ROOT, "docker")

# /etc/nv_tegra_release as Jetsons print it (first lines copied from boards of each release;
# R36 files carry the three lines after it, R32 files a list of "<sha1> */path" lines, abbreviated
# here to one with a made-up hash: only the first line decides the release).
_R32_TAIL = ("7d6d6b2bb0b2e1a9c3ffb1d4c8a2a0f0e4a1c3b5 "
             "*/usr/lib/aarch64-linux-gnu/tegra/libcuda.so.1.1\n")
_R36_TAIL = ("# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n"
             "TARGET_USERSPACE_LIB_DIR_PATH=usr/lib/aarch64-linux-gnu/nvidia\n")
RELEASES = {
    "R32.7.1": "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, "
               "DATE: Sat Feb 19 17:05:08 UTC 2022\n" + _R32_TAIL,
    "R32.7.4": "# R32 (release), REVISION: 7.4, GCID: 33514132, BOARD: t210ref, EABI: aarch64, "
               "DATE: Fri Jun  9 04:25:08 UTC 2023\n" + _R32_TAIL,
    "R35.4.1": "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, "
               "DATE: Tue Aug  1 19:57:35 UTC 2023\n",
    "R36.3.0": "# R36 (release), REVISION: 3.0, GCID: 36191598, BOARD: generic, EABI: aarch64, "
               "DATE: Mon May  6 17:34:21 UTC 2024\n" + _R36_TAIL,
    "R36.4.0": "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, "
               "DATE: Fri Sep 13 04:36:44 UTC 2024\n" + _R36_TAIL,
    # unsupported: JetPack 3.2 (TX2), JetPack 4.6 (R32.6.1), JetPack 5.0 developer preview
    "R28.2.0": "# R28 (release), REVISION: 2.0, GCID: 10567845, BOARD: t186ref, EABI: aarch64, "
               "DATE: Fri Mar  2 04:57:01 UTC 2018\n",
    "R32.6.1": "# R32 (release), REVISION: 6.1, GCID: 27863751, BOARD: t186ref, EABI: aarch64, "
               "DATE: Mon Jul 26 19:36:31 UTC 2021\n" + _R32_TAIL,
    "R34.1.0": "# R34 (release), REVISION: 1.0, GCID: 30102743, BOARD: t186ref, EABI: aarch64, "
               "DATE: Wed Apr  6 19:11:41 UTC 2022\n",
}

#: host release -> (image tag, Dockerfile, base image) that build.sh and run.sh must choose.
EXPECTED = {
    "R32.7.1": ("linknet-edge:l4t-r32.7.1", "docker/Dockerfile.jetpack4",
                "nvcr.io/nvidia/l4t-ml:r32.7.1-py3"),
    "R32.7.4": ("linknet-edge:l4t-r32.7.1", "docker/Dockerfile.jetpack4",
                "nvcr.io/nvidia/l4t-ml:r32.7.1-py3"),
    "R35.4.1": ("linknet-edge:l4t-r35.4.1", "docker/Dockerfile.jetpack",
                "nvcr.io/nvidia/l4t-jetpack:r35.4.1"),
    "R36.3.0": ("linknet-edge:l4t-r36.3.0", "docker/Dockerfile.jetpack",
                "nvcr.io/nvidia/l4t-jetpack:r36.3.0"),
    "R36.4.0": ("linknet-edge:l4t-r36.4.0", "docker/Dockerfile.jetpack",
                "nvcr.io/nvidia/l4t-jetpack:r36.4.0"),
}
UNSUPPORTED = ("R28.2.0", "R32.6.1", "R34.1.0")

_SCRIPT_VARIABLES = ("DOCKER", "NV_TEGRA_RELEASE_FILE", "LINKNET_EDGE_IMAGE", "LINKNET_EDGE_HOME",
                     "ARGUS_SOCKET", "VIDEO_DEVICES", "X11_SOCKET_DIR", "DISPLAY", "XAUTHORITY",
                     "DOCKER_DAEMON_JSON")


def write_release(directory, name):
    """Write the recorded nv_tegra_release of a release into directory; returns its path."""
    path = os.path.join(str(directory), "nv_tegra_release")
    with open(path, "w") as handle:
        handle.write(RELEASES[name])
    return path


def run_script(name, *args, **env):
    """Run docker/<name> with sh; returns (exit code, stdout, stderr).

    The environment is the current one without the variables the scripts read, plus env;
    values of None remove a key.
    """
    environ = {key: value for key, value in os.environ.items() if key not in _SCRIPT_VARIABLES}
    environ["LINKNET_EDGE_IMAGE"] = "linknet-edge"
    environ["VIDEO_DEVICES"] = os.path.join(ROOT, "no-such-device*")
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    process = subprocess.Popen(["sh", os.path.join(DOCKER_DIR, name)] + list(args),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environ, universal_newlines=True)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def dry_run(name, *args, **env):
    """The words of the docker command that docker/<name> --dry-run prints (asserts success)."""
    code, out, err = run_script(name, "--dry-run", *args, **env)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1, out
    return shlex.split(lines[0])


def option_values(words, option):
    """Every value given to a long option in a command's words."""
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word == option]
