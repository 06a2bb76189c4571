"""A-Z for the glossary: one section per initial letter, and a row of letter links.

``book/glossary.md`` stays one sorted ``{glossary}`` list, so writers add a term in one place
and never file it under a heading by hand. At read time this transform splits any long
glossary into one section per initial letter (so the "on this page" panel lists the letters
and each has an address, ``glossary.html#letter-a``) and puts a row of links to the letters
above it (HTML only: the printed edition has its own index). Term anchors do not change, so
``{term}`` links still land on the term.
"""
from __future__ import annotations

import html

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

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


def _spoken(letter: str) -> str:
    return "Terms starting with a digit or symbol" if letter == "#" else f"Terms starting with {letter}"


def setup(app):
    app.add_transform(GlossaryLetters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
