"""The resize cache: identical to direct reading, keyed by the source files, built atomically."""

import os

import cv2
import numpy as np
import pytest

from linknet_edge.data import class_frequencies, open_dataset
from linknet_edge.data import cache as cache_module
from linknet_edge.errors import DatasetError
from tests.markers import data_path, requires_data
from tests.test_data.test_folder import _folder


def test_cached_arrays_equal_direct_reads_and_new_key_on_change(tmp_path):
    root = str(_folder(tmp_path))
    cache_dir = str(tmp_path / "cache")
    direct = open_dataset("folder", root, "all", size=(32, 64))
    cached = open_dataset("folder", root, "all", size=(32, 64), cache_dir=cache_dir)
    assert len(cached) == len(direct) and cached.class_names == direct.class_names
    for i in range(len(direct)):
        for a, b in zip(direct.read(i), cached.read(i)):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    assert isinstance(np.load(os.path.join(cached.folder, "images.npy"), mmap_mode="r"),
                      np.memmap)
    np.testing.assert_array_equal(class_frequencies(cached), class_frequencies(direct))
    again = open_dataset("folder", root, "all", size=(32, 64), cache_dir=cache_dir)
    assert again.folder == cached.folder and os.listdir(cache_dir) == [
        os.path.basename(cached.folder)]
    mask = cv2.imread(direct.paths(0)[1], cv2.IMREAD_UNCHANGED)
    before = direct.read(1)
    os.rename(direct.paths(1)[0], direct.paths(1)[0] + ".away")  # a cached epoch decodes nothing
    assert np.array_equal(again.read(1)[0], before[0])
    os.rename(direct.paths(1)[0] + ".away", direct.paths(1)[0])
    cv2.imwrite(direct.paths(0)[1], 1 - np.clip(mask, 0, 1))
    os.utime(direct.paths(0)[1], (1, 1))
    changed = open_dataset("folder", root, "all", size=(32, 64), cache_dir=cache_dir)
    assert changed.folder != cached.folder
    assert not np.array_equal(changed.read(0)[1], cached.read(0)[1])


def test_interrupted_build_leaves_no_cache(tmp_path):
    root = _folder(tmp_path)
    (root / "images" / "f2.png").write_bytes(b"broken")
    cache_dir = str(tmp_path / "cache")
    with pytest.raises(DatasetError, match="f2.png: cannot decode image"):
        open_dataset("folder", str(root), "all", size=(32, 32), cache_dir=cache_dir)
    assert os.listdir(cache_dir) == []
    with pytest.raises(DatasetError, match="needs a size"):
        open_dataset("folder", str(root), "all", cache_dir=cache_dir)


@requires_data
def test_cityscapes_cache_keeps_instances(tmp_path):
    root = data_path("cityscapes")
    direct = open_dataset("cityscapes", root, "val", size=(64, 128))
    cached = open_dataset("cityscapes", root, "val", size=(64, 128), cache_dir=str(tmp_path))
    assert np.array_equal(direct.instance_map(0), cached.instance_map(0))
    assert cached.make_spec() == direct.make_spec()
    assert cache_module.cache_key(direct) == cache_module.cache_key(cached)


def test_a_build_removes_the_temporary_folders_of_killed_builds(tmp_path):
    import subprocess
    import sys
    root = str(_folder(tmp_path))
    cache_dir = tmp_path / "cache"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid is free now: a build of that pid was killed
    stale = cache_dir / ".building-{}-x1y2".format(gone.pid)
    alive = cache_dir / ".building-{}-a3b4".format(os.getppid())  # a live build elsewhere
    for folder in (stale, alive):
        folder.mkdir(parents=True)
        (folder / "images.npy").write_bytes(b"half")
    reader = open_dataset("folder", root, "all", size=(32, 64), cache_dir=str(cache_dir))
    assert sorted(os.listdir(str(cache_dir))) == sorted([alive.name,
                                                         os.path.basename(reader.folder)])
