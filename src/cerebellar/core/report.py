"""Reproduction reports: the index of every experiment's checks, and the list of the papers'
claims that did not reproduce, generated from the ``deviates`` rows.

``python -m cerebellar.core.report REPORT.json --readme README.md`` rewrites the README's block
between ``<!-- deviations:begin -->`` and ``<!-- deviations:end -->`` from a ``report.json``
written by ``cerebellar reproduce --full``, so the README never states a deviation by hand.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .checks import Check, counts_text, markdown_table
from .results import atomic_write

BEGIN, END = "<!-- deviations:begin -->", "<!-- deviations:end -->"
LEGEND = ("Each row's source: `paper` (with its citation), `theory` (a closed form at the run's "
          "parameters), `reference` (an independent simulation), `invariant` or `calibrated` (a paper "
          "value used to choose an unstated parameter: counted apart). `deviates`: the paper's "
          "claim does not reproduce (the note says what we get, what was tried and the range our "
          "analysis expects; outside it the row fails); "
          "`n/a`: a paper value for a run away from the paper's setting.")


def index_markdown(reports: Sequence[dict[str, Any]], title: str) -> str:
    """Every experiment's figure, data file and check table."""
    rows = [c for r in reports for c in r["checks"]]
    lines = [f"# {title}", "",
             f"Verdicts: {counts_text([c if isinstance(c, Check) else Check.from_json(c) for c in rows])}",
             "", LEGEND, ""]
    for r in reports:
        lines += [f"## {'✅' if r['passed'] else '❌'} {r['experiment']}", "", r["reproduces"], ""]
        if r.get("diverged"):
            lines += [f"**{r['diverged']}**", ""]
        if r["files"]:
            lines += [f"![{r['experiment']}]({r['experiment']}.png)", "",
                      f"Data: `{r['experiment']}.nc`", ""]
        lines += [markdown_table(r["checks"]), ""]
    return "\n".join(lines)


def deviations_markdown(reports: Sequence[dict[str, Any]]) -> str:
    """One bullet per ``deviates`` row: the experiment, the claim with its cite, and the note."""
    items = []
    for r in reports:
        for c in r["checks"]:
            c = c if isinstance(c, Check) else Check.from_json(c)
            if c.verdict == "deviates":
                got = (f"We get: {c.got}." if c.tolerance == "claim" else
                       f"Expected {_fmt(c.expected)} ({c.tolerance}); we get {_fmt(c.got)}.")
                items.append(f"- **{r['experiment']}**: {c.what} ({c.cite}). {got} What we found "
                             f"and tried: {c.note}")
    return "\n".join(items) if items else "- Every claim checked reproduces."


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write(out: Path, reports: Sequence[dict[str, Any]], title: str) -> Path:
    """Write ``out/index.md`` and ``out/deviations.md``; return the index's path."""
    text = deviations_markdown(reports) + "\n"
    atomic_write(out / "deviations.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    index = index_markdown(reports, title)
    return atomic_write(out / "index.md", lambda tmp: tmp.write_text(index, encoding="utf-8"))


def readme_block(readme: str) -> str:
    """The text between the deviation markers of ``readme``."""
    start, stop = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:stop].strip("\n")


def replace_block(path: Path, body: str, begin: str = BEGIN, end: str = END) -> None:
    """Rewrite the text between the markers ``begin`` and ``end`` of the file ``path``."""
    text = path.read_text(encoding="utf-8")
    start, stop = text.index(begin) + len(begin), text.index(end)
    new = text[:start] + "\n" + body + "\n" + text[stop:]
    atomic_write(path, lambda tmp: tmp.write_text(new, encoding="utf-8"))


def update_readme(readme: Path, reports: Sequence[dict[str, Any]]) -> None:
    replace_block(readme, deviations_markdown(reports))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="report.json written by `cerebellar reproduce`")
    parser.add_argument("--readme", type=Path, required=True, help="README to update")
    args = parser.parse_args(argv)
    doc = json.loads(args.report.read_text(encoding="utf-8"))
    if not doc.get("full"):
        parser.error("the README lists the deviations of a --full run; this report is quick-scale")
    update_readme(args.readme, doc["experiments"])


if __name__ == "__main__":  # pragma: no cover
    main()
