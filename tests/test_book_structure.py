"""Fast checks of the book's sources: the toc, each chapter's shape, citations, glossary, data.

These run without building the book, so a broken chapter is named precisely and quickly; the
strict Sphinx build in test_book_build.py is the final word.
"""
from __future__ import annotations

import csv
import importlib
import os
import re
import subprocess
from collections import Counter

import pytest
import yaml

from bookinfo import (BOOK, CITE_RE, REPO, SHARED, TERM_RE, bib_keys, book_sources,
                      chapter_docs, chapter_pages, glossary_terms, source_path, term_target,
                      toc_files)
from partnership.book.quizdata import load_quiz

#: Chapter files ch00-ch14. Files keep the number they were created with; the toc decides where
#: each one sits (chapters 12-14 were added later and sit inside the parts they belong to).
EXPECTED_CHAPTERS = [f"{n:02d}" for n in range(15)]


def test_every_toc_entry_exists():
    for doc in toc_files():
        source_path(doc)  # raises with the missing name


def test_every_page_is_in_the_toc():
    in_toc = {str(source_path(d).relative_to(REPO)) for d in toc_files()}
    pages = ([p for p in BOOK.glob("*.md")] + [p for p in BOOK.glob("ch[0-9][0-9]/*.md")]
             + [p for p in (REPO / "notebooks").glob("*.ipynb")])
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
    assert len(quiz.questions) >= 8, f"{name}: self-check has {len(quiz.questions)} questions"
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
    counted = [line for line in out.stdout.splitlines() if re.search(r"\.yml: \d+ questions", line)]
    assert len(counted) == len(list((BOOK / "quizzes").glob("*.yml")))


def test_originality_against_the_seed_texts():
    tool = SHARED / "tools" / "originality-check"
    if not tool.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the originality checker {tool} is missing")
        pytest.skip("../shared/tools/originality-check is not present here")
    out = subprocess.run([str(tool), str(REPO)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, "passages repeated from the seed texts:\n" + out.stdout[-5000:]


# --- Figures drawn at build time, key terms, sub-pages -----------------------------------------

CODE_CELL_RE = re.compile(r"```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n(.*?)```", re.S)
CALL_RE = re.compile(r"^from (partnership\.book\.\w+) import (\w+)\s*$\n^(\w+)\(\"([^\"]+)\"(?:,[^\n]*)?\);?\s*$", re.M)


def figure_cells(doc: str) -> list[dict]:
    """The build-time figures of one page: each code cell with figure metadata, the function it
    calls and the data file it passes."""
    path = source_path(doc)
    found = []
    for meta_text, code in CODE_CELL_RE.findall(path.read_text(encoding="utf-8")):
        meta = yaml.safe_load(meta_text)
        mystnb = (meta or {}).get("mystnb", {})
        if "figure" not in mystnb:
            continue
        m = CALL_RE.search(code)
        found.append({"page": doc, "meta": meta, "call": m and m.groups(), "dir": path.parent})
    return found


@pytest.mark.parametrize("doc", chapter_docs())
def test_every_chapter_has_a_figure_drawn_from_repository_data(doc):
    """At least one figure per chapter (on the chapter page or its sub-pages), drawn by a function
    in partnership.book from a data file that exists in the repository, with alt text and a name."""
    cells = [c for page in chapter_pages(doc) for c in figure_cells(page)]
    assert cells, f"{doc}: no build-time figure on the chapter or its sub-pages"
    for c in cells:
        where = c["page"]
        assert "remove-input" in (c["meta"].get("tags") or []), f"{where}: show the figure, not its code"
        alt = (c["meta"]["mystnb"].get("image") or {}).get("alt", "")
        assert len(alt) >= 60, f"{where}: figure needs alt text that describes it"
        fig = c["meta"]["mystnb"]["figure"]
        assert str(fig.get("name", "")).startswith("fig-") and fig.get("caption"), f"{where}: caption and name"
        assert c["call"], f"{where}: the cell must import one function from partnership.book and call it on a data file"
        module, func, called, data = c["call"]
        assert func == called, f"{where}: calls {called} but imports {func}"
        assert callable(getattr(importlib.import_module(module), func, None)), f"{where}: {module}.{func}"
        data_path = (c["dir"] / data).resolve()
        assert data_path.is_file(), f"{where}: data file {data} does not exist"
        assert REPO in data_path.parents, f"{where}: data file outside the repository"
    # The header that makes MyST-NB execute the page at build time.
    for page in {c["page"] for c in cells}:
        head = source_path(page).read_text(encoding="utf-8")[:400]
        assert "kernelspec:" in head and "format_name: myst" in head, f"{page}: no jupytext header, so the cell never runs"


def _key_terms_section(text: str) -> str:
    m = re.search(r"^## Key terms\s*$(.*?)(?=^#{1,2} |\Z)", text, flags=re.M | re.S)
    return m.group(1) if m else ""


@pytest.mark.parametrize("doc", chapter_docs())
def test_every_chapter_lists_its_key_terms(doc):
    text = source_path(doc).read_text(encoding="utf-8")
    section = _key_terms_section(text)
    assert section, f"{doc}: no '## Key terms' section"
    listed = [term_target(t) for t in TERM_RE.findall(section)]
    assert len(listed) >= 4, f"{doc}: only {len(listed)} key terms"
    assert len(set(listed)) == len(listed), f"{doc}: a key term is listed twice"
    assert set(listed) <= set(glossary_terms()), f"{doc}: key terms missing from the glossary"
    body = text.replace(section, "") + "".join(
        source_path(p).read_text(encoding="utf-8") for p in chapter_pages(doc)[1:])
    used = {term_target(t) for t in TERM_RE.findall(body)}
    unused = sorted(set(listed) - used)
    assert not unused, f"{doc}: key terms never linked in the chapter's text: {unused}"


def test_the_glossary_has_the_terms_issue_17_asked_for():
    terms = set(glossary_terms())
    wanted = {"Therapeutic relationship", "Therapeutic alliance", "Client independence",
              "Immediacy", "Privilege", "MITI", "3RS"}
    assert wanted <= terms, f"missing glossary terms: {sorted(wanted - terms)}"


def test_sub_pages_link_back_to_their_chapter():
    for doc in chapter_docs():
        for page in chapter_pages(doc)[1:]:
            text = source_path(page).read_text(encoding="utf-8")
            assert re.search(r"^# \S", text, flags=re.M), f"{page}: no title"
            chapter = doc.split("/")[-1]
            assert f"{{doc}}`../{chapter}`" in text, f"{page}: no link back to {chapter}"


AGE = r"(?:\d{2}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?)"
CHARACTER_RE = re.compile(
    rf"\b(?:(?:Mr|Mrs|Ms|Dr) )?([A-Z][a-z]+(?:-[a-z]+)?)(?: [A-Z][a-z]+)?(?:,| is| was) (?:a |an )?{AGE}\b")


def test_vignette_characters_have_names_unique_across_chapters():
    """Characters introduced with an age ("Bethan is 29", "Tendai, 27,") appear in one chapter
    only, so that no two chapters repeat the same person (issue 17: vignettes repeated templates)."""
    where: dict[str, set[str]] = {}
    for doc in chapter_docs():
        for page in chapter_pages(doc):
            for m in CHARACTER_RE.finditer(source_path(page).read_text(encoding="utf-8")):
                where.setdefault(m.group(1), set()).add(doc)
    assert len(where) >= 20, f"the pattern found only {len(where)} characters: {sorted(where)}"
    repeated = {name: sorted(docs) for name, docs in where.items() if len(docs) > 1}
    assert not repeated, f"character names used in more than one chapter: {repeated}"


# --- Annotated transcripts (book/data/transcripts/*.yml) -----------------------------------------
# Typed out from COURSE.md, not imported from partnership.book.transcripts, on purpose.

MITI_421 = {"Giving Information", "Persuade", "Persuade with Permission", "Question",
            "Simple Reflection", "Complex Reflection", "Affirm", "Seeking Collaboration",
            "Emphasizing Autonomy", "Confront"}
WITHDRAWAL = {"denial", "minimal response", "abstract talk", "avoidant storytelling",
              "deference", "content-affect split", "self-criticism"}
CONFRONTATION = {"complaints about the therapist", "complaints about the activities",
                 "complaints about the parameters", "complaints about progress",
                 "rejecting interventions", "defending the self", "trying to control the therapist"}
REPAIRS = {"clarifying a misunderstanding", "illustrating the rationale", "changing tasks or goals",
           "metacommunication", "exploring the rupture experience",
           "acknowledging own contribution", "linking to wider patterns"}

TRANSCRIPTS = sorted((BOOK / "data" / "transcripts").glob("*.yml"))


def raw(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def of_kind(kind):
    return [p for p in TRANSCRIPTS if raw(p)["kind"] == kind]


@pytest.mark.parametrize("path", of_kind("miti"), ids=lambda p: p.name)
def test_every_practitioner_utterance_has_a_miti_421_code(path):
    data = raw(path)
    assert 25 <= len(data["turns"]) <= 40, "the MI session should run 25 to 40 turns"
    for n, turn in enumerate(data["turns"], start=1):
        if turn["speaker"] == "practitioner":
            assert turn["utterances"], f"turn {n}: no coded utterance"
            for u in turn["utterances"]:
                assert u["code"] in MITI_421, f"turn {n}: {u['code']!r} is not a MITI 4.2.1 code"
            assert turn.get("comment", "").strip(), f"turn {n}: no margin comment"
        else:
            assert "utterances" not in turn, f"turn {n}: client turns are not MITI-coded"


@pytest.mark.parametrize("path", of_kind("miti"), ids=lambda p: p.name)
def test_the_stated_miti_summary_matches_the_coded_turns(path):
    data = raw(path)
    tally = Counter(u["code"] for t in data["turns"] for u in t.get("utterances") or [])
    stated = data["summary"]["counts"]
    assert set(stated) == MITI_421, "the summary should state every MITI 4.2.1 count, zeros included"
    assert {c: stated[c] for c in MITI_421} == {c: tally.get(c, 0) for c in MITI_421}
    # and the package computes the same scores from the same turns
    from partnership.book.transcripts import load_transcript, miti_scores
    scores = miti_scores(load_transcript(path))
    refl = tally["Simple Reflection"] + tally["Complex Reflection"]
    assert scores.reflections == refl and scores.questions == tally["Question"]
    assert scores.r_to_q == pytest.approx(refl / tally["Question"])
    assert scores.pct_complex == pytest.approx(100 * tally["Complex Reflection"] / refl)


@pytest.mark.parametrize("path", of_kind("rupture"), ids=lambda p: p.name)
def test_rupture_labels_are_3rs_markers_and_named_repair_moves(path):
    data = raw(path)
    families = set()
    for n, turn in enumerate(data["turns"], start=1):
        for m in turn.get("markers") or []:
            assert turn["speaker"] == "client", f"turn {n}: markers belong to client turns"
            assert m in WITHDRAWAL | CONFRONTATION, f"turn {n}: {m!r} is not a 3RS marker subtype"
            families.add("withdrawal" if m in WITHDRAWAL else "confrontation")
        for r in turn.get("repair") or []:
            assert turn["speaker"] == "practitioner", f"turn {n}: repair moves belong to the practitioner"
            assert r in REPAIRS, f"turn {n}: {r!r} is not one of chapter 8's repair moves"
        if turn["speaker"] == "practitioner":
            assert turn.get("comment", "").strip(), f"turn {n}: no margin comment"
    assert families == {"withdrawal", "confrontation"}, "show both kinds of rupture"
    assert any(turn.get("repair") for turn in data["turns"])


# --------------------------------------------------------------------------- issue 17 topics

def _section(text: str, heading: str) -> str:
    """The body of the `## heading` section, up to the next `## ` heading."""
    m = re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.M)
    assert m, f"no '## {heading}' section"
    rest = text[m.end():]
    nxt = re.search(r"^## ", rest, flags=re.M)
    return rest[:nxt.start()] if nxt else rest


def _chapter_section(doc: str, heading: str) -> str:
    """The section `heading` of a chapter, wherever it is: a `## heading` on the chapter page or
    on one of its sub-pages, or a whole sub-page titled `# heading` (long chapters keep their
    objectives, vignette, self-check and summary on the chapter page and move cohesive teaching
    sections to sub-pages)."""
    for page in chapter_pages(doc):
        text = source_path(page).read_text(encoding="utf-8")
        if re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.M):
            return _section(text, heading)
        if re.search(rf"^# {re.escape(heading)}\s*$", text, flags=re.M):
            return text
    pytest.fail(f"{doc}: no section or sub-page '{heading}' in {chapter_pages(doc)}")


def _chapter_text(doc: str) -> str:
    """A chapter page followed by its sub-pages."""
    return "\n".join(source_path(p).read_text(encoding="utf-8") for p in chapter_pages(doc))


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
    body = _chapter_section(doc, heading)
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
    everything = _chapter_text(doc)
    keys, facts = NEW_CHAPTERS[doc]
    assert not keys - _cited(everything), f"{doc}: does not cite {sorted(keys - _cited(everything))}"
    for fact in facts:
        assert fact in everything, f"{doc}: never states {fact!r}"
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


def test_every_page_of_the_suicide_chapter_carries_the_content_note_and_help():
    """A reader can land on a sub-page from search or the sidebar without passing the chapter's
    opening: each sub-page repeats the warning and where to find help before its first section."""
    for page in chapter_pages("book/ch12-suicide-safety-planning")[1:]:
        text = source_path(page).read_text(encoding="utf-8")
        first_section = text.index("\n## ")
        head = text[:first_section]
        assert "{admonition} Content note" in head, f"{page}: no content note before the first section"
        assert "ch00-welcome.md#before-you-begin" in head and "Samaritans" in head and "988" in head, \
            f"{page}: no pointer to crisis help before the first section"


# --------------------------------------------------------------------------- the guides' plans

DOC_LINK_RE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")


def _plan_table(path, heading: str) -> list[list[str]]:
    """The rows (cells) of the first Markdown table under `heading` in a guide."""
    text = path.read_text(encoding="utf-8")
    m = re.search(rf"^#+ {re.escape(heading)}\s*$", text, flags=re.M)
    assert m, f"{path.name}: no '{heading}' section"
    rows = []
    for line in text[m.end():].splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header


PLANS = [("learner-guide.md", "A twelve-week plan", 12),
         ("learner-guide.md", "A six-week intensive", 6),
         ("instructor-guide.md", "Planning a twelve-week course", 12)]


@pytest.mark.parametrize("guide,heading,weeks", PLANS, ids=[f"{g}:{h}" for g, h, _ in PLANS])
def test_study_and_course_plans_cover_every_chapter_once_in_book_order(guide, heading, weeks):
    rows = _plan_table(BOOK / guide, heading)
    assert [r[0] for r in rows] == [str(n) for n in range(1, weeks + 1)], f"{guide}: weeks"
    planned = [d for r in rows for d in DOC_LINK_RE.findall(r[1])]
    chapters = [d.split("/")[-1] for d in chapter_docs()]
    assert planned == chapters, f"{guide}, '{heading}': the chapters in contents order, each once"


def test_the_course_plans_flag_the_safety_planning_chapter():
    learner = (BOOK / "learner-guide.md").read_text(encoding="utf-8")
    assert "**Week 9 needs care.**" in learner and "ch00-welcome.md#before-you-begin" in learner
    rows = _plan_table(BOOK / "instructor-guide.md", "Planning a twelve-week course")
    row = next(r for r in rows if "ch12-suicide-safety-planning" in r[1])
    assert "needs care" in row[1] and "#teaching-suicide-risk-safely" in row[1]
    assert "scripted" in row[2], "the in-class activity uses scripted clients only"


# --------------------------------------------------------------------------- issue 17 audit

US_CODE_KEYS = {"apa2017ethics", "aca2014ethics", "nasw2021ethics"}
UK_CODE_KEYS = {"bacp2018ethical", "hcpc2024standards", "nmc2018code", "basw2021code"}


def _units(path):
    """A page cut into the units a reader takes in at once: glossary definitions one by one,
    any other page by its headings (#, ## or ###)."""
    text = path.read_text(encoding="utf-8")
    if path.name == "glossary.md":
        return re.split(r"\n(?=\S)", text)
    return re.split(r"^(?=#{1,3} )", text, flags=re.M)


def test_uk_codes_stand_beside_us_codes_wherever_codes_are_cited():
    """Issue 17: wherever the book cites an American code (APA, ACA, NASW), the UK's codes
    (BACP, HCPC, NMC, BASW) stand in the same section, glossary entry or memory aid: cited, or
    named with a link to the page that sets them out. Only the pages that compare the two
    systems section by section are exempt."""
    lonely = []
    for path in book_sources():
        text = path.read_text(encoding="utf-8")
        if re.search(r"^#{1,2} Beyond the United States", text, flags=re.M):
            continue
        for unit in _units(path):
            keys = _cited(unit)
            named_and_linked = (re.search(r"\b(BACP|HCPC|NMC|BASW)\b", unit)
                                and re.search(r"\{doc\}`[^`]*(codes-and-law|uk-codes)`", unit))
            if keys & US_CODE_KEYS and not keys & UK_CODE_KEYS and not named_and_linked:
                lonely.append(f"{path.name}: {unit.strip().splitlines()[0][:70]!r}")
    assert not lonely, f"US codes cited with no UK code beside them: {lonely}"


def test_mi_terms_are_cited_to_the_fourth_edition():
    """DARN-CAT, elicit-provide-elicit and discord, wherever a paragraph cites a source for them,
    cite the fourth edition (2023) too; the chapter names the fourth edition's tasks and notes the
    third edition's processes."""
    stale = []
    for path in book_sources():
        for para in re.split(r"\n\s*\n|\n(?=\S)", path.read_text(encoding="utf-8")):
            names_term = re.search(r"DARN|elicit-provide-elicit|\{term\}`Discord", para)
            keys = _cited(para)
            if names_term and keys and "miller2023mi" not in keys:
                stale.append(f"{path.name}: {para.strip()[:70]!r}")
    assert not stale, f"MI terms cited to the third edition only: {stale}"
    text = source_path("book/ch05-motivational-interviewing").read_text(encoding="utf-8")
    assert "four {term}`tasks <MI tasks>`" in text and "called the same four *processes*" in text


def test_rupture_repair_figures_match_the_checked_facts():
    text = _chapter_text("book/ch08-ruptures-repair")
    for fact in ("*r* = .29", "*d* = .62", "11 studies", "1,314 patients", "6 studies",
                 "276 trainees", "no significant effect"):
        assert fact in text, f"ch08 never states {fact!r}"
    assert "eubanks2018repair" in _cited(text)


#: Each topic issue 17 added as a section of an existing chapter, or beside a new chapter's main
#: thread: the chapter's objectives and summary must name it, a self-check question must test
#: it, and a case vignette must show it (in the section itself, or the chapter's vignette must
#: cite the section's source).
TOPICS = [
    ("book/ch03-trust-confidentiality", "Beyond the United States: UK codes and law",
     r"Gillick", r"Gillick|United Kingdom|\bUK\b", "section"),
    ("book/ch06-boundaries-ethics", "Beyond the United States: boundaries in UK codes",
     r"\bUK\b|BACP", r"BACP|HCPC|NMC|BASW", "bacp2018ethical"),
    ("book/ch07-power-culture-humility", "Cultural adaptation and multicultural orientation",
     r"[Mm]ulticultural orientation", r"cultural opportunit|interpreter|[Mm]atching|adapt",
     "section"),
    ("book/ch11-growing-practitioner",
     "Looking after yourself: burnout, vicarious trauma and supervision as care",
     r"[Bb]urnout", r"[Bb]urnout|[Vv]icarious", "section"),
    ("book/ch13-beyond-the-room", "Chatbots, apps and the digital alliance",
     r"digital alliance", r"[Cc]hatbot", "section"),
]


def _all_sections(doc: str, heading: str) -> str:
    """Every part of a chapter that carries `heading`: a short `## heading` on the chapter page
    that points to a sub-page, and the sub-page `# heading` itself."""
    found = []
    for page in chapter_pages(doc):
        text = source_path(page).read_text(encoding="utf-8")
        if re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.M):
            found.append(_section(text, heading))
        elif re.search(rf"^# {re.escape(heading)}\s*$", text, flags=re.M):
            found.append(text)
    assert found, f"{doc}: no section or sub-page {heading!r}"
    return "\n".join(found)


@pytest.mark.parametrize("doc,heading,named,quizzed,vignette", TOPICS,
                         ids=[t[1].split(":")[0][:30] for t in TOPICS])
def test_added_topics_have_objectives_a_vignette_self_check_and_summary(doc, heading, named,
                                                                       quizzed, vignette):
    text = source_path(doc).read_text(encoding="utf-8")
    objectives = re.search(r"Learning objectives\n(.*?)\n:::", text, flags=re.S).group(1)
    summary = _section(text, "Summary")
    assert re.search(named, objectives), f"{doc}: the objectives never name {heading!r}"
    assert re.search(named, summary), f"{doc}: the summary never names {heading!r}"
    quiz = load_quiz(BOOK / "quizzes" / (doc.split("/")[-1][:4] + ".yml"))
    assert any(re.search(quizzed, q.prompt + " ".join(o.text for o in q.options))
               for q in quiz.questions), f"{doc}: no self-check question on {heading!r}"
    body = _all_sections(doc, heading)
    if vignette == "section":
        assert re.search(r"^#{2,3} Case vignette: \S", body, flags=re.M), \
            f"{doc}, '{heading}': no case vignette"
        case = body[re.search(r"^#{2,3} Case vignette", body, flags=re.M).start():]
        assert "fictional" in case[:600], f"{doc}, '{heading}': the vignette does not say it is fictional"
    else:
        cases = re.findall(r"^## Case vignette: .*?(?=^## )", text, flags=re.M | re.S)
        assert any(vignette in _cited(c) for c in cases), \
            f"{doc}: no vignette applies {heading!r} (citing {vignette})"
