"""Progress bars for long runs (tqdm), silenced by `quiet` or the CLI's ``--quiet``.

Bars appear only when a task lasts longer than ``DELAY_S`` seconds, so quick runs stay silent.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterator
from typing import Any

from tqdm import tqdm  # plain text bars: no widget (and no ipywidgets warning) in notebooks

DELAY_S = 2.0
_QUIET = [False]
"""Whether bars are hidden: one flag for the whole process, so that the threads an experiment
fans its runs out to are silenced with it."""


@contextlib.contextmanager
def quiet(enabled: bool = True) -> Iterator[None]:
    """Within this block, no progress bar is shown (in any thread)."""
    before = _QUIET[0]
    _QUIET[0] = enabled
    try:
        yield
    finally:
        _QUIET[0] = before


def is_quiet() -> bool:
    return _QUIET[0]


def progress(total: int, desc: str, unit: str = "it", *, disable_override: bool = False,
             **kwargs: Any) -> tqdm:
    """A progress bar over ``total`` units (use as a context manager, call ``.update(n)``).

    ``disable_override`` hides it regardless (e.g. inner runs of a parallel batch). When stderr
    is not a terminal (a log file, a batch job), the bar is a plain line every ``PLAIN_EVERY_S``
    seconds instead, with no carriage returns.
    """
    tty = sys.stderr.isatty()
    plain = {} if tty else dict(mininterval=PLAIN_EVERY_S, maxinterval=PLAIN_EVERY_S,
                                ncols=100, file=PlainLines(sys.stderr), ascii=True)
    return tqdm(total=total, desc=desc, unit=unit, delay=DELAY_S,
                disable=is_quiet() or disable_override, leave=False, dynamic_ncols=tty,
                unit_scale=total >= 10_000, **plain, **kwargs)


PLAIN_EVERY_S = 30.0


_LAST_LINE = [-math.inf]
"""When the last plain progress line was written (``time.monotonic``), whichever bar wrote it."""


class PlainLines:
    """A stream for tqdm that turns a redraw (a carriage return) into one plain line, at most one
    line every ``PLAIN_EVERY_S`` seconds for all bars together."""

    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, text: str) -> None:
        text = text.replace("\r", "").replace("\x1b[A", "").strip()
        now = time.monotonic()
        if text and now - _LAST_LINE[0] >= PLAIN_EVERY_S:
            _LAST_LINE[0] = now
            self.stream.write(text + "\n")

    def flush(self) -> None:
        self.stream.flush()
