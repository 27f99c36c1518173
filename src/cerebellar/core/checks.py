"""Check rows: an expected value with its provenance set beside the value a run produced.

Every row says where its expected value comes from (``source``):

* ``paper``: a number or statement of one of the papers; ``cite`` names the figure, table,
  equation or section;
* ``theory``: a closed form or derivation evaluated at *this run's* parameters;
* ``reference``: a value from an independent simulation (``cite`` says which, and why it is
  independent of the code under test);
* ``invariant``: a property the model must keep (bounds, conservation, agreement of two kernels);
* ``calibrated``: a number of a paper that was used to choose a parameter the paper does not
  state. The row still passes or fails (a later change can break it), but it is no independent
  test, and summaries count calibrated rows apart.

and gives one of four verdicts:

* ``pass`` / ``fail``;
* ``deviates``: the paper claims X and we obtain Y; the ``note`` says what was tried and why it
  differs. It is the honest outcome where a claim cannot be reproduced, and it does not fail a run.
  A deviation is bounded: the row states the range of Y that our own analysis expects
  (``deviation_range``), and a Y outside it is ``fail`` (a bug that moves a deviating number must
  not inherit the deviation's explanation);
* ``n/a``: a paper (or reference) value that holds only at the paper's parameters, for a run at
  other parameters; the note names the parameters that differ.

Row constructors take the comparison's own arguments plus ``source``, ``cite``, ``note``,
``off`` (a non-empty text makes the row ``n/a`` with that text as its note: see
`off_setting`), ``deviation`` (what was tried; a missed comparison then reads ``deviates``
instead of ``fail``) with ``deviation_range`` (``(low, high)``: where the deviating value is
expected; required with ``deviation``) and ``measured`` (the number that range bounds, when
``got`` is not one: a claim row's text).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

SOURCES = ("paper", "theory", "reference", "invariant", "calibrated")
VERDICTS = ("pass", "fail", "deviates", "n/a")
MARKS = {"pass": "✅", "fail": "❌", "deviates": "⚠️", "n/a": "➖"}
CITE_PLACE = re.compile(r"Fig|Table|Eq|§|Methods|Appendix|Results|Discussion|legend|Abstract")
"""What a ``paper`` or ``calibrated`` row's ``cite`` must name: a place in the paper a reader can
open (a figure, table, equation, section or the abstract), not only the paper."""


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
    deviation_range: Any = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"check source {self.source!r}: allowed {SOURCES}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"check verdict {self.verdict!r}: allowed {VERDICTS}")
        if self.source in ("paper", "calibrated") and not self.cite:
            raise ValueError(f"{self.source} row {self.what!r} needs a cite")
        if self.source in ("paper", "calibrated") and not CITE_PLACE.search(self.cite):
            raise ValueError(f"{self.source} row {self.what!r}: cite {self.cite!r} names no "
                             "figure, table, equation or section")

    @property
    def passed(self) -> bool:
        """False only for ``fail``: a deviation or an n/a row does not fail a run."""
        return self.verdict != "fail"

    def to_json(self) -> dict[str, Any]:
        doc = {k: _jsonable(v) for k, v in asdict(self).items()}
        if doc["deviation_range"] is not None:
            doc["deviation_range"] = [_jsonable(float(x)) for x in doc["deviation_range"]]
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Check:
        doc = {f.name: doc[f.name] for f in fields(cls) if f.name in doc}
        if doc.get("deviation_range") is not None:
            doc["deviation_range"] = tuple(float(x) for x in doc["deviation_range"])
        return cls(**doc)


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
        cite: str = "", note: str = "", off: str = "", deviation: str = "",
        deviation_range: tuple[float, float] | None = None, measured: float | None = None) -> Check:
    """The row for a comparison whose outcome is ``ok`` (the other constructors call this).

    A missed comparison with a ``deviation`` reads ``deviates`` only while the deviating value
    (``measured``, else ``got``) lies in ``deviation_range``; outside it the row fails and its note
    says so."""
    if deviation and deviation_range is None:
        raise ValueError(f"deviation of {what!r} needs the deviation_range our analysis expects")
    bounds = None
    if deviation_range is not None:
        low, high = (float(x) for x in deviation_range)
        if not low <= high:
            raise ValueError(f"deviation_range of {what!r}: {low:g} > {high:g}")
        bounds = (low, high)
    if off:
        verdict, note = "n/a", off
    elif ok:
        verdict = "pass"
    elif deviation:
        value = float(_num(measured if measured is not None else got))
        if bounds[0] <= value <= bounds[1]:
            verdict = "deviates"
            note = f"{deviation} (deviation expected in {bounds[0]:.4g} to {bounds[1]:.4g})"
        else:
            verdict = "fail"
            note = (f"{value:.4g} lies outside {bounds[0]:.4g} to {bounds[1]:.4g}, the range our "
                    f"analysis expects for the known deviation: a new error. The deviation: {deviation}")
    else:
        verdict = "fail"
    return Check(what, source, cite, _num(expected) if not isinstance(expected, str) else expected,
                 _num(got) if not isinstance(got, str) else got, tolerance, verdict, note,
                 bounds if verdict in ("deviates", "fail") and deviation else None)


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


def counts_text(rows: Sequence[Check]) -> str:
    """'12 pass, 1 deviates, 2 n/a; 1 calibrated (1 pass)': the verdicts, then the calibrated
    rows apart (a calibrated pass is no independent test)."""
    text = ", ".join(f"{n} {v}" for v, n in verdict_counts(rows).items() if n)
    calibrated = [r for r in rows if r.source == "calibrated"]
    if calibrated:
        inner = ", ".join(f"{n} {v}" for v, n in verdict_counts(calibrated).items() if n)
        text += f"; {len(calibrated)} calibrated ({inner})"
    return text


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
