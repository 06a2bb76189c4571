"""Figures drawn at build time come out as vector graphics: SVG on the web, PDF in print.

A code cell in a chapter that draws with matplotlib (for example ``forest_plot(...)`` in
chapter 10) is run by an IPython kernel while the book builds. By default that kernel emits a
PNG, which a phone shrinks until its labels are unreadable. This extension gives the build's
kernels an IPython profile whose only setting is ``InlineBackend.figure_formats``
(``figure_formats`` in ``_config.yml``'s ``sphinx.config``; default SVG and PDF). MyST-NB
then picks the SVG for the web pages and the PDF for the LaTeX edition, so every figure is
sharp at any size and in print, with no change to the cell that draws it. Alt text and
caption still come from the cell's ``mystnb: image: alt:`` and ``figure: caption:``.

The profile lives in the build folder (``_build/.ipython``), never in the reader's home:
``IPYTHONDIR`` is set for this build process only, and the kernels it starts inherit it. A
figure whose cell has not changed is taken from the execution cache; after changing
``figure_formats``, delete ``_build/.jupyter_cache`` to redraw it.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_FORMATS = ("svg", "pdf")


def kernel_profile(app, config):
    formats = sorted(set(config.figure_formats))
    profile = Path(app.outdir).parent / ".ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        "# Written by partnership/book/figures.py for the book's build kernels.\n"
        f"c.InlineBackend.figure_formats = {set(formats)!r}\n", encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(profile.parent)


def setup(app):
    app.add_config_value("figure_formats", list(DEFAULT_FORMATS), "env", [list, tuple])
    app.connect("config-inited", kernel_profile)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
