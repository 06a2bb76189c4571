"""The PDF edition (partnership/book/printed.py), built as README says with one command:
``jupyter-book build . --builder pdflatex``, into a clean folder.

Checks what a reader of the PDF gets: it builds; enough pages; every page of the book's table
of contents has its title in it; no unresolved reference ("??", or LaTeX's "undefined"); the
chapters numbered as on the web; every self-check printed as questions, with the answers and the
reason for every option at the chapter's end; the coach and the labs as pointers to the web
edition; the figure as vector graphics; and an HTML build beside it publishes the PDF and links
it from every page's download menu.

Needs XeLaTeX, latexmk and poppler's pdftotext/pdfinfo/pdfimages (``.ci/run`` installs the
Debian packages): skipped where they are missing, failed under ``CI=true``.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import pytest
from bookinfo import REPO, jupyter_book_cli, source_path, toc_files
from browser_support import skip_or_fail

from partnership.book.quizdata import load_quiz

pytestmark = [pytest.mark.book, pytest.mark.slow]

TOOLS = ("xelatex", "latexmk", "makeindex", "pdftotext", "pdfinfo", "pdfimages")
PDF_NAME = "therapy-as-partnership.pdf"
SELF_CHECK = re.compile(r"^```\{self-check\}\s+(\S+)", re.M)


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory):
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        skip_or_fail(f"the PDF edition needs {', '.join(missing)} (Debian: texlive-xetex "
                     f"texlive-latex-extra texlive-fonts-recommended latexmk fonts-freefont-otf "
                     f"poppler-utils; .ci/run installs them)")
    out = tmp_path_factory.mktemp("pdf")
    start = time.perf_counter()
    proc = subprocess.run([jupyter_book_cli(), "build", str(REPO), "--builder", "pdflatex",
                           "--path-output", str(out)],
                          capture_output=True, text=True, cwd=REPO, timeout=1800)
    seconds = time.perf_counter() - start
    pdf = out / "_build" / "latex" / PDF_NAME
    if proc.returncode != 0 or not pdf.is_file():
        pytest.fail(f"the PDF did not build ({seconds:.0f} s):\n"
                    + (proc.stdout + proc.stderr)[-5000:], pytrace=False)
    print(f"\nPDF edition built in {seconds:.1f} s")
    return out, pdf


@pytest.fixture(scope="module")
def pdf_text(pdf_build) -> str:
    _, pdf = pdf_build
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split()).lower()


def _title(doc: str) -> str:
    path = source_path(doc)
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, flags=re.M).group(1).strip()


def _quizzes() -> list[tuple[str, int]]:
    """(document, number of questions) for every {self-check} in the book, in book order."""
    found = []
    for doc in toc_files():
        path = source_path(doc)
        if path.suffix != ".md":
            continue
        # a ````-fenced example (the instructor guide shows the directive) is not a self-check
        text = re.sub(r"^(````+)[^\n]*\n.*?^\1\s*$", "", path.read_text(encoding="utf-8"),
                      flags=re.M | re.S)
        for rel in SELF_CHECK.findall(text):
            found.append((doc, len(load_quiz(path.parent / rel).questions)))
    return found


def test_pdf_has_every_page_of_the_book_and_enough_pages(pdf_build, pdf_text):
    _, pdf = pdf_build
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    assert pages >= 150, f"only {pages} pages"
    flat = _flat(pdf_text)
    missing = [doc for doc in toc_files() if _flat(_title(doc)) not in flat]
    assert not missing, f"titles missing from the PDF: {missing}"


def test_pdf_has_no_unresolved_reference(pdf_build, pdf_text):
    out, pdf = pdf_build
    assert "??" not in pdf_text
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"There were undefined references|Reference `[^']+' on page \d+ "
                         r"undefined|Citation `[^']+' on page \d+ undefined", log)


def _numbered_chapters() -> list[str]:
    """The chapters of the numbered parts of _toc.yml, in order: the web edition numbers them
    1, 2, 3... in that order (whatever their file names)."""
    import yaml

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    return [c["file"] for part in toc.get("parts", []) if part.get("numbered")
            for c in part.get("chapters", [])]


def test_pdf_numbers_chapters_as_the_web_edition(pdf_text):
    """Chapter N of the web edition is chapter N of the PDF (Sphinx alone made each section
    of the welcome page a chapter, so chapter 1 came out as chapter 11)."""
    flat = _flat(pdf_text)
    chapters = _numbered_chapters()
    assert len(chapters) >= 11
    for n, doc in enumerate(chapters, start=1):
        assert re.search(rf"(?<!\d){n} {re.escape(_flat(_title(doc)))}", flat), \
            f"chapter {n} ({doc}) not numbered {n}"


def test_self_checks_print_questions_and_answers_at_the_chapter_end(pdf_text):
    quizzes = _quizzes()
    assert len(quizzes) >= 12
    body = pdf_text
    lines = [l.strip() for l in body.splitlines()]
    headings = [i for i, l in enumerate(lines) if l == "Answers to the self-check"]
    assert len(headings) == len(quizzes), (len(headings), len(quizzes))
    questions = len(re.findall(r"\bQuestion \d+\. ", body))
    answers = len(re.findall(r"\bQuestion \d+: [A-E]\. ", body))
    total = sum(n for _, n in quizzes)
    assert questions == total and answers == total, (questions, answers, total)
    # every wrong option's reason is printed too ("Not B: ...")
    assert len(re.findall(r"\bNot [A-E]: ", body)) >= 2 * total
    # the answers come after the chapter's summary, at its end
    for i in headings:
        before = [l for l in lines[:i] if re.fullmatch(r"(\d+\.\d+ )?(Summary|Self-check)", l)]
        if before and before[-1].endswith("Self-check"):
            pytest.fail(f"answers printed straight after a self-check: {lines[i - 3:i + 2]}")


def test_coach_and_labs_print_as_pointers_to_the_web_edition(pdf_text):
    flat = _flat(pdf_text)
    coach_pages = sum(source_path(d).read_text(encoding="utf-8").count("```{coach-demo}")
                      for d in toc_files() if source_path(d).suffix == ".md")
    assert flat.count("the web edition of this page has the reflection coach") == coach_pages
    labs = [d for d in toc_files() if d.startswith("notebooks/")]
    assert flat.count("the exercises on this page are interactive, so they are not printed") \
        == len(labs)
    for doc in labs:
        assert f"{doc}.html" in flat, f"no link to {doc} in the web edition"
    # no code meant for a live kernel is printed
    assert "show_progress()" not in pdf_text and "lab('" not in pdf_text


def test_figure_prints_as_vector_graphics(pdf_build, pdf_text):
    _, pdf = pdf_build
    pages = pdf_text.split("\f")
    page = next(i + 1 for i, p in enumerate(pages)
                if "Relationship factors and client outcome in four 2018" in p)
    listing = subprocess.run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(pdf)],
                             capture_output=True, text=True, check=True).stdout
    rasters = [l for l in listing.splitlines()[2:] if l.strip()]
    assert not rasters, f"page {page} has raster images:\n{listing}"


def test_web_edition_publishes_and_links_the_pdf(pdf_build):
    """The HTML build beside a built PDF copies it into the site and offers it in every page's
    download menu; without one (tests/conftest.py's build) the menu does not offer it."""
    out, pdf = pdf_build
    proc = subprocess.run([jupyter_book_cli(), "build", str(REPO), "--path-output", str(out)],
                          capture_output=True, text=True, cwd=REPO, timeout=1200)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    html = out / "_build" / "html"
    assert (html / PDF_NAME).read_bytes() == pdf.read_bytes()
    for rel in ("book/ch02-working-alliance.html", "notebooks/01-alliance-lab.html",
                "book/glossary.html"):
        text = (html / rel).read_text(encoding="utf-8")
        assert re.search(rf'<a href="\.\./{re.escape(PDF_NAME)}" download="{PDF_NAME}"', text), rel
