"""The papers' numbers: one table, read by the experiments' checks and by the tests.

``cerebellar/data/papers.toml`` holds every number or statement of Coenen, Sejnowski &
Lisberger (1993) and Bouvier et al. (2018) that a check row compares with, plus the values of
independent reference simulations (``source = "reference"``), each with its unit and where it
comes from (``cite``). An entry gives ``value`` (compared with a tolerance the check states),
``low``/``high`` (a range or a bound), or neither (a qualitative statement, ``claim``).

    >>> from cerebellar.papers import claim
    >>> claim("bouvier2018.fig8.final_error").value
    1.4
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .core import checks as ck


@dataclass(frozen=True)
class Claim:
    """One number or statement of a paper (or of a reference simulation)."""

    key: str
    claim: str
    cite: str
    source: str = "paper"
    unit: str = ""
    value: Any = None
    low: float | None = None
    high: float | None = None
    p: float | None = None
    n: int | None = None
    note: str = ""

    def check(self, got: Any, *, what: str | None = None, atol: float = 0.0, rtol: float = 0.0,
              **kw: Any) -> ck.Check:
        """A check row comparing ``got`` with this entry: ``value`` within ``atol``/``rtol``,
        else the ``low``–``high`` range or bound. Extra keywords go to `checks.row`."""
        what = what or self.claim
        kw = dict(source=self.source, cite=self.cite, **kw)
        if self.value is not None and not isinstance(self.value, str):
            return ck.close(what, self.value, got, atol=atol, rtol=rtol, **kw)
        if self.low is not None and self.high is not None:
            return ck.within(what, self.low, self.high, got, **kw)
        if self.high is not None:
            return ck.at_most(what, self.high, got, **kw)
        if self.low is not None:
            return ck.at_least(what, self.low, got, **kw)
        raise ValueError(f"{self.key} is a statement: use holds(...)")

    def holds(self, condition: bool, got: Any = None, *, what: str | None = None,
              expected: str | None = None, **kw: Any) -> ck.Check:
        """A check row for a qualitative statement."""
        return ck.holds(what or self.claim, condition, expected or "holds", got,
                        source=self.source, cite=self.cite, **kw)


@cache
def table() -> dict[str, Claim]:
    """Every entry of ``papers.toml`` by dotted key (``paper.figure.name``)."""
    text = resources.files("cerebellar.data").joinpath("papers.toml").read_text(encoding="utf-8")
    out: dict[str, Claim] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        if "claim" in node:
            out[prefix] = Claim(key=prefix, **node)
            return
        for key, child in node.items():
            walk(f"{prefix}.{key}" if prefix else key, child)

    walk("", tomllib.loads(text))
    return out


def claim(key: str) -> Claim:
    """The entry ``key`` of the table (KeyError names the key)."""
    try:
        return table()[key]
    except KeyError:
        raise KeyError(f"no entry '{key}' in cerebellar/data/papers.toml") from None
