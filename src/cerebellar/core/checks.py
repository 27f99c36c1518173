"""Check rows: a number from the paper (or a closed form) set beside the number we obtained."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Check:
    """One row of an experiment's check table.

    ``expected`` is the value from the paper, the spec or a closed form (a number, or a short text
    such as ``"<= 1.6"``); ``got`` the value measured on the dataset; ``tolerance`` says how they
    are compared; ``passed`` is the verdict.
    """

    what: str
    expected: Any
    got: Any
    tolerance: str
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in asdict(self).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _num(x: Any) -> Any:
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


def close(what: str, expected: float, got: float, *, atol: float = 0.0, rtol: float = 0.0) -> Check:
    """``|got - expected| <= atol + rtol * |expected|``."""
    expected, got = float(expected), float(_num(got))
    passed = bool(abs(got - expected) <= atol + rtol * abs(expected))
    parts = [f"abs {atol:g}"] if atol else []
    parts += [f"rel {rtol:g}"] if rtol else []
    return Check(what, expected, got, " + ".join(parts) or "exact", passed)


def equal(what: str, expected: Any, got: Any) -> Check:
    """Exact equality (integers, labels, booleans)."""
    got = _num(got)
    return Check(what, expected, got, "exact", bool(got == expected))


def at_most(what: str, bound: float, got: float) -> Check:
    got = float(_num(got))
    return Check(what, f"<= {bound:g}", got, "bound", bool(got <= bound))


def at_least(what: str, bound: float, got: float) -> Check:
    got = float(_num(got))
    return Check(what, f">= {bound:g}", got, "bound", bool(got >= bound))


def holds(what: str, condition: bool, expected: str = "true", got: Any = None) -> Check:
    """A qualitative claim; ``got`` describes what was measured (defaults to the verdict)."""
    return Check(what, expected, _num(got) if got is not None else bool(condition), "claim",
                 bool(condition))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def format_table(checks: Sequence[Check]) -> str:
    """A plain-text table (one line per check) for terminals and logs."""
    header = ("", "what", "expected", "got", "tolerance")
    rows = [("PASS" if c.passed else "FAIL", c.what, _fmt(c.expected), _fmt(c.got), c.tolerance)
            for c in checks]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]
    return "\n".join(lines)


def markdown_table(checks: Sequence[Check]) -> str:
    lines = ["| | what | expected | got | tolerance |", "|---|---|---|---|---|"]
    for c in checks:
        cells = ["✅" if c.passed else "❌", c.what, _fmt(c.expected), _fmt(c.got), c.tolerance]
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines)
