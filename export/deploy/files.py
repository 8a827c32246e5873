"""Writing a deployment folder: INI-style groups with comments, labels, the model copied in.

Every file is written atomically (``linknet_edge.atomic``), so a folder a device or server is
reading never holds a half-written config. Stdlib only.
"""

import os
import shutil

from linknet_edge.atomic import atomic_path, check_writable, write_atomic

__all__ = ["Group", "format_groups", "write_text", "write_labels", "copy_model",
           "prepare_folder"]


class Group(object):
    """One ``[name]`` group: ``add(key, value, comment=None)`` keeps the order given."""

    def __init__(self, name, comment=None):
        self.name, self.comment, self.entries = name, comment, []

    def add(self, key, value, comment=None):
        self.entries.append((key, value, comment))
        return self

    @property
    def keys(self):
        return [key for key, _, _ in self.entries]


def _value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ";".join(_value(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _comment(text):
    return ["# " + line if line else "#" for line in text.splitlines()]


def format_groups(groups, header=None):
    """GKeyFile text (what DeepStream reads): ``#`` comment lines, ``[group]``, ``key=value``
    (lists ``;``-separated, booleans 0/1)."""
    lines = _comment(header) + [""] if header else []
    for group in groups:
        if group.comment:
            lines.extend(_comment(group.comment))
        lines.append("[{}]".format(group.name))
        for key, value, comment in group.entries:
            if comment:
                lines.extend(_comment(comment))
            lines.append("{}={}".format(key, _value(value)))
        lines.append("")
    return "\n".join(lines)


def prepare_folder(directory, option="-o"):
    """``directory``, created after ``linknet_edge.atomic.check_writable`` proved it writable."""
    if not os.path.isdir(check_writable(directory, option, folder=True)):
        os.makedirs(directory)
    return directory


def write_text(path, text):
    return write_atomic(path, text if text.endswith("\n") else text + "\n")


def write_labels(path, spec):
    """One class name per line, in index order (what nvinfer's ``labelfile-path`` and Triton's
    ``label_filename`` read)."""
    return write_text(path, "\n".join(spec.class_names))


def copy_model(source, target):
    """Copy ``source`` to ``target`` atomically, unless they are already the same file."""
    if os.path.exists(target) and os.path.samefile(source, target):
        return target
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
    return target
