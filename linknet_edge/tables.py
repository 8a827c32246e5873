"""Plain-text tables for every report the toolkit prints: one formatter for the whole house.

``format_rows`` is a titled two-column "quantity  value" block (export, verification, precision
and training summaries); ``format_grid`` aligns a header and rows into columns, numbers right-
aligned (metrics per class, pipeline stages, benchmark rows, the demo's steps). Stdlib only.
"""

__all__ = ["format_rows", "format_grid"]


def format_rows(title, rows, min_width=8):
    """``title`` underlined (if given), then ``quantity  value`` rows, the first column aligned."""
    rows = [(str(name), "" if value is None else str(value)) for name, value in rows]
    width = max([len(name) for name, _ in rows] + [min_width])
    lines = [title, "-" * len(title)] if title else []
    lines.extend("{:<{w}}  {}".format(name, value, w=width).rstrip() for name, value in rows)
    return "\n".join(lines)


def format_grid(header, rows, right=(), rule=True, footer=()):
    """An aligned table: ``header`` cells, then ``rows`` of cells (str() of each), columns
    separated by two spaces; columns whose index is in ``right`` are right-aligned. A dashed
    rule under the header (and above ``footer`` rows, which are plain lines) when ``rule``."""
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in row]
                                          for row in rows]
    widths = [max(len(line[i]) for line in cells if i < len(line)) for i in range(len(header))]

    def line(values):
        return "  ".join(value.rjust(w) if i in right else value.ljust(w)
                         for i, (value, w) in enumerate(zip(values, widths))).rstrip()

    out = [line(cells[0])]
    if rule:
        out.append("  ".join("-" * w for w in widths))
    out.extend(line(values) for values in cells[1:])
    if footer:
        if rule:
            out.append("-" * len(out[1]))
        out.extend(footer)
    return "\n".join(out)
