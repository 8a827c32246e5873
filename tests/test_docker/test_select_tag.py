"""build.sh and run.sh pick the image from the host's /etc/nv_tegra_release (docker/select_tag.sh)."""

import io
import os

import pytest

from .scripts import (DOCKER_DIR, EXPECTED, ROOT, UNSUPPORTED, dry_run, option_values,
                      run_script, write_release)


@pytest.mark.parametrize("release", sorted(EXPECTED))
def test_build_picks_image_for_release(tmp_path, release):
    image, dockerfile, base = EXPECTED[release]
    words = dry_run("build.sh", NV_TEGRA_RELEASE_FILE=write_release(tmp_path, release))
    assert words[:2] == ["docker", "build"]
    assert option_values(words, "--file") == [os.path.join(ROOT, dockerfile)]
    assert option_values(words, "--build-arg") == ["BASE_IMAGE=" + base]
    assert option_values(words, "--tag") == [image]
    assert words[-1] == ROOT


@pytest.mark.parametrize("release", sorted(EXPECTED))
def test_run_picks_same_image_as_build(tmp_path, release):
    words = dry_run("run.sh", NV_TEGRA_RELEASE_FILE=write_release(tmp_path, release),
                    LINKNET_EDGE_HOME=str(tmp_path / "data"))
    assert words[:2] == ["docker", "run"]
    assert words[words.index("--workdir") + 2] == EXPECTED[release][0]
    assert words[-1] == EXPECTED[release][0]


@pytest.mark.parametrize("script", ["build.sh", "run.sh"])
@pytest.mark.parametrize("release", UNSUPPORTED)
def test_unsupported_release_is_refused_by_name(tmp_path, script, release):
    code, out, err = run_script(script, "--dry-run",
                                NV_TEGRA_RELEASE_FILE=write_release(tmp_path, release),
                                LINKNET_EDGE_HOME=str(tmp_path / "data"))
    assert code == 1
    assert out == ""
    assert "L4T {} is not supported".format(release) in err
    assert "JetPack 4.6.1+" in err


def test_unreadable_release_line_is_reported(tmp_path):
    path = tmp_path / "nv_tegra_release"
    path.write_text("garbage\n")
    code, out, err = run_script("build.sh", "--dry-run", NV_TEGRA_RELEASE_FILE=str(path))
    assert code == 1 and out == ""
    assert "cannot read the L4T release" in err and "'garbage'" in err


def test_jetson_target_without_release_file_says_not_a_jetson(tmp_path):
    code, out, err = run_script("build.sh", "--dry-run", "--target", "jetson",
                                NV_TEGRA_RELEASE_FILE=str(tmp_path / "missing"))
    assert code == 1 and out == ""
    assert "not a Jetson" in err and "--target cpu" in err


@pytest.mark.parametrize("target, image, dockerfile", [
    ("cpu", "linknet-edge:cpu", "docker/Dockerfile.cpu"),
    ("x86-gpu", "linknet-edge:x86-gpu", "docker/Dockerfile.x86-gpu"),
])
def test_x86_targets_ignore_release_file(tmp_path, target, image, dockerfile):
    words = dry_run("build.sh", "--target", target,
                    NV_TEGRA_RELEASE_FILE=write_release(tmp_path, "R28.2.0"))
    assert option_values(words, "--tag") == [image]
    assert option_values(words, "--file") == [os.path.join(ROOT, dockerfile)]


def test_unknown_target_lists_choices():
    code, _, err = run_script("build.sh", "--dry-run", "--target", "arm32")
    assert code == 1
    assert "unknown target 'arm32'" in err and "x86-gpu" in err


def test_image_name_and_docker_command_are_overridable(tmp_path):
    words = dry_run("build.sh", "--image", "registry.local/seg:test", "--", "--pull",
                    NV_TEGRA_RELEASE_FILE=write_release(tmp_path, "R35.4.1"),
                    DOCKER="sudo docker")
    assert words[:3] == ["sudo", "docker", "build"]
    assert option_values(words, "--tag") == ["registry.local/seg:test"]
    assert words[-2:] == ["--pull", ROOT]


@pytest.mark.parametrize("daemon_json, warned", [
    ('{"runtimes": {"nvidia": {"path": "nvidia-container-runtime", "runtimeArgs": []}},\n'
     ' "default-runtime": "nvidia"}\n', False),
    ('{"runtimes": {"nvidia": {"path": "nvidia-container-runtime", "runtimeArgs": []}}}\n', True),
])
def test_r32_build_warns_without_nvidia_default_runtime(tmp_path, daemon_json, warned):
    config = tmp_path / "daemon.json"
    config.write_text(daemon_json)
    code, _, err = run_script("build.sh", "--dry-run", DOCKER_DAEMON_JSON=str(config),
                              NV_TEGRA_RELEASE_FILE=write_release(tmp_path, "R32.7.1"))
    assert code == 0
    assert ('"default-runtime": "nvidia"' in err) == warned


def test_release_table_lives_only_in_select_tag():
    """build.sh and run.sh name no release or base image: one table, no twins."""
    for script in ("build.sh", "run.sh"):
        with io.open(os.path.join(DOCKER_DIR, script), encoding="utf-8") as handle:
            text = handle.read()
        for literal in ("32.7", "r35", "r36", "l4t-ml", "l4t-jetpack", "tensorrt:"):
            assert literal not in text, "{} mentions {}".format(script, literal)
