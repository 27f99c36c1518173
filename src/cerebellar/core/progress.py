"""Progress bars for long runs (tqdm), silenced by :func:`quiet` or the CLI's ``--quiet``.

Bars appear only when a task lasts longer than ``DELAY_S`` seconds, so quick runs stay silent.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
from collections.abc import Iterator
from typing import Any

from tqdm.auto import tqdm

DELAY_S = 2.0
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("cerebellar_quiet", default=False)


@contextlib.contextmanager
def quiet(enabled: bool = True) -> Iterator[None]:
    """Within this block, no progress bar is shown."""
    token = _quiet.set(enabled)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    return _quiet.get()


def progress(total: int, desc: str, unit: str = "it", *, disable_override: bool = False,
             **kwargs: Any) -> tqdm:
    """A progress bar over ``total`` units (use as a context manager, call ``.update(n)``).

    ``disable_override`` hides it regardless (e.g. inner runs of a parallel batch). When stderr
    is not a terminal (a log file, a batch job), the bar is a plain line every ``PLAIN_EVERY_S``
    seconds instead, with no carriage returns.
    """
    tty = sys.stderr.isatty()
    plain = {} if tty else dict(mininterval=PLAIN_EVERY_S, maxinterval=PLAIN_EVERY_S,
                                ncols=100, file=_Lines(sys.stderr), ascii=True)
    return tqdm(total=total, desc=desc, unit=unit, delay=DELAY_S,
                disable=is_quiet() or disable_override, leave=False, dynamic_ncols=tty,
                unit_scale=total >= 10_000, **plain, **kwargs)


PLAIN_EVERY_S = 30.0


class _Lines:
    """A stream for tqdm that turns each redraw (a carriage return) into one plain line."""

    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, text: str) -> None:
        text = text.replace("\r", "").replace("\x1b[A", "").strip()
        if text:
            self.stream.write(text + "\n")

    def flush(self) -> None:
        self.stream.flush()
