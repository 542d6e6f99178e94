"""Reports and the one-page SLA as people read them (DESIGN.md §11): an adapter that renders the documents the
services gather (`services.sla_doc`, `services.reviews`) as Markdown, HTML or PDF.

    render.py      the Jinja2 environments (HTML autoescaped, Markdown not), `render(...)`, `to_pdf(...)`
    layout.py      a review as sections in its agenda's order: agenda.py (the weekly agenda every review
                   opens with), trends.py (what the longer reviews add), learning.py (§13), on blocks.py
    svg.py         the dashboard's Vega-Lite specs drawn as SVG by vl-convert
    templates/     one template per document and format, with the print stylesheet

Nothing here reads the store or computes a number: every number is the services' (the metrics document's).
WeasyPrint and vl-convert load inside the functions that use them, so a command that prints Markdown stays
fast.
"""
