"""Rendering a document model (plain dicts of text, tables and inline SVG charts) to
self-contained HTML with Jinja2 and to PDF with typst. One template per document; typst
reads the model as JSON from `sys.inputs`, so no text from the API is ever parsed as markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"


def html(template: str, document: dict[str, Any]) -> str:
    """The document through an HTML template, every value escaped."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(template).render(doc=document)


def pdf(template: str, document: dict[str, Any]) -> bytes:
    """The document through a typst template, as PDF; fonts from typst and matplotlib's own
    (DejaVu Sans, the charts' font), never the system's."""
    import matplotlib
    import typst

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    result = typst.compile(
        str(TEMPLATES / template),
        root=str(TEMPLATES),
        font_paths=[str(fonts)],
        ignore_system_fonts=True,
        sys_inputs={"document": json.dumps(document, ensure_ascii=False)},
    )
    assert isinstance(result, bytes)  # typst returns the PDF when no output is given
    return result


def write(path: Path, content: str | bytes) -> Path:
    """Write a file whole (through a temporary name, so a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    if isinstance(content, str):
        partial.write_text(content, encoding="utf-8")
    else:
        partial.write_bytes(content)
    partial.replace(path)
    return path
