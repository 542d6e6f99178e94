"""Rendering a document (a dict from a service) as Markdown, HTML or PDF through the templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from leadpact import formatting

TEMPLATES = Path(__file__).parent / "templates"
Format = Literal["md", "html", "pdf"]
FILTERS = {
    name: getattr(formatting, name)
    for name in ("pct", "count", "decimal", "money", "duration", "response_rule", "minutes", "days", "day",
                 "weekday", "month_name", "label")
}  # fmt: skip
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
    env.filters.update(FILTERS)
    env.filters["code"] = _code
    env.filters["cell"] = _cell
    env.globals["local"] = formatting.local
    return env


def _code(text: str) -> Markup:
    """Text with `backticked` words as <code>, the rest escaped."""
    parts = str(escape(text)).split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: leave them be
        return Markup("`".join(parts))
    return Markup("".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)))


def _cell(text: str) -> str:
    """A Markdown table cell: a pipe would end it, a line break would end the row."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def stylesheet() -> str:
    return (TEMPLATES / "print.css").read_text(encoding="utf-8")


def render_text(template: str, doc: dict[str, Any], fmt: Literal["md", "html"], **context: Any) -> str:
    """`template` (without extension) of `doc` as Markdown or HTML (a whole page, its stylesheet inline)."""
    env = _environment(fmt == "html")
    page = env.get_template(f"{template}.{fmt}")
    return page.render(doc=doc, css=stylesheet() if fmt == "html" else "", **context)


PANGO = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load the system libraries it lays text out with (Pango, HarfBuzz)."""

    def __init__(self, cause: BaseException) -> None:
        first = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        super().__init__(
            f"a PDF needs Pango and HarfBuzz, which this machine lacks ({first}); on Debian or Ubuntu: "
            f"apt-get install -y {PANGO}. --format html or md works without them"
        )


def to_pdf(html: str) -> bytes:
    """The HTML laid out by WeasyPrint as PDF bytes."""
    return laid_out_pdf(html)[0]


def laid_out_pdf(html: str) -> tuple[bytes, int]:
    """The HTML laid out by WeasyPrint: the PDF bytes and how many pages it took."""
    try:
        from weasyprint import HTML  # heavy: loaded only to print
    except OSError as exc:  # cffi could not dlopen Pango or HarfBuzz
        raise PdfUnavailable(exc) from None

    document = HTML(string=html, base_url=str(TEMPLATES)).render()
    pdf: bytes = document.write_pdf()
    return pdf, len(document.pages)


def render_doc(doc: dict[str, Any], fmt: str) -> tuple[bytes, int]:
    """The one-page SLA in `fmt` and, for a PDF, its page count (1 unless the pact is unusually long; 0 for
    the text formats)."""
    if fmt == "pdf":
        return laid_out_pdf(render_text("doc", doc, "html", pdf=True))
    return render("doc", doc, fmt), 0


def render(template: str, doc: dict[str, Any], fmt: str, **context: Any) -> bytes:
    """The document in `fmt` (md, html or pdf) as bytes; ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a format; use {', '.join(FORMATS)}")
    if fmt == "pdf":
        return to_pdf(render_text(template, doc, "html", pdf=True, **context))
    return render_text(template, doc, fmt, pdf=False, **context).encode("utf-8")  # type: ignore[arg-type]


def fragment(template: str, doc: dict[str, Any], **context: Any) -> Markup:
    """`template` as HTML to place inside another page (the dashboard's), without its own page or styles."""
    env = _environment(True)
    return Markup(env.get_template(f"{template}.html").render(doc=doc, pdf=False, **context))


def report_context(doc: dict[str, Any], fmt: str) -> dict[str, Any]:
    """What the report templates need: the sections, their charts drawn as SVG for HTML and PDF."""
    from leadpact.reports.layout import sections, title

    laid_out = sections(doc)
    if fmt != "md":
        from leadpact.reports.svg import to_svg

        for section in laid_out:
            for block in section.blocks:
                if block.kind == "chart" and block.build is not None:
                    block.svg = to_svg(block.build())
    return {"sections": laid_out, "title": title(doc)}


def render_report(doc: dict[str, Any], fmt: str) -> bytes:
    """A review (`services.reviews.review_document`) as md, html or pdf bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a format; use {', '.join(FORMATS)}")
    return render("report", doc, fmt, **report_context(doc, fmt))
