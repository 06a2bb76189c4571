"""The icons the book shows, from a subset of the Font Awesome font built with the book.

pydata-sphinx-theme ships Font Awesome twice: a 1.5 MB script that swaps every ``<i
class="fa-...">`` for an inline SVG, and the icon fonts with the CSS classes that draw the same
icons from a font (the solid font alone is 153 kB, for about 1,400 icons). The book uses a few
dozen. So the script is not loaded (``book/_templates/layout.html``) and, once the pages are
written, this extension

1. collects the icons the site uses: every ``fa-*`` class in a page or in one of the theme's
   scripts (which add icons of their own), and every icon the theme's stylesheets draw outside
   the ``.fa-*`` classes (admonition titles, the "on this page" arrow...);
2. subsets the theme's three icon fonts (solid, regular, brands) to those code points with
   fontTools (a dependency of matplotlib, so no new package), as WOFF files of a few kB;
3. writes ``_static/icons/icons.css``, whose ``@font-face`` rules, loaded after the theme's,
   take precedence over them: a page downloads the subset, never the full font.

``tests/test_browser_book.py`` checks that no page loads the full fonts or the script, and that
the icons still render.
"""
from __future__ import annotations

import re
from pathlib import Path

FONTS_DIR = "vendor/fontawesome/webfonts"      # under _static, as the theme ships them
OUT_DIR = "icons"                               # under _static
CSS_FILE = f"{OUT_DIR}/icons.css"
#: (font family, weight, file stem) of the theme's three icon fonts.
FACES = [("Font Awesome 6 Free", 900, "fa-solid-900"),
         ("Font Awesome 6 Free", 400, "fa-regular-400"),
         ("Font Awesome 6 Brands", 400, "fa-brands-400")]

_BLOCK = re.compile(r"([^{}]+)\{([^{}]*)\}")
_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
_ICON_SELECTOR = re.compile(r"\.(fa-[a-z0-9-]+)(?:::?before)?")
_FA_CLASS = re.compile(r"(?<![\w-])(fa-[a-z0-9-]+)")


def _is_icon(cp: int) -> bool:
    """Font Awesome draws its icons in the Private Use Area (U+E000..U+F8FF)."""
    return 0xE000 <= cp <= 0xF8FF


def _code_points(declarations: str) -> set[int]:
    """Icon code points in the quoted strings of a CSS declaration block (escaped or literal)."""
    found = set()
    for m in _STRING.finditer(declarations):
        text = m.group(1) if m.group(1) is not None else m.group(2)
        text = _ESCAPE.sub(lambda e: chr(int(e.group(1), 16)), text)
        found |= {ord(ch) for ch in text if _is_icon(ord(ch))}
    return found


def parse_css(css: str) -> tuple[dict[str, set[int]], set[int]]:
    """(icon class -> code points, code points drawn by other rules) of a stylesheet."""
    by_class: dict[str, set[int]] = {}
    always: set[int] = set()
    for selectors, declarations in _BLOCK.findall(css):
        cps = _code_points(declarations)
        if not cps:
            continue
        sels = [s.strip() for s in selectors.split(",")]
        names = [_ICON_SELECTOR.fullmatch(s) for s in sels]
        if all(names):
            for m in names:
                by_class.setdefault(m.group(1), set()).update(cps)
        else:
            always |= cps
    return by_class, always


def used_classes(outdir: Path) -> set[str]:
    """Every fa-* class named by a page, or by a script that builds part of a page."""
    names: set[str] = set()
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts:
            continue
        for attr in re.findall(r'class="([^"]*)"', page.read_text(encoding="utf-8",
                                                                   errors="replace")):
            names |= set(_FA_CLASS.findall(attr))
    static = outdir / "_static"
    for script in static.rglob("*.js"):
        rel = script.relative_to(static).as_posix()
        if rel.startswith(("vendored/", "vendor/", OUT_DIR)) or rel.endswith("fontawesome.js"):
            continue
        names |= set(_FA_CLASS.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def wanted_code_points(outdir: Path) -> set[int]:
    by_class: dict[str, set[int]] = {}
    always: set[int] = set()
    static = outdir / "_static"
    for css in static.rglob("*.css"):
        if css.relative_to(static).as_posix().startswith(("vendored/", OUT_DIR)):
            continue
        c, a = parse_css(css.read_text(encoding="utf-8", errors="replace"))
        for k, v in c.items():
            by_class.setdefault(k, set()).update(v)
        always |= a
    cps = set(always)
    for name in used_classes(outdir):
        cps |= by_class.get(name, set())
    return cps


def subset_font(source: Path, target: Path, code_points: set[int]) -> set[int]:
    """Write the glyphs of ``code_points`` that ``source`` has to ``target`` (WOFF);
    return the code points written (empty, and nothing written, if the font has none)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    present = set(font.getBestCmap()) & code_points
    if not present:
        return set()
    options = subset.Options()
    options.flavor = "woff"         # zlib: WOFF2 would need the brotli module
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options=options)
    sub.populate(unicodes=sorted(present))
    sub.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(target))
    return present


def build_icon_fonts(outdir: Path) -> dict[str, set[int]]:
    """Subset the theme's icon fonts in the built site ``outdir`` and write icons.css;
    return the code points each subset font holds."""
    static = outdir / "_static"
    wanted = wanted_code_points(outdir)
    rules = ["/* Generated by partnership/book/icons.py: the theme's Font Awesome fonts, cut "
             "down to the icons this book uses. */"]
    held: dict[str, set[int]] = {}
    for family, weight, stem in FACES:
        source = static / FONTS_DIR / f"{stem}.ttf"
        if not source.is_file():
            continue
        target = static / OUT_DIR / f"{stem}.subset.woff"
        present = subset_font(source, target, wanted)
        held[stem] = present
        if present:
            rules.append(f'@font-face{{font-family:"{family}";font-style:normal;'
                         f'font-weight:{weight};font-display:block;'
                         f'src:url("{target.name}") format("woff")}}')
    (static / CSS_FILE).parent.mkdir(parents=True, exist_ok=True)
    (static / CSS_FILE).write_text("\n".join(rules) + "\n", encoding="utf-8")
    return held


def on_build_finished(app, exception):
    if exception is None and app.builder.format == "html":
        build_icon_fonts(Path(app.outdir))


def setup(app):
    # loaded after the theme's stylesheet, so these @font-face rules win
    app.add_css_file(CSS_FILE)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
