"""A-Z for the glossary: one section per initial letter, and a row of letter links.

``book/glossary.md`` stays one sorted ``{glossary}`` list, so writers add a term in one place
and never file it under a heading by hand. At read time this transform splits any long
glossary into one section per initial letter (so the "on this page" panel lists the letters
and each has an address, ``glossary.html#letter-a``) and puts a row of links to the letters
above it (HTML only: the printed edition has its own index). Term anchors do not change, so
``{term}`` links still land on the term.

Where a page links a term (``{term}``), the link's title is the term's definition (its first
sentence), so hovering over the term previews it without leaving the page; a screen reader
announces it as the link's description.
"""
from __future__ import annotations

import html

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

#: Shorter glossaries are left as one list.
MIN_TERMS = 20


def initial(item: nodes.definition_list_item) -> str:
    """The letter a glossary entry is filed under ("#" for a digit or symbol)."""
    term = next(iter(item.findall(nodes.term)), None)
    text = term.astext().strip() if term is not None else ""
    for ch in text:
        if ch.isalpha():
            return ch.upper()
        if ch.isdigit():
            return "#"
    return "#"


def letter_id(letter: str) -> str:
    return "letter-" + ("symbols" if letter == "#" else letter.lower())


class GlossaryLetters(SphinxTransform):
    default_priority = 600

    def apply(self, **kwargs):
        for gloss in list(self.document.findall(addnodes.glossary)):
            section = gloss.parent
            lists = [c for c in gloss.children if isinstance(c, nodes.definition_list)]
            if not isinstance(section, nodes.section) or len(lists) != 1:
                continue
            items = list(lists[0].children)
            if len(items) < MIN_TERMS:
                continue
            groups: dict[str, list] = {}
            for item in items:
                groups.setdefault(initial(item), []).append(item)
            letters = sorted(groups, key=lambda l: (l == "#", l))
            links = "".join(
                f'<li><a href="#{letter_id(l)}" aria-label="{html.escape(_spoken(l))}">'
                f"{html.escape(l)}</a></li>" for l in letters)
            nav = nodes.raw("", f'<nav class="glossary-az" aria-label="Glossary from A to Z">'
                                f"<ul>{links}</ul></nav>\n", format="html")
            new = [nav]
            for l in letters:
                sect = nodes.section(ids=[letter_id(l)], names=[letter_id(l)],
                                     classes=["glossary-letter"])
                sect += nodes.title("", l)
                part = addnodes.glossary()
                part.attributes.update({k: v for k, v in gloss.attributes.items()
                                        if k not in ("ids", "names")})
                dl = nodes.definition_list(classes=lists[0].get("classes", []))
                for item in groups[l]:
                    lists[0].remove(item)
                    dl += item
                part += dl
                sect += part
                new.append(sect)
                self.document.note_implicit_target(sect, sect)
            gloss.replace_self(new)


def _first_sentence(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    if 0 < end < limit:
        return text[:end + 1]
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "..."


def definitions(app) -> dict[str, list[tuple[str, str]]]:
    """Anchor of every glossary term -> [(docname, first sentence of its definition)].
    Computed once per build process (kept on the application, never in the pickled
    environment, so a rebuild reads the definitions afresh)."""
    cache = getattr(app, "_pt_term_definitions", None)
    if cache is not None:
        return cache
    env = app.env
    std = env.get_domain("std")
    cache = {}
    for docname in {doc for (kind, _), (doc, _) in std.objects.items() if kind == "term"}:
        tree = env.get_doctree(docname)
        for item in tree.findall(nodes.definition_list_item):
            body = next(iter(item.findall(nodes.definition)), None)
            if body is None:
                continue
            for term in item.findall(nodes.term):
                for ident in term.get("ids", []):
                    cache.setdefault(ident, []).append((docname, _first_sentence(body.astext())))
    app._pt_term_definitions = cache
    return cache


class TermPreviews(SphinxPostTransform):
    """A ``{term}`` link's title is the term's definition (see the module docstring)."""
    builders = ("html", "dirhtml", "singlehtml")
    default_priority = 900

    def run(self, **kwargs):
        for ref in self.document.findall(nodes.reference):
            if ref.get("reftitle") or not any(
                    "std-term" in c.get("classes", []) for c in ref.findall(nodes.inline)):
                continue
            page, _, anchor = ref.get("refuri", "").partition("#")
            found = definitions(self.app).get(anchor, [])
            for docname, text in found:
                name = docname.rsplit("/", 1)[-1] + self.app.builder.link_suffix
                if (not page and docname == self.env.docname) or page.endswith(name):
                    ref["reftitle"] = text
                    break


def _spoken(letter: str) -> str:
    return "Terms starting with a digit or symbol" if letter == "#" else f"Terms starting with {letter}"


def setup(app):
    app.add_transform(GlossaryLetters)
    app.add_post_transform(TermPreviews)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
