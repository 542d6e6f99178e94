"""Rendering a document (a dict from a service) as Markdown, HTML or PDF through the templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from leadpact.reports import words

TEMPLATES = Path(__file__).parent / "templates"
Format = Literal["md", "html", "pdf"]
FORMATS: tuple[str, ...] = ("pdf", "html", "md")


@cache
def _environment(markup: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]) if markup else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(words.FILTERS)
    env.globals["local"] = words.local
    return env


def stylesheet() -> str:
    return (TEMPLATES / "print.css").read_text(encoding="utf-8")


def render_text(template: str, doc: dict[str, Any], fmt: Literal["md", "html"], **context: Any) -> str:
    """`template` (without extension) of `doc` as Markdown or HTML (a whole page, its stylesheet inline)."""
    env = _environment(fmt == "html")
    page = env.get_template(f"{template}.{fmt}")
    return page.render(doc=doc, css=stylesheet() if fmt == "html" else "", **context)


def to_pdf(html: str) -> bytes:
    """The HTML laid out by WeasyPrint as PDF bytes."""
    from weasyprint import HTML  # heavy: loaded only to print

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def render(template: str, doc: dict[str, Any], fmt: str, **context: Any) -> bytes:
    """The document in `fmt` (md, html or pdf) as bytes; ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a format; use {', '.join(FORMATS)}")
    if fmt == "pdf":
        return to_pdf(render_text(template, doc, "html", pdf=True, **context))
    return render_text(template, doc, fmt, pdf=False, **context).encode("utf-8")  # type: ignore[arg-type]
