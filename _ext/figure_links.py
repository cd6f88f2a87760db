"""Every figure a cell draws is a link to its own image, so that a reader can open it alone.

On a phone a figure keeps a legible width and scrolls sideways in its box
(``_static/book.css``); a tap on it opens the PNG on its own, where the phone's browser zooms
and pans it like any picture. The link is an ordinary ``<a href>``: it needs no script, a
keyboard reaches it with Tab, and its name is the image's alt text.

The transform runs when a page is written (``doctree-resolved``) and wraps each image inside
a cell's output in a reference to the file Sphinx copies it to (``_images/``, the address the
``<img src>`` gets), as Sphinx's own ``html_scaled_image_link`` does for resized images. The
website only: the single page that ``make pdf`` prints (``singlehtml``) has no use for it.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

LINK_CLASS = "bp-figure-link"


def _in_cell_output(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_output" in parent.get("classes", ()):
            return True
        parent = parent.parent
    return False


def link_cell_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.name != "html":
        return
    imgpath = relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir)
    for image in list(doctree.findall(nodes.image)):
        if isinstance(image.parent, nodes.reference) or not _in_cell_output(image):
            continue
        stored = app.env.images.get(image["uri"])
        if stored is None:  # not copied into _images (a remote image): nothing to link to
            continue
        href = posixpath.join(imgpath, quote(stored[1]))
        link = nodes.reference("", "", refuri=href, internal=True, classes=[LINK_CLASS])
        image.replace_self(link)
        link.append(image)


def setup(app: Sphinx):
    app.connect("doctree-resolved", link_cell_figures)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
