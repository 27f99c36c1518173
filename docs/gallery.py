"""Generate the site's gallery, CLI reference and deviations page from a `cerebellar reproduce`
run (part of `bash docs/build`).

    python docs/gallery.py RESULTS_DIR DOCS_DIR

RESULTS_DIR holds `report.json` and every experiment's PNG; the pages go to DOCS_DIR/gallery/,
DOCS_DIR/cli.md and DOCS_DIR/deviations.md (all generated, not committed).
"""

from __future__ import annotations

import json
import shutil
import sys
from html import escape
from pathlib import Path

from typer.testing import CliRunner

import cerebellar
from cerebellar.cli import app
from cerebellar.core.checks import Check, verdict_counts
from cerebellar.core.report import LEGEND, deviations_markdown


def parameter_table(name: str) -> str:
    rows = cerebellar.describe(name).rows
    lines = ["| parameter | default | `--full` | allowed | units | meaning |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        doc = r["doc"] + (f" *Not stated in the paper:* {r['not_stated']}" if r["not_stated"] else "")
        full = r["full"] if r["full"] != r["default"] else ""
        units = "" if r["units"] in ("", "1") else r["units"]
        lines.append(f"| `{r['name']}` | {r['default']} | {full} | {r['allowed']} | {units} | "
                     f"{doc.replace('|', '/')} |")
    notes = cerebellar.get_experiment(name).params.NOT_STATED
    extra = [f"- **{k}**: {v}" for k, v in notes.items() if k not in {r["name"] for r in rows}]
    tail = ["", "Other choices not stated in the papers:", "", *extra] if extra else []
    return "\n".join([*lines, *tail])


def check_table(checks: list[Check]) -> str:
    """The check rows as a compact HTML table: verdict (a word in a coloured badge, no emoji
    font needed), what, expected, got; the source, cite, tolerance and note fold away under
    the row's description."""
    rows = ['<table class="checks"><thead><tr><th>verdict</th><th>what</th><th>expected</th>'
            "<th>got</th></tr></thead><tbody>"]
    for c in checks:
        extra = [f"<b>source</b>: {escape(c.source)}", f"<b>tolerance</b>: {escape(c.tolerance)}"]
        extra += [f"<b>cite</b>: {escape(c.cite)}"] if c.cite else []
        extra += [f"<b>note</b>: {escape(c.note)}"] if c.note else []
        folded = f"<details><summary>{escape(c.what)}</summary>{'<br>'.join(extra)}</details>"
        rows.append(f'<tr><td><span class="verdict {c.verdict.replace("/", "")}">{c.verdict}</span>'
                    f"</td><td>{folded}</td><td>{escape(fmt(c.expected))}</td>"
                    f"<td>{escape(fmt(c.got))}</td></tr>")
    return "\n".join([*rows, "</tbody></table>"])


def fmt(value) -> str:
    """A value as the table shows it: numbers to 4 significant digits."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def gallery(results: Path, docs: Path) -> list[str]:
    report = json.loads((results / "report.json").read_text(encoding="utf-8"))
    out = docs / "gallery"
    shutil.rmtree(out, ignore_errors=True)
    (out / "img").mkdir(parents=True)
    index = ["# Gallery", "",
             "Every experiment of `cerebellar reproduce` at its quick default: what it reproduces, "
             "our figure and the check rows beside the papers' numbers. `--full` runs the papers' "
             "scale; the README lists what did not reproduce at that scale.", "", LEGEND, "",
             "| experiment | reproduces | verdicts |", "|---|---|---|"]
    names = []
    for exp in report["experiments"]:
        name = exp["experiment"]
        names.append(name)
        checks = [Check.from_json(c) for c in exp["checks"]]
        counts = ", ".join(f"{n} {v}" for v, n in verdict_counts(checks).items() if n)
        calibrated = sum(c.source == "calibrated" for c in checks)
        counts += f"; {calibrated} calibrated (a paper value used to choose a parameter)" \
            if calibrated else ""
        png = results / f"{name}.png"
        lines = ["---", "hide:", "  - navigation", "  - toc", "---", "",   # figure and table: full width
                 f"# {name}", "", f"*{exp['reproduces']}*", ""]
        if png.exists():
            shutil.copy(png, out / "img" / png.name)
            lines += [f"[![{name}](img/{png.name}){{ .figure }}](img/{png.name} "
                      "\"open the figure at full size\")", ""]
        if exp.get("diverged"):
            lines += [f"**{exp['diverged']}**", ""]
        lines += ["## Checks", "", f"Verdicts: {counts}. Click a row's description for its "
                  "source, citation, tolerance and note.", "", check_table(checks), "",
                  "## Parameters", "", parameter_table(name), "",
                  "## Run it", "", "```bash",
                  f"cerebellar run {name} --out results            # quick default",
                  f"cerebellar run {name} --full --out results     # the papers' scale",
                  f"cerebellar run {name} --set KEY=VALUE --out results",
                  "```", ""]
        (out / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")
        index.append(f"| [{name}]({name}.md) | {exp['reproduces'].replace('|', '/')} | {counts} |")
    (out / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    text = ["# What did not reproduce", "",
            "The `deviates` rows of the quick-scale run behind this site. The README lists those "
            "of a `--full` run, where every paper-scale row is live.", "",
            deviations_markdown(report["experiments"]), ""]
    (docs / "deviations.md").write_text("\n".join(text), encoding="utf-8")
    return names


def cli_reference(docs: Path) -> None:
    runner = CliRunner()
    commands = ["", "list", "describe", "run", "reproduce", "show", "sweep", "plot-sweep"]
    lines = ["# Command line", "", "Every command's `--help`, as the installed `cerebellar` "
             "prints it.", ""]
    for command in commands:
        args = [command, "--help"] if command else ["--help"]
        text = runner.invoke(app, args, env={"COLUMNS": "100", "TERM": "dumb"},
                             prog_name="cerebellar").output
        lines += [f"## cerebellar {command}".rstrip(), "", "```text", text.rstrip(), "```", ""]
    (docs / "cli.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    results, docs = Path(sys.argv[1]), Path(sys.argv[2])
    names = gallery(results, docs)
    cli_reference(docs)
    print(f"gallery: {len(names)} experiment pages -> {docs / 'gallery'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
