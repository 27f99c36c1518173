"""Progress bars for long runs (tqdm), silenced by :func:`quiet` or the CLI's ``--quiet``.

Bars appear only when a task lasts longer than ``DELAY_S`` seconds, so quick runs stay silent.
"""

from __future__ import annotations

import contextlib
import contextvars
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

    ``disable_override`` hides it regardless (e.g. inner runs of a parallel batch).
    """
    return tqdm(total=total, desc=desc, unit=unit, delay=DELAY_S,
                disable=is_quiet() or disable_override, leave=False, dynamic_ncols=True,
                unit_scale=total >= 10_000, **kwargs)
