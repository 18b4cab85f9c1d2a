"""A progress line on stderr for long builds: files done / total, throughput, time left.

On a terminal the line is redrawn in place; into a file or pipe (CI logs) it prints one
line every `every` files and at the end, so logs stay short and readable.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    """
    >>> _duration(75), _duration(3700), _duration(4)
    ('1m15s', '1h01m', '4s')
    """
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


class ProgressBar:
    """Call with (done, total, name) as files finish; `close()` ends the line."""

    def __init__(self, stream: TextIO = sys.stderr, *, every: int = 10, width: int = 24):
        self.stream, self.every, self.width = stream, every, width
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.first: int | None = None       # files already done when the bar started (unchanged ones)
        self.drawn = False

    def line(self, done: int, total: int, name: str) -> str:
        """
        >>> bar = ProgressBar(); bar.first = 0; bar.started -= 10
        >>> bar.line(5, 20, "a.txt")
        '[######------------------]  5/20  25%  0.50 files/s  30s left  a.txt'
        """
        filled = self.width * done // total if total else self.width
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (done - (self.first or 0)) / elapsed
        left = f"{_duration((total - done) / rate)} left" if rate > 0 and done < total else _duration(elapsed)
        return (f"[{'#' * filled}{'-' * (self.width - filled)}] {done:>{len(str(total))}}/{total} "
                f"{100 * done // max(total, 1):3d}%  {rate:.2f} files/s  {left}  {name}").rstrip()

    def __call__(self, done: int, total: int, name: str) -> None:
        if self.first is None:
            self.first, self.started = done, time.monotonic()
            if done and not name:
                print(f"{done} of {total} file(s) unchanged since the last build", file=self.stream)
            if done == total:
                return
        if not name:
            return
        if self.tty:
            print("\r\x1b[K" + self.line(done, total, name), end="", file=self.stream, flush=True)
            self.drawn = True
        elif (done - self.first) % self.every == 0 or done == total:
            print(self.line(done, total, name), file=self.stream, flush=True)

    def close(self) -> None:
        if self.drawn:
            print(file=self.stream, flush=True)
            self.drawn = False
