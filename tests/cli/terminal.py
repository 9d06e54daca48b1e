"""What a terminal shows after a command's output: the few controls Rich's live displays send
(carriage return, line feed, erase line, cursor up), lines wrapped at the terminal's width."""

from __future__ import annotations

import re

from rich.cells import cell_len

_TOKENS = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z]|\r|\n)")


def screen(raw: str, width: int) -> list[str]:
    """The rows a ``width``-column terminal shows once ``raw`` is written to it."""
    rows: list[list[str]] = [[]]
    row = col = 0
    for token in _TOKENS.split(raw):
        if token == "\n":
            row, col = row + 1, 0
        elif token == "\r":
            col = 0
        elif token.startswith("\x1b["):
            if token.endswith("K"):  # erase the line (Rich sends only "erase all": 2K)
                rows[row] = []
            elif token.endswith("A"):  # cursor up
                row = max(0, row - int(token[2:-1] or 1))
            # colours, cursor show/hide: nothing on the screen
        else:
            for ch in token:
                cells = cell_len(ch)
                if col + cells > width:
                    row, col = row + 1, 0
                while len(rows) <= row:
                    rows.append([])
                line = rows[row]
                line.extend(" " * (col + cells - len(line)))
                line[col : col + cells] = [ch] + [""] * (cells - 1)
                col += cells
        while len(rows) <= row:
            rows.append([])
    return ["".join(r) for r in rows]
