"""Bibliography entries labelled the way the text cites them.

The chapters cite author-year (``bibtex_reference_style: author_year``: "Rumelhart et al.,
1986"), but sphinxcontrib-bibtex labels the entries of the bibliography with pybtex's
``alpha`` style ("[RHW86]"), so a reader could not match a citation to its entry by eye. The
style registered here, ``author_year``, is pybtex's ``unsrt`` formatting with labels
"Rumelhart et al., 1986" (one or two authors are named, three or more are "et al."), sorted by
author and year; ``_config.yml`` selects it with ``bibtex_default_style``.

Each entry then says where the book cites it ("Cited in: ch. 6, ch. 12"), with links to those
chapters. sphinxcontrib-bibtex links an entry's label back to its citations only when they are
on the bibliography page itself, so some labels were links (back to this page's own intro) and
others plain text; the labels are all plain now, and the chapters are listed instead.
"""

from __future__ import annotations

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle
from sphinx.application import Sphinx


def author_year_label(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.prelast_names + p.last_names) for p in persons]
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    who = who.replace("{", "").replace("}", "")
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year_label(entry)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = SortingStyle


register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def document_order(env) -> list[str]:
    """Document names in the order of the table of contents (root first), then the rest."""
    order: list[str] = []

    def walk(doc: str) -> None:
        if doc not in order:
            order.append(doc)
            for child in env.toctree_includes.get(doc, []):
                walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.found_docs) - set(order))


def chapter_name(env, docname: str) -> str:
    """The name of ``docname`` in a list: "ch. 12" for a numbered chapter, else its title
    ("the introduction" for the root document)."""
    number = env.toc_secnumbers.get(docname, {}).get("")
    if number:
        return "ch. " + ".".join(map(str, number))
    if docname == env.config.root_doc:
        return "the introduction"
    return env.titles[docname].astext() if docname in env.titles else docname


def citing_documents(env) -> dict[str, list[str]]:
    """Citation key -> the documents citing it, in reading order."""
    domain = env.get_domain("cite")
    order = {doc: i for i, doc in enumerate(document_order(env))}
    cited: dict[str, set] = {}
    for ref in domain.citation_refs:
        for target in ref.targets:
            cited.setdefault(target.key, set()).add(ref.docname)
    return {
        key: sorted(docs, key=lambda d: order.get(d, len(order))) for key, docs in cited.items()
    }


def list_citing_chapters(app: Sphinx, doctree, docname: str) -> None:
    """After each entry of a bibliography on ``docname``: "Cited in: ch. 6, ch. 12." (links);
    the label of every entry plain text, with no backlink."""
    if app.builder.format != "html":
        return
    env = app.env
    key_of = {c.citation_id: c.key for c in env.get_domain("cite").citations}
    citing = None
    for citation in doctree.findall(nodes.citation):
        key = next((key_of[i] for i in citation["ids"] if i in key_of), None)
        if key is None:
            continue
        citation["backrefs"] = []
        if citing is None:
            citing = citing_documents(env)
        others = [d for d in citing.get(key, []) if d != docname]
        if not others:
            continue
        line = nodes.paragraph(classes=["bp-cited-in"])
        line += nodes.Text("Cited in: ")
        for i, other in enumerate(others):
            if i:
                line += nodes.Text(", ")
            title = env.titles[other].astext() if other in env.titles else other
            line += nodes.reference(
                "",
                chapter_name(env, other),
                internal=True,
                refuri=app.builder.get_relative_uri(docname, other),
                reftitle=title,
            )
        line += nodes.Text(".")
        citation += line


def setup(app: Sphinx):
    app.connect("doctree-resolved", list_citing_chapters)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
