"""Bibliography entries labelled the way the text cites them.

The chapters cite author-year (``bibtex_reference_style: author_year``: "Rumelhart et al.,
1986"), but sphinxcontrib-bibtex labels the entries of the bibliography with pybtex's
``alpha`` style ("[RHW86]"), so a reader could not match a citation to its entry by eye. The
style registered here, ``author_year``, is pybtex's ``unsrt`` formatting with labels
"Rumelhart et al., 1986" (one or two authors are named, three or more are "et al."), sorted by
author and year; ``_config.yml`` selects it with ``bibtex_default_style``.
"""

from __future__ import annotations

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


def setup(app: Sphinx):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
