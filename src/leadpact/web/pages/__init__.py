"""The dashboard's pages (DESIGN.md §9): server-rendered HTML, live through `/api/stream`.

Every page is a route that depends on `PageCaller` (a signed-in session; the browser is sent to /login without
one), calls one service of `services.dashboard` (or the one the API and the CLI call for the same question)
and renders with `live.page`: the whole page, or, for htmx's refresh on a `metrics` or `clock` event of the
stream, only the page's live part (`templates/partials/<page>.html`).

    overview.py   /            the current month: scorecard, pace, compliance, touches, reasons, funnel
    sales.py      /sales       per rep: open handoffs with countdowns, breaches, compliance; the queue
    marketing.py  /marketing   volume and acceptance by source, reasons over 6 months
    leads.py      /leads       the `lead` view, searched by id
    pact.py       /pact        the one-page SLA, the version in force, its signatures, the diff, its YAML
    reviews.py    /reviews     the reviews of recent periods; /reviews/{kind}/{period} renders one
"""

from __future__ import annotations

from fastapi import APIRouter

from leadpact.web.pages import leads, marketing, overview, pact, reviews, sales

router = APIRouter(include_in_schema=False)
for module in (overview, sales, marketing, leads, pact, reviews):
    router.include_router(module.router)
