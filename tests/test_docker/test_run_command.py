"""The docker command docker/run.sh produces: GPU, Argus socket, cameras, display, volumes."""

import os
import shlex
import shutil
import socket
import tempfile

import pytest

from .scripts import dry_run, option_values, run_script, write_release


@pytest.fixture
def argus_socket():
    """A real listening unix socket standing in for nvargus-daemon's (short path: 108 bytes)."""
    directory = tempfile.mkdtemp(prefix="argus")
    path = os.path.join(directory, "argus_socket")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    yield path
    server.close()
    shutil.rmtree(directory)


def jetson_env(tmp_path, release="R32.7.1", **env):
    env.setdefault("NV_TEGRA_RELEASE_FILE", write_release(tmp_path, release))
    env.setdefault("LINKNET_EDGE_HOME", str(tmp_path / "home"))
    return env


@pytest.mark.parametrize("release", ["R32.7.1", "R35.4.1", "R36.4.0"])
def test_jetson_run_has_runtime_argus_cameras_and_volumes(tmp_path, argus_socket, release):
    (tmp_path / "video0").write_text("")
    (tmp_path / "video1").write_text("")
    words = dry_run("run.sh", **jetson_env(tmp_path, release, ARGUS_SOCKET=argus_socket,
                                           VIDEO_DEVICES=str(tmp_path / "video*")))
    assert words[words.index("--runtime") + 1] == "nvidia"
    volumes = option_values(words, "--volume")
    assert argus_socket + ":/tmp/argus_socket" in volumes
    assert option_values(words, "--device") == [str(tmp_path / "video0"),
                                                str(tmp_path / "video1")]
    home = tmp_path / "home"
    for folder in ("models", "engines", "outputs"):
        assert "{}/{}:/data/{}".format(home, folder, folder) in volumes
    assert option_values(words, "--workdir") == ["/data"]
    assert not home.exists(), "a dry run must not create the host folders"


def test_missing_argus_socket_is_not_mounted_and_is_explained(tmp_path):
    missing = str(tmp_path / "argus_socket")
    code, out, err = run_script("run.sh", "--dry-run", **jetson_env(tmp_path, ARGUS_SOCKET=missing))
    assert code == 0
    assert not any(volume.endswith(":/tmp/argus_socket")
                   for volume in option_values(shlex.split(out), "--volume"))
    assert "nvargus-daemon" in err and "CSI" in err
    assert not os.path.exists(missing)


def test_display_is_passed_only_when_there_is_one(tmp_path):
    x11 = tmp_path / "x11"
    x11.mkdir()
    xauth = tmp_path / "xauth"
    xauth.write_text("cookie")
    with_display = dry_run("run.sh", **jetson_env(tmp_path, DISPLAY=":1", X11_SOCKET_DIR=str(x11),
                                                  XAUTHORITY=str(xauth)))
    assert option_values(with_display, "--env") == ["DISPLAY=:1", "XAUTHORITY=/tmp/.Xauthority"]
    assert "{}:/tmp/.X11-unix".format(x11) in option_values(with_display, "--volume")
    assert "{}:/tmp/.Xauthority:ro".format(xauth) in option_values(with_display, "--volume")
    headless = dry_run("run.sh", **jetson_env(tmp_path, X11_SOCKET_DIR=str(x11)))
    assert option_values(headless, "--env") == []


@pytest.mark.parametrize("target, gpu_words", [("x86-gpu", ["--gpus", "all"]), ("cpu", [])])
def test_x86_runs_use_gpus_flag_not_nvidia_runtime(tmp_path, target, gpu_words):
    words = dry_run("run.sh", "--target", target, LINKNET_EDGE_HOME=str(tmp_path))
    assert "--runtime" not in words
    assert ("--gpus" in words) == bool(gpu_words)
    assert words[-1] == "linknet-edge:" + target


def test_command_and_extra_volumes_survive_quoting(tmp_path):
    command = ["linknet-edge", "run", "/data/models/linknet.engine", "--input", "csi://0",
               "--output", "http://0.0.0.0:8554", "--title", "it's live"]
    words = dry_run("run.sh", "--volume", str(tmp_path / "my clips") + ":/clips", "--",
                    *command, **jetson_env(tmp_path))
    assert words[-len(command):] == command
    assert str(tmp_path / "my clips") + ":/clips" in option_values(words, "--volume")


def test_real_run_creates_host_folders_and_execs_docker(tmp_path):
    """DOCKER=echo stands in for docker: the same path as a real run, printing instead."""
    code, out, err = run_script("run.sh", "--target", "cpu", "linknet-edge", "--version",
                                DOCKER="echo", LINKNET_EDGE_HOME=str(tmp_path / "home"))
    assert code == 0, err
    assert shlex.split(out)[:2] == ["run", "--rm"]
    assert out.split()[-3:] == ["linknet-edge:cpu", "linknet-edge", "--version"]
    for folder in ("models", "engines", "outputs"):
        assert (tmp_path / "home" / folder).is_dir()


def test_missing_image_says_build_it_first(tmp_path):
    code, out, err = run_script("run.sh", "--target", "cpu", DOCKER="false",
                                LINKNET_EDGE_HOME=str(tmp_path))
    assert code == 1 and out == ""
    assert "linknet-edge:cpu not found" in err and "docker/build.sh" in err


def test_unknown_option_is_a_usage_error(tmp_path):
    code, _, err = run_script("run.sh", "--gpu", LINKNET_EDGE_HOME=str(tmp_path))
    assert code == 2
    assert "unknown option '--gpu'" in err and "usage:" in err
