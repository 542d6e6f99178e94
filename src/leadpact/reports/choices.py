"""What a document is asked for by: a review's kind and the format it renders to. `leadpact report` and
`GET /api/reports/{kind}` (and `/api/doc`'s format) take the same choices from here."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):  # the reviews of services.reviews.KINDS (no docstring: it would show in /openapi.json)
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"


class Format(StrEnum):
    html = "html"
    pdf = "pdf"
    md = "md"
