"""The built documentation site in a real headless browser (Debian's Chromium): every notebook
page shows figures, gallery figures fill the content column, no Sphinx role leaks as text,
formulas are typeset, no image is broken (issue 21, acceptance 1).

Needs a built site (`bash docs/build`, into site/) and /usr/bin/chromium; CI runs it after the
docs build with ``pytest -m site`` and ``CEREBELLAR_SITE_TEST=required`` (then a missing site or
browser fails instead of skipping). Each page is copied beside itself with a probe script that
measures the laid-out page and writes its findings into the DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.site

SITE = Path(os.environ.get("CEREBELLAR_SITE", Path(__file__).parents[1] / "site"))
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("CEREBELLAR_SITE_TEST") == "required"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--allow-file-access-from-files"]
WIDTH, HEIGHT = 1400, 1800

PROBE = """<script>
window.addEventListener('load', () => {
  const col = document.querySelector('.md-content__inner') || document.body;
  const text = col.innerText;
  const imgs = [...col.querySelectorAll('img')].map(i => ({
    src: (i.getAttribute('src') || '').slice(0, 60), width: i.getBoundingClientRect().width,
    natural: i.naturalWidth, figure: i.classList.contains('figure')}));
  const style = getComputedStyle(col);
  const inner = col.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const report = {column: inner, imgs,
    roles: text.match(/:(class|func|meth|mod|attr|obj|data|exc|ref|py:\\w+):`[^`]*`/g) || [],
    doctest: (text.match(/doctest: \\+SKIP/g) || []).length,
    dollars: (text.match(/\\$[^$\\s][^$]*\\$/g) || []).slice(0, 3),
    maths: col.querySelectorAll('math').length};
  const pre = document.createElement('pre'); pre.id = 'site-probe';
  pre.textContent = JSON.stringify(report); document.body.appendChild(pre);
});
</script>"""


def site_or_skip() -> Path:
    if not (SITE / "index.html").exists() or BROWSER is None:
        why = f"no built site in {SITE}" if BROWSER else "no chromium"
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why + " (build with `bash docs/build`)")
    return SITE


def browse(page: Path, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}",
                               f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=15000",
                               *extra, page.as_uri()],
                              capture_output=True, text=True, timeout=120)


def probe(page: Path) -> dict:
    """Lay the page out in Chromium and return what the probe measured."""
    html = page.read_text(encoding="utf-8")
    copy = page.with_name(f".probe-{page.name}")
    copy.write_text(html.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    try:
        dom = browse(copy, "--dump-dom").stdout
    finally:
        copy.unlink(missing_ok=True)
    found = re.search(r'<pre id="site-probe">(.*?)</pre>', dom, re.S)
    assert found, f"{page}: the probe did not run (Chromium printed {len(dom)} characters)"
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&quot;", '"'))


def pages(site: Path) -> dict[str, Path]:
    gallery = sorted((site / "gallery").glob("*/index.html"))
    return {
        "front": site / "index.html", "gallery index": site / "gallery" / "index.html",
        "coenen": next(p for p in gallery if p.parent.name.startswith("coenen1993")),
        "bouvier": next(p for p in gallery if p.parent.name.startswith("bouvier2018")),
        "api": site / "api" / "index.html", "models": site / "models" / "index.html",
        **{f"notebook {p.parent.name}": p
           for p in sorted((site / "notebooks").glob("*/index.html"))},
    }


@pytest.fixture(scope="module")
def probed():
    site = site_or_skip()
    return {name: probe(path) for name, path in pages(site).items()}


def test_no_page_leaks_sphinx_roles_doctest_markers_or_raw_formulas(probed):
    for name, r in probed.items():
        assert not r["roles"], f"{name}: Sphinx roles shown as text: {r['roles'][:3]}"
        assert not r["doctest"], f"{name}: a '# doctest: +SKIP' marker is shown"
        assert not r["dollars"], f"{name}: untypeset formula(s): {r['dollars']}"


def test_every_image_loads(probed):
    for name, r in probed.items():
        broken = [i["src"] for i in r["imgs"] if i["natural"] == 0]
        assert not broken, f"{name}: broken image(s) {broken}"


def test_notebook_pages_show_their_figures(probed):
    notebooks = {k: r for k, r in probed.items() if k.startswith("notebook")}
    assert len(notebooks) >= 4
    for name, r in notebooks.items():
        plots = [i for i in r["imgs"] if i["src"].startswith("data:image/png") and i["natural"] > 100]
        assert plots, f"{name}: no figure on the page"


def test_gallery_figures_fill_the_content_column(probed):
    for name in ("coenen", "bouvier"):
        r = probed[name]
        figures = [i for i in r["imgs"] if i["figure"]]
        assert figures, f"{name}: no gallery figure"
        for i in figures:
            assert i["width"] >= 0.95 * r["column"], (
                f"{name}: figure {i['width']:.0f} px wide in a {r['column']:.0f} px column")


def test_model_reference_typesets_its_formulas(probed):
    assert probed["models"]["maths"] >= 20


def test_screenshots_of_the_main_pages(tmp_path):
    """The pages as a reader sees them (kept in $CEREBELLAR_SCREENSHOTS when set)."""
    site = site_or_skip()
    keep = Path(os.environ.get("CEREBELLAR_SCREENSHOTS", tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    for name, page in pages(site).items():
        shot = keep / (re.sub(r"\W+", "-", name) + ".png")
        browse(page, f"--screenshot={shot}")
        assert shot.exists(), f"{name}: no screenshot"
        inked = inked_fraction(shot)
        assert inked > MIN_INK, (f"{name}: the content area is blank in the screenshot "
                                 f"({inked:.2%} of its pixels differ from the background)")


MIN_INK = 0.01
"""Least fraction of the content area's pixels that differ from the page's background: the
text of a page alone inks a few per cent of them; an empty page inks none."""


def inked_fraction(png: Path) -> float:
    """Fraction of the pixels below the site's header bar and tabs (the top 150 px) that differ
    from the background, the page's most common colour, by more than 10 % in some channel."""
    from matplotlib.image import imread

    rgb = imread(png)[150:, :, :3]
    colours, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return float(np.mean(np.abs(rgb - background).max(axis=2) > 0.1))
