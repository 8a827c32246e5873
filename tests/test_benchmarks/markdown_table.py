"""Read the Markdown table of a benchmark report back as GitHub renders it: cells split at
unescaped pipes."""

import re


def table_rows(markdown):
    """The cells of every table line (header, rule, rows) of ``markdown``."""
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            for line in markdown.splitlines() if line.startswith("|")]


def check_table(markdown):
    """Assert a well-formed table: every row has the header's cells, every cell's backticks
    pair up (an open code span swallows the rest of the row). Returns the rows."""
    rows = table_rows(markdown)
    assert len(rows) >= 3, markdown
    widths = set(len(row) for row in rows)
    assert widths == {len(rows[0])}, [len(row) for row in rows]
    odd = [cell for row in rows for cell in row if cell.count("`") % 2]
    assert odd == [], odd
    return rows
