"""Pack CamVid train+val small enough to travel with the working tree to a GPU machine.

Frames are written as JPEG (quality 95), labels as PNG (lossless, compression 9), in CamVid's
SegNet layout (``train/``, ``trainannot/``, ``val/``, ``valannot/``, and ``train.txt``/``val.txt`` keeping the
source's frame order), so ``--dataset camvid`` reads the packed folder as it reads the original. The labels are bit-identical; frames differ
by JPEG's error (tested). All 367 + 101 frames take 34 MiB. The folder is built under a
temporary name and renamed into place, with ``packed.json`` listing what it holds.

    python -m linknet_edge.benchmarks.pack_dataset --data-root ../shared/data/camvid \\
        --out packed/camvid
"""

import argparse
import json
import logging
import os
import shutil
import sys

__all__ = ["pack_camvid", "main"]

logger = logging.getLogger(__name__)

MANIFEST = "packed.json"


def _folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(top, name))
               for top, _, names in os.walk(folder) for name in names)


def _write(cv2, path, array, params):
    if not cv2.imwrite(path, array, params):
        from linknet_edge.errors import DatasetError
        raise DatasetError("{}: cannot write this file".format(path))


def pack_camvid(root, out, splits=("train", "val"), quality=95, limit=None):
    """Write ``splits`` of the CamVid folder ``root`` to ``out``; returns the manifest (a dict
    with ``frames`` per split and ``bytes``, the packed folder's size). An ``out`` that already
    holds the same packing is kept; any other existing ``out`` is refused."""
    import cv2
    from linknet_edge.data import open_dataset
    from linknet_edge.errors import DatasetError
    wanted = {"source": os.path.abspath(root), "splits": list(splits), "quality": int(quality),
              "limit": limit}
    manifest_path = os.path.join(out, MANIFEST)
    if os.path.exists(out):
        if os.path.isfile(manifest_path):
            with open(manifest_path) as handle:
                manifest = json.load(handle)
            if all(manifest.get(key) == value for key, value in wanted.items()):
                logger.info("%s already holds this packing (%d bytes)", out, manifest["bytes"])
                return manifest
        raise DatasetError("{}: exists and holds something else; remove it or choose another "
                           "--out".format(out))
    tmp = "{}.building-{}".format(out.rstrip("/"), os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    frames = {}
    try:
        for split in splits:
            reader = open_dataset("camvid", root, split)
            count = len(reader) if limit is None else min(int(limit), len(reader))
            for folder in (split, split + "annot"):
                os.makedirs(os.path.join(tmp, folder))
            listed = []
            for i in range(count):
                image, labels = reader.read(i)
                stem = os.path.splitext(os.path.basename(reader.paths(i)[0]))[0]
                pair = (split + "/" + stem + ".jpg", split + "annot/" + stem + ".png")
                _write(cv2, os.path.join(tmp, pair[0]), cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                       [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
                _write(cv2, os.path.join(tmp, pair[1]), labels, [cv2.IMWRITE_PNG_COMPRESSION, 9])
                listed.append(" ".join(pair))
            with open(os.path.join(tmp, split + ".txt"), "w") as handle:
                handle.write("\n".join(listed) + "\n")
            frames[split] = count
            logger.info("packed %d %s frames", count, split)
        manifest = dict(wanted, frames=frames, bytes=_folder_bytes(tmp))
        with open(os.path.join(tmp, MANIFEST), "w") as handle:
            json.dump(manifest, handle, indent=1, sort_keys=True)
        parent = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(parent):
            os.makedirs(parent)
        os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", required=True, metavar="DIR", help="CamVid (SegNet layout)")
    parser.add_argument("--out", required=True, metavar="DIR", help="packed folder to write")
    parser.add_argument("--quality", type=int, default=95, help="JPEG quality of the frames")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="only the first N frames of each split (tests)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from linknet_edge.errors import LinkNetEdgeError
    try:
        manifest = pack_camvid(args.data_root, args.out, quality=args.quality, limit=args.limit)
    except LinkNetEdgeError as exc:
        sys.stderr.write("pack_dataset: error: {}\n".format(exc))
        return 1
    print("{}: {} frames, {:.1f} MiB".format(args.out, ", ".join(
        "{} {}".format(n, s) for s, n in sorted(manifest["frames"].items())),
        manifest["bytes"] / 2.0 ** 20))
    return 0


if __name__ == "__main__":
    sys.exit(main())
