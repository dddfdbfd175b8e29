"""MkDocs hook: render the Sphinx roles of numpydoc docstrings (``:func:`x```).

mkdocstrings renders ``:func:`fieldops.diff``` as the text ``:func:`` followed by
``<code>fieldops.diff</code>``. This hook drops the role, strips a leading ``~``
(keeping only the last name, as Sphinx does) and links the name to its entry when
the page documents it (an element with ``id="<name>"``).
"""

from __future__ import annotations

import importlib
import re

_ROLE = re.compile(r":(?:func|meth|class|mod|attr|data|obj|exc):<code>(~?)([\w.]+)</code>")


def on_page_content(html: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs API)
    ids = set(re.findall(r'id="([\w.]+)"', html))

    def render(match: re.Match) -> str:
        tilde, name = match.groups()
        shown = name.rsplit(".", 1)[-1] if tilde else name
        target = name if name in ids else None
        top = "fieldops." + name.rsplit(".", 1)[-1]
        if target is None and top in ids and _same_object(name, top):
            target = top  # the same object, re-exported at the top level
        code = f"<code>{shown}</code>"
        return f'<a href="#{target}">{code}</a>' if target else code

    return _ROLE.sub(render, html)


def _resolve(path: str) -> object:
    module, _, attr = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError):
        return None


def _same_object(a: str, b: str) -> bool:
    obj = _resolve(a)
    return obj is not None and obj is _resolve(b)
