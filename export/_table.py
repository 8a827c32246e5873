"""Plain-text two-column tables for the export, verification and precision reports."""

__all__ = ["format_rows"]


def format_rows(title, rows):
    """``title`` underlined, then ``quantity  value`` rows with the first column aligned."""
    width = max([len(str(name)) for name, _ in rows] + [8])
    lines = [title, "-" * len(title)]
    lines.extend("{:<{w}}  {}".format(str(name), value, w=width) for name, value in rows)
    return "\n".join(lines)
