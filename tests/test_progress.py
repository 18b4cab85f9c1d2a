"""The build's progress line: redrawn in place on a terminal, one line per N files in a log."""
from __future__ import annotations

import io

from gazettekg.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_line_every_n_files_and_at_the_end():
    out = io.StringIO()
    bar = ProgressBar(out, every=2)
    bar(0, 5, "")
    for done in range(1, 6):
        bar(done, 5, f"f{done}.txt")
    bar.close()
    lines = out.getvalue().splitlines()
    assert [l.split("]")[1].split()[0] for l in lines] == ["2/5", "4/5", "5/5"]
    assert "files/s" in lines[0] and "left" in lines[0] and lines[-1].endswith("f5.txt")
    assert "\r" not in out.getvalue()


def test_a_terminal_line_is_redrawn_in_place_and_skipped_files_are_said():
    out = Terminal()
    bar = ProgressBar(out)
    bar(3, 5, "")                 # 3 files unchanged since the last build
    bar(4, 5, "a.txt")
    bar(5, 5, "b.txt")
    bar.close()
    text = out.getvalue()
    assert text.startswith("3 of 5 file(s) unchanged")
    assert text.count("\r\x1b[K") == 2 and text.endswith("b.txt\n") and " 5/5 100%" in text
