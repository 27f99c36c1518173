"""MkDocs hook: typeset ``$…$`` (inline) and ``$$…$$`` (display) LaTeX as MathML when the site is
built, so formulas render in any current browser with no script and nothing fetched at view time.

Code spans and fenced code are left alone; ``\\$`` is a literal dollar. A formula that does not
convert fails the build (``mkdocs build --strict``) with the page and the formula.
"""

from __future__ import annotations

import re

from latex2mathml.converter import convert

CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")


def mathml(tex: str, display: bool, where: str) -> str:
    try:
        out = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises several types; name the formula either way
        raise ValueError(f"{where}: cannot typeset ${tex}$: {exc}") from exc
    return f'<div class="math">{out}</div>' if display else out


def typeset(markdown: str, where: str = "page") -> str:
    """The page with every formula outside code replaced by its MathML."""
    parts = CODE.split(markdown)
    for i in range(0, len(parts), 2):                       # even parts: outside code
        text = DISPLAY.sub(lambda m: "\n" + mathml(m.group(1), True, where) + "\n", parts[i])
        text = INLINE.sub(lambda m: mathml(m.group(1), False, where), text)
        parts[i] = text.replace(r"\$", "$")
    return "".join(parts)


def on_page_markdown(markdown, page, **_):
    path = page.file.src_path
    return typeset(markdown, path) if path.endswith(".md") else markdown
