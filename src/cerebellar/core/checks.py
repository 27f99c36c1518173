"""Check rows: an expected value with its provenance set beside the value a run produced.

Every row says where its expected value comes from (``source``):

* ``paper``: a number or statement of one of the papers; ``cite`` names the figure, table,
  equation or section;
* ``theory``: a closed form or derivation evaluated at *this run's* parameters;
* ``reference``: a value from an independent simulation (``cite`` says which, and why it is
  independent of the code under test);
* ``invariant``: a property the model must keep (bounds, conservation, agreement of two kernels).

and gives one of four verdicts:

* ``pass`` / ``fail``;
* ``deviates``: the paper claims X and we obtain Y; the ``note`` says what was tried and why it
  differs. It is the honest outcome where a claim cannot be reproduced, and it does not fail a run;
* ``n/a``: a paper (or reference) value that holds only at the paper's parameters, for a run at
  other parameters; the note names the parameters that differ.

Row constructors take the comparison's own arguments plus ``source``, ``cite``, ``note``,
``off`` (a non-empty text makes the row ``n/a`` with that text as its note: see
:func:`off_setting`) and ``deviation`` (what was tried; a missed comparison then reads
``deviates`` instead of ``fail``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

SOURCES = ("paper", "theory", "reference", "invariant")
VERDICTS = ("pass", "fail", "deviates", "n/a")
MARKS = {"pass": "✅", "fail": "❌", "deviates": "⚠️", "n/a": "➖"}


@dataclass(frozen=True)
class Check:
    """One row of an experiment's check table (see the module docstring for the fields)."""

    what: str
    source: str
    cite: str
    expected: Any
    got: Any
    tolerance: str
    verdict: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"check source {self.source!r}: allowed {SOURCES}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"check verdict {self.verdict!r}: allowed {VERDICTS}")
        if self.source == "paper" and not self.cite:
            raise ValueError(f"paper row {self.what!r} needs a cite")

    @property
    def passed(self) -> bool:
        """False only for ``fail``: a deviation or an n/a row does not fail a run."""
        return self.verdict != "fail"

    def to_json(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Check:
        return cls(**{f.name: doc[f.name] for f in fields(cls) if f.name in doc})


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _num(x: Any) -> Any:
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


def row(what: str, ok: bool, expected: Any, got: Any, tolerance: str, *, source: str,
        cite: str = "", note: str = "", off: str = "", deviation: str = "") -> Check:
    """The row for a comparison whose outcome is ``ok`` (the other constructors call this)."""
    if off:
        verdict, note = "n/a", off
    elif ok:
        verdict = "pass"
    elif deviation:
        verdict, note = "deviates", deviation
    else:
        verdict = "fail"
    return Check(what, source, cite, _num(expected) if not isinstance(expected, str) else expected,
                 _num(got) if not isinstance(got, str) else got, tolerance, verdict, note)


def close(what: str, expected: float, got: float, *, atol: float = 0.0, rtol: float = 0.0,
          **kw: Any) -> Check:
    """``|got − expected| <= atol + rtol·|expected|`` (NaN never passes)."""
    expected, got = float(expected), float(_num(got))
    ok = abs(got - expected) <= atol + rtol * abs(expected)
    parts = [f"abs {atol:g}"] if atol else []
    parts += [f"rel {rtol:g}"] if rtol else []
    return row(what, bool(ok), expected, got, " + ".join(parts) or "exact", **kw)


def within(what: str, low: float, high: float, got: float, **kw: Any) -> Check:
    """``low <= got <= high``."""
    got = float(_num(got))
    return row(what, bool(low <= got <= high), f"{low:g} to {high:g}", got, "range", **kw)


def equal(what: str, expected: Any, got: Any, **kw: Any) -> Check:
    """Exact equality (integers, labels, booleans)."""
    got = _num(got)
    return row(what, bool(got == expected), expected, got, "exact", **kw)


def at_most(what: str, bound: float, got: float, **kw: Any) -> Check:
    got = float(_num(got))
    return row(what, bool(got <= bound), f"<= {bound:g}", got, "bound", **kw)


def at_least(what: str, bound: float, got: float, **kw: Any) -> Check:
    got = float(_num(got))
    return row(what, bool(got >= bound), f">= {bound:g}", got, "bound", **kw)


def holds(what: str, condition: bool, expected: str = "true", got: Any = None, **kw: Any) -> Check:
    """A qualitative claim; ``got`` describes what was measured (defaults to the outcome)."""
    return row(what, bool(condition), expected, got if got is not None else bool(condition),
               "claim", **kw)


def off_setting(attrs: Mapping[str, Any], setting: Mapping[str, Any]) -> str:
    """'' when the run's ``attrs`` hold every value of ``setting`` (the parameters a paper value
    was obtained at), else the reason a row that needs them is n/a."""
    diff = [f"{k} = {attrs[k]!r} (paper setting {v!r})" for k, v in setting.items()
            if not _same(attrs.get(k), v)]
    return "run away from the paper's setting: " + ", ".join(diff) if diff else ""


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, bool) or isinstance(a, bool):
        return bool(a) == bool(b)
    if isinstance(b, int | float) and isinstance(a, int | float | np.number):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)
    return a == b


def verdict_counts(rows: Iterable[Check]) -> dict[str, int]:
    counts = Counter(r.verdict for r in rows)
    return {v: counts.get(v, 0) for v in VERDICTS}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def format_table(checks: Sequence[Check]) -> str:
    """A plain-text table (one line per check) for terminals and logs; notes on their own line."""
    header = ("verdict", "source", "what", "expected", "got", "tolerance")
    rows = [(c.verdict.upper(), c.source, c.what, _fmt(c.expected), _fmt(c.got), c.tolerance)
            for c in checks]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for cells, check in zip([header, *rows], [None, *checks], strict=True):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip())
        if check is not None and check.cite:
            lines.append(" " * (widths[0] + 2) + f"[{check.cite}]")
        if check is not None and check.note and check.verdict in ("deviates", "n/a", "fail"):
            lines.append(" " * (widths[0] + 2) + f"note: {check.note}")
    return "\n".join(lines)


def markdown_table(checks: Sequence[Check]) -> str:
    lines = ["| | verdict | source | what | cite | expected | got | tolerance | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    for c in checks:
        cells = [MARKS[c.verdict], c.verdict, c.source, c.what, c.cite, _fmt(c.expected),
                 _fmt(c.got), c.tolerance, c.note]
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines)
