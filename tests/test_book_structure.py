"""Fast checks of the book's sources: the toc, each chapter's shape, citations, glossary, data.

These run without building the book, so a broken chapter is named precisely and quickly; the
strict Sphinx build in test_book_build.py is the final word.
"""
from __future__ import annotations

import csv
import os
import re
import subprocess

import pytest

from bookinfo import (BOOK, CITE_RE, REPO, SHARED, TERM_RE, bib_keys, book_sources,
                      chapter_docs, glossary_terms, source_path, term_target, toc_files)
from partnership.book.quizdata import load_quiz

#: Chapter files ch00-ch14. Files keep the number they were created with; the toc decides where
#: each one sits (chapters 12-14 were added later and sit inside the parts they belong to).
EXPECTED_CHAPTERS = [f"{n:02d}" for n in range(15)]


def test_every_toc_entry_exists():
    for doc in toc_files():
        source_path(doc)  # raises with the missing name


def test_every_page_is_in_the_toc():
    in_toc = {str(source_path(d).relative_to(REPO)) for d in toc_files()}
    pages = [p for p in BOOK.glob("*.md")] + [p for p in (REPO / "notebooks").glob("*.ipynb")]
    missing = sorted(str(p.relative_to(REPO)) for p in pages if str(p.relative_to(REPO)) not in in_toc)
    assert not missing, f"pages not in _toc.yml: {missing}"


def test_every_chapter_is_in_the_toc_once_and_the_original_twelve_keep_their_order():
    numbers = [re.match(r"book/ch(\d\d)-", d).group(1) for d in chapter_docs()]
    assert sorted(numbers) == EXPECTED_CHAPTERS, f"chapter files in the toc: {numbers}"
    assert [n for n in numbers if int(n) < 12] == EXPECTED_CHAPTERS[:12]


@pytest.mark.parametrize("doc", chapter_docs())
def test_chapter_shape(doc):
    text = source_path(doc).read_text(encoding="utf-8")
    name = doc.split("/")[-1]
    assert re.search(r"^# \S", text, flags=re.M), f"{name}: no title"
    assert re.search(r"^:{3,}\{admonition\} Learning objectives", text, flags=re.M), \
        f"{name}: no 'Learning objectives' admonition"
    for heading in ("## Reflect", "## Self-check", "## Summary"):
        assert re.search(rf"^{heading}\s*$", text, flags=re.M), f"{name}: no '{heading}' section"
    # Objectives come first, the summary last.
    assert text.index("Learning objectives") < text.index("## Summary")
    if not name.startswith("ch00"):
        assert re.search(r"^## Case vignette: \S", text, flags=re.M), f"{name}: no case vignette"
        assert len(CITE_RE.findall(text)) >= 3, f"{name}: fewer than three citations"
    m = re.search(r"```\{self-check\}\s+(\S+)", text)
    assert m, f"{name}: no self-check directive"
    quiz = load_quiz(BOOK / m.group(1))
    assert len(quiz.questions) >= 4, f"{name}: self-check has {len(quiz.questions)} questions"
    assert all(q.id.startswith(name[:4]) for q in quiz.questions), f"{name}: question ids"


def test_every_citation_key_is_in_the_bibliography():
    keys = bib_keys()
    unknown = {}
    for path in book_sources() + sorted((BOOK / "quizzes").glob("*.yml")):
        for group in CITE_RE.findall(path.read_text(encoding="utf-8")):
            for key in (k.strip() for k in group.split(",")):
                if key not in keys:
                    unknown.setdefault(path.name, []).append(key)
    assert not unknown, f"citation keys missing from references.bib: {unknown}"


def test_glossary_has_at_least_forty_unique_terms():
    terms = glossary_terms()
    assert len(terms) >= 40, f"only {len(terms)} glossary terms"
    lowered = [t.lower() for t in terms]
    assert len(set(lowered)) == len(lowered), "a glossary term is defined twice"


def test_every_term_link_resolves_and_every_term_is_used():
    terms = set(glossary_terms())
    used = set()
    broken = {}
    for path in book_sources() + sorted((BOOK / "quizzes").glob("*.yml")):
        for raw in TERM_RE.findall(path.read_text(encoding="utf-8")):
            target = term_target(raw)
            used.add(target)
            if target not in terms:
                broken.setdefault(path.name, []).append(target)
    assert not broken, f"{{term}} links with no glossary entry (case matters): {broken}"
    unused = sorted(terms - used)
    assert not unused, f"glossary terms never linked from a chapter: {unused}"


def test_evidence_data_matches_the_verified_figures():
    """The figures in COURSE.md's primary sources; a typo in the data file fails here."""
    with (BOOK / "data" / "evidence.csv").open(encoding="utf-8") as fh:
        rows = {r["source_key"]: r for r in csv.DictReader(fh)}
    assert set(rows) <= bib_keys()
    a = rows["fluckiger2018alliance"]
    assert (a["r"], a["ci_low"], a["ci_high"], a["k"]) == ("0.278", "0.256", "0.299", "295")
    e = rows["elliott2018empathy"]
    assert (e["r"], e["ci_low"], e["ci_high"], e["k"], e["n_clients"]) == ("0.28", "0.23", "0.33", "82", "6138")
    c = rows["kolden2018congruence"]
    assert (c["r"], c["k"], c["n_clients"]) == ("0.23", "21", "1192")
    p = rows["farber2018regard"]
    assert (p["metric"], p["reported"], p["k"]) == ("g", "0.28", "64")


def test_evidence_chapter_explains_variance_and_corrects_the_myth():
    text = source_path("book/ch10-evidence").read_text(encoding="utf-8")
    assert "forest_plot(" in text and "fig-evidence-forest" in text
    assert re.search(r"8\s?%|8 per ?cent", text), "ch10 must say r = .28 is about 8% of variance"
    assert "30%" in text or "30 per" in text, "ch10 must address the '30% of the variance' claim"
    assert "lambert1992outcome" in text


def test_welcome_says_what_the_book_is_not():
    text = source_path("book/ch00-welcome").read_text(encoding="utf-8").lower()
    assert "not therapy" in text or "not a substitute for therapy" in text
    assert "supervised clinical training" in text
    assert "crisis" in text and "emergency" in text


def test_self_check_cli_validates_every_quiz():
    out = subprocess.run(["partnership", "check-quizzes", str(BOOK / "quizzes")],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip().splitlines()) == len(list((BOOK / "quizzes").glob("*.yml")))


def test_originality_against_the_seed_texts():
    tool = SHARED / "tools" / "originality-check"
    if not tool.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the originality checker {tool} is missing")
        pytest.skip("../shared/tools/originality-check is not present here")
    out = subprocess.run([str(tool), str(REPO)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, "passages repeated from the seed texts:\n" + out.stdout[-5000:]


# --------------------------------------------------------------------------- issue 17 topics

def _section(text: str, heading: str) -> str:
    """The body of the `## heading` section, up to the next `## ` heading."""
    m = re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.M)
    assert m, f"no '## {heading}' section"
    rest = text[m.end():]
    nxt = re.search(r"^## ", rest, flags=re.M)
    return rest[:nxt.start()] if nxt else rest


def _cited(text: str) -> set[str]:
    return {k.strip() for group in CITE_RE.findall(text) for k in group.split(",")}


#: Sections added to existing chapters: (chapter, heading, keys it must cite, words it must use).
ADDED_SECTIONS = [
    ("book/ch03-trust-confidentiality", "Beyond the United States: UK codes and law",
     {"bacp2018ethical", "hcpc2024standards", "nmc2018code", "basw2021code", "gillick1986",
      "mca2005", "egdell1990"},
     ["1 July 2018", "2025-26", "1 September 2024", "Gillick competence", "Tarasoff",
      "Mental Capacity Act 2005"]),
    ("book/ch06-boundaries-ethics", "Beyond the United States: boundaries in UK codes",
     {"bacp2018ethical", "hcpc2024standards", "nmc2018code", "basw2021code"},
     ["1 September 2024", "APA and ACA"]),
    ("book/ch07-power-culture-humility", "Cultural adaptation and multicultural orientation",
     {"davis2018mco", "soto2018cultural", "cabral2011matching"},
     ["Cultural humility", "Cultural opportunities", "Cultural comfort", "interpreter"]),
    ("book/ch11-growing-practitioner",
     "Looking after yourself: burnout, vicarious trauma and supervision as care",
     {"maslach2016burnout", "oconnor2018burnout", "delgadillo2018burnout",
      "sabinfarrell2003vicarious", "bober2006strategies"},
     ["Burnout", "vicarious trauma", "supervision"]),
]


@pytest.mark.parametrize("doc,heading,keys,words", ADDED_SECTIONS,
                         ids=[h.split(":")[0] for _, h, _, _ in ADDED_SECTIONS])
def test_added_sections_are_present_cited_and_on_topic(doc, heading, keys, words):
    body = _section(source_path(doc).read_text(encoding="utf-8"), heading)
    missing = keys - _cited(body)
    assert not missing, f"{doc}, '{heading}': does not cite {sorted(missing)}"
    for word in words:
        assert word in body, f"{doc}, '{heading}': never mentions {word!r}"


NEW_CHAPTERS = {
    "book/ch12-suicide-safety-planning": (
        {"stanley2012safety", "stanley2018spi", "dazzi2014asking", "nice2022selfharm"},
        ["3.03%", "5.29%", "0.56", "not a randomised controlled trial", "Samaritans", "988"]),
    "book/ch13-beyond-the-room": (
        {"fluckiger2018alliance", "friedlander2018alliance", "norwood2018video",
         "darcy2021bond", "heinz2025therabot"},
        ["*r* = .275", "*r* = .297", "split", "coach", "privacy"]),
    "book/ch14-feedback-preferences-endings": (
        {"lambert2018feedback", "dejong2021feedback", "swift2018preferences", "tryon2018goals",
         "swift2012dropout"},
        ["*d* = 0.15", "*d* = 0.17", "1.79", "*d* = 0.28", "*r* = .24", "*r* = .29", "homework",
         "ORS", "SRS", "OQ-45", "CORE-10"]),
}


@pytest.mark.parametrize("doc", sorted(NEW_CHAPTERS))
def test_new_chapters_state_their_checked_facts_with_sources(doc):
    text = source_path(doc).read_text(encoding="utf-8")
    keys, facts = NEW_CHAPTERS[doc]
    assert not keys - _cited(text), f"{doc}: does not cite {sorted(keys - _cited(text))}"
    for fact in facts:
        assert fact in text, f"{doc}: never states {fact!r}"
    quiz = load_quiz(BOOK / "quizzes" / (doc.split("/")[-1][:4] + ".yml"))
    assert len(quiz.questions) >= 8, f"{doc}: the self-check needs at least 8 questions"
    vignette = re.search(r"^## Case vignette: .*?(?=^## )", text, flags=re.M | re.S).group(0)
    assert "fictional" in vignette, f"{doc}: the vignette does not say it is fictional"


def test_the_suicide_chapter_opens_with_a_content_note_and_help():
    text = source_path("book/ch12-suicide-safety-planning").read_text(encoding="utf-8")
    first_section = text.index("\n## ")
    note = text.index("{admonition} Content note")
    assert note < text.index("Learning objectives") < first_section
    assert "ch00-welcome.md#before-you-begin" in text[:first_section]
    assert "does not qualify anyone" in text and "not a randomised" in text
