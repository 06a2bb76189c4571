"""The PDF edition: what the printed book does differently from the web pages.

Built from the same sources by Jupyter Book 1's ``pdflatex`` builder::

    jupyter-book build . --builder pdflatex     # -> _build/latex/therapy-as-partnership.pdf

(``latex:`` in ``_config.yml``: XeLaTeX, so every Unicode character in the text prints, and
Sphinx's own LaTeX layout; ``use_jupyterbook_latex: false``, because that extension's class
needs ``bbm.sty``, which Debian ships only in the 1.4 GB ``texlive-fonts-extra``.)
``tests/test_pdf.py`` builds it and checks it; ``.ci/run`` installs the TeX packages.

This extension, active only for the LaTeX builder (the web pages do not change):

- **Book structure.** The welcome page is an unnumbered opening chapter; each part of
  ``_toc.yml`` becomes a LaTeX part; chapters in numbered parts keep the web edition's numbers
  (chapter 5 is chapter 5 in both), the practice labs and back matter are unnumbered.
  Sphinx on its own made every section of the welcome page a chapter of its own, so that
  chapter 1 of the web edition was chapter 11 of the PDF.
- **Self-checks** print as questions with lettered options where the chapter has them, and
  the answers, with the reason for every option, at the chapter's end. The ``{self-check}``
  directive (``selfcheck.py``, whatever form its web rendering takes) is wrapped so that it
  also records the printed version from the same YAML; ``only`` nodes keep each version to
  its own builder, so the HTML is unchanged.
- **What only works on screen** prints as a pointer to the web edition: the reflection coach
  (``{coach-demo}``) and the practice labs (the notebooks under ``notebooks/``).
- **The glossary** prints as one list, without the web page's A-Z headings.
"""
from __future__ import annotations

import fnmatch
import string

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Pages that are interactive throughout: printed as their introduction and a pointer.
WEB_ONLY_PAGES = ["notebooks/*"]
ANSWERS_CLASS = "self-check-answers-printed"


# ----------------------------------------------------------------------------- web links

def web_address(app, docname: str) -> str:
    """Where a page lives in the web edition: an absolute address when ``html.baseurl`` is set
    in _config.yml, otherwise the page's path beside the PDF (the PDF is published at the
    site's root, so the link works when the PDF is opened from the site)."""
    base = (app.config.html_baseurl or "").rstrip("/")
    page = f"{docname}.html"
    return f"{base}/{page}" if base else page


def _pointer(app, docname: str, lead: str, extra: str = "") -> nodes.Element:
    """A note: "<lead> open <link>." (and ``extra``)."""
    url = web_address(app, docname)
    para = nodes.paragraph()
    para += nodes.Text(f"{lead} open ")
    para += nodes.reference(url, url, refuri=url)
    para += nodes.Text(". " + extra if extra else ".")
    note = nodes.admonition(classes=["note", "web-edition-pointer"])
    note += nodes.title("", "In the web edition")
    note += para
    return note


# ----------------------------------------------------------------------------- self-checks

def _options_list(state, lineno, options) -> nodes.enumerated_list:
    items = nodes.enumerated_list(enumtype="upperalpha", prefix="", suffix=".")
    for opt in options:
        text, _ = state.inline_text(" ".join(opt.text.split()), lineno)
        items += nodes.list_item("", nodes.paragraph("", "", *text))
    return items


def printed_self_check(state, lineno, quiz) -> tuple[nodes.Element, nodes.Element]:
    """(questions for the chapter's self-check section, answers for the chapter's end)."""
    questions = nodes.container(classes=["self-check-printed"])
    answers = nodes.container(classes=[ANSWERS_CLASS])
    answers += nodes.raw("", r"\section*{Answers to the self\sphinxhyphen{}check}"
                             r"\addcontentsline{toc}{section}{Answers to the self-check}"
                             r"\markright{Answers to the self-check}",
                         format="latex")
    for n, q in enumerate(quiz.questions, start=1):
        prompt, _ = state.inline_text(" ".join(q.prompt.split()), lineno)
        questions += nodes.paragraph("", "", nodes.strong("", f"Question {n}. "), *prompt)
        questions += _options_list(state, lineno, q.options)
        key = next(i for i, o in enumerate(q.options) if o.correct)
        letter = string.ascii_uppercase[key]
        why, _ = state.inline_text(" ".join(q.options[key].why.split()), lineno)
        answers += nodes.paragraph("", "", nodes.strong("", f"Question {n}: {letter}. "),
                                   *why)
        others = nodes.bullet_list()
        for i, opt in enumerate(q.options):
            if i == key:
                continue
            text, _ = state.inline_text(" ".join(opt.why.split()), lineno)
            others += nodes.list_item("", nodes.paragraph(
                "", "", nodes.emphasis("", f"Not {string.ascii_uppercase[i]}: "), *text))
        answers += others
    return questions, answers


def wrap_self_check(app):
    """Wrap the registered ``{self-check}`` directive so that it also records the printed
    version (kept out of the HTML by ``only`` nodes). Runs once every extension is set up, so
    it wraps whatever implementation ``selfcheck.py`` registers."""
    from docutils.parsers.rst import directives

    base = directives._directives.get("self-check")
    if base is None or getattr(base, "_printed_wrapper", False):
        return
    from partnership.book.quizdata import QuizError, load_quiz

    class SelfCheckWithPrint(base):
        _printed_wrapper = True

        def run(self):
            web = super().run()
            if not web:
                return web
            _, path = self.env.relfn2path(self.arguments[0], self.env.docname)
            try:
                quiz = load_quiz(path)
            except QuizError:
                return web       # the web directive has already reported the problem
            questions, answers = printed_self_check(self.state, self.lineno, quiz)
            on_screen = addnodes.only(expr="not latex")
            on_screen.extend(web)
            on_paper = addnodes.only(expr="latex")
            on_paper += questions
            on_paper += answers
            return [on_screen, on_paper]

    app.add_directive("self-check", SelfCheckWithPrint, override=True)


class AnswersAtChapterEnd(SphinxTransform):
    """Move each printed self-check's answers to the end of its chapter (read time)."""
    default_priority = 900

    def apply(self, **kwargs):
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None:
            return
        for answers in list(self.document.findall(nodes.container)):
            if ANSWERS_CLASS in answers.get("classes", []):
                only = answers.parent
                wrapper = addnodes.only(expr="latex")
                answers.parent.remove(answers)
                wrapper += answers
                top += wrapper
                if isinstance(only, addnodes.only) and not only.children:
                    only.parent.remove(only)


# ----------------------------------------------------------------------------- LaTeX-only

def _docname_of(node, default: str) -> str:
    while node is not None:
        if isinstance(node, addnodes.start_of_file):
            return node["docname"]
        node = node.parent
    return default


class WebOnlyPointers(SphinxPostTransform):
    """The coach and the practice labs print as a pointer to the web edition."""
    builders = ("latex",)
    default_priority = 150

    def run(self, **kwargs):
        root = self.document.get("docname", self.config.root_doc)
        for node in list(self.document.findall(nodes.Element)):
            if node.__class__.__name__ == "coach_demo" and node.parent is not None:
                doc = _docname_of(node, root)
                node.replace_self(_pointer(
                    self.app, doc,
                    "The web edition of this page has the reflection coach, which runs in "
                    "your browser: type a response to a client and it codes it as an MI coder "
                    "would. To try it,",
                    "On your own computer, the command partnership coach does the same "
                    "(see the learner guide)."))
        for start in list(self.document.findall(addnodes.start_of_file)):
            doc = start["docname"]
            if not any(fnmatch.fnmatch(doc, pat) for pat in WEB_ONLY_PAGES):
                continue
            # the notebook's code cells, and the live lab that stands in for its lab cell
            # (partnership/book/litepage.py)
            cells = [c for c in start.findall(nodes.Element)
                     if (isinstance(c, nodes.container) and "cell" in c.get("classes", []))
                     or c.__class__.__name__ == "lite_lab"]
            if not cells:
                continue
            pointer = _pointer(
                self.app, doc,
                "The exercises on this page are interactive, so they are not printed. To "
                "work through them,",
                f"That page says how to run them; the notebook is {doc}.ipynb in the book's "
                f"repository, and the learner guide explains how to run it on your own "
                f"computer.")
            # the page's text stays (what each lab practises, the table of labs); its code
            # cells, which only run in a live kernel, give way to one pointer
            cells[0].replace_self(pointer)
            for c in cells[1:]:
                if c.parent is not None:
                    c.parent.remove(c)


class GlossaryWithoutLetters(SphinxPostTransform):
    """The glossary prints as one list: its A-Z sections (``glossary_index.py``) help on a
    screen, but in print they would fill the contents with single letters, and the book's
    index already runs from A to Z."""
    builders = ("latex",)
    default_priority = 160

    def run(self, **kwargs):
        for sect in list(self.document.findall(nodes.section)):
            if "glossary-letter" in sect.get("classes", []) and sect.parent is not None:
                sect.replace_self([c for c in sect.children if not isinstance(c, nodes.title)])


class BookStructure(SphinxPostTransform):
    """Parts, an unnumbered opening chapter and the web edition's chapter numbers (see the
    module docstring). Acts on the whole book as the LaTeX builder assembles it: the root
    page's own sections, then one toctree (``compound.toctree-wrapper``) per part of
    ``_toc.yml``, whose pages have been inlined."""
    builders = ("latex",)
    default_priority = 900

    def run(self, **kwargs):
        root_doc = self.config.root_doc
        if self.document.get("docname") != root_doc:
            return
        root = next((c for c in self.document.children if isinstance(c, nodes.section)),
                    None)
        if root is None:
            return
        # the parts' toctrees are the root page's own (a chapter with sub-pages has a toctree
        # of its own, inlined deeper down: not a part)
        wrappers = [n for n in root.children if isinstance(n, nodes.compound)
                    and "toctree-wrapper" in n.get("classes", [])]
        parts = self._parts()
        if len(parts) != len(wrappers):
            logger.warning("printed edition: %d parts in _toc.yml but %d toctrees in %s; "
                           "the PDF keeps Sphinx's structure", len(parts), len(wrappers),
                           root_doc, type="printed", subtype="structure")
            return
        for w in wrappers:
            w.parent.remove(w)
        # A wrapper section whose title LaTeX takes as the document title (and does not
        # print): the root page then sits at chapter level, beside the chapters.
        book = nodes.section(ids=["printed-book"])
        book += nodes.title("", self.config.project)
        self.document.remove(root)
        # secnumdepth: 1 numbers chapters and sections, -2 nothing (not even the part)
        book += nodes.raw("", r"\setcounter{secnumdepth}{-2}", format="latex")
        book += root
        for (caption, numbered), wrapper in zip(parts, wrappers):
            depth = 1 if numbered else -2
            book += nodes.raw("", rf"\setcounter{{secnumdepth}}{{{depth}}}", format="latex")
            if caption:
                book += nodes.raw("", rf"\part{{{_latex_escape(caption)}}}", format="latex")
            book += wrapper
        self.document.insert(0, book)

    def _parts(self) -> list[tuple[str, bool]]:
        site_map = getattr(self.config, "external_site_map", None)
        if site_map is None:
            return []
        return [(sub.caption or "", bool(sub.numbered)) for sub in site_map.root.subtrees]


def _latex_escape(text: str) -> str:
    for ch, rep in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"),
                    ("#", r"\#"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}")):
        text = text.replace(ch, rep)
    return text


def setup(app):
    app.connect("builder-inited", wrap_self_check)
    app.add_transform(AnswersAtChapterEnd)
    app.add_post_transform(WebOnlyPointers)
    app.add_post_transform(GlossaryWithoutLetters)
    app.add_post_transform(BookStructure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
