"""A demo lead's marketing activity: what its source leads it to do (downloads, webinars, pricing pages,
demo requests...), at the moments people browse, never before the lead exists.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass

from leadpact.demo.run import LeadRun

_HOUR = 3600
_DAY = 86400
TOPICS = (
    "sla-playbook",
    "lead-scoring-guide",
    "pipeline-math",
    "revops-benchmark",
    "handoff-checklist",
    "attribution-primer",
    "response-time-report",
    "icp-worksheet",
)


@dataclass
class PlannedActivity:
    """An activity event to come (``ts``: UTC seconds), ordered by time."""

    ts: int
    kind: str
    asset: str | None = None
    campaign: str | None = None
    channel: str | None = None

    def __lt__(self, other: PlannedActivity) -> bool:
        return self.ts < other.ts


def browse_moment(run: LeadRun, day: int) -> int:
    """A time on local day `day` when people browse: mostly office hours, some evenings."""
    rng, cal = run.rng, run.cal
    day = min(day, cal.days - 1)
    hour = rng.uniform(8, 18) if rng.random() < 0.8 else rng.uniform(18, 23)
    return cal.midnight[day] + int(hour * _HOUR)


def add_activity(
    run: LeadRun,
    acts: list[PlannedActivity],
    ts: int,
    kind: str,
    asset: str | None,
    campaign: str | None,
    channel: str | None = None,
) -> None:
    if ts <= run.created:  # never before the lead exists
        ts = run.created + run.rng.randint(300, 4 * _HOUR)
    insort(acts, PlannedActivity(run.claim(ts), kind, asset, campaign, channel))


def plan_activities(run: LeadRun, acts: list[PlannedActivity], created: int, campaign: str) -> None:
    rng, cal, source = run.rng, run.cal, run.source
    day0 = cal.day_of(created)

    def later(mean_days: float) -> int:
        return browse_moment(run, day0 + 1 + int(rng.expovariate(1.0 / mean_days)))

    def some(
        kind: str,
        asset: str | None,
        p: float,
        mean_days: float,
        *,
        most: int = 1,
        channel: str | None = "web",
    ) -> None:
        if rng.random() < p:
            for _ in range(rng.randint(1, most)):
                add_activity(run, acts, later(mean_days), kind, asset, campaign, channel)

    def topic() -> str:
        return f"/resources/{TOPICS[int(rng.random() * len(TOPICS))]}"

    first = created + rng.randint(2, 40)
    if source == "content":
        add_activity(run, acts, first, "content_download", topic(), campaign, "web")
        some("content_download", topic(), 0.45, 12, most=2)
        if rng.random() < 0.5:  # a buying burst: reading and prices within days
            burst = day0 + int(rng.expovariate(1 / 8.0))
            for _ in range(rng.randint(2, 3)):
                add_activity(
                    run,
                    acts,
                    browse_moment(run, burst + int(rng.random() * 4)),
                    "pricing_page_view",
                    "/pricing",
                    campaign,
                    "web",
                )
            for _ in range(rng.randint(0, 2)):
                add_activity(
                    run,
                    acts,
                    browse_moment(run, burst + int(rng.random() * 3)),
                    "content_download",
                    topic(),
                    campaign,
                    "web",
                )
        elif rng.random() < 0.3:
            add_activity(run, acts, later(10), "pricing_page_view", "/pricing", campaign, "web")
        some("email_click", None, 0.5, 20, most=4, channel="email")
        some("page_view", "/blog", 0.6, 15, most=4)
        some("demo_request", "/demo", 0.05, 25)
        some("pricing_inquiry", "/pricing/contact", 0.02, 25)
    elif source == "webinar":
        add_activity(run, acts, first, "webinar_registered", f"webinar-{campaign}", campaign, "web")
        when = cal.next_open(cal.midnight[min(day0 + rng.randint(2, 14), cal.days - 1)]) + 2 * _HOUR
        webinar = f"webinar-{campaign}"
        if rng.random() < 0.6:  # attended; half of them ask a question
            add_activity(run, acts, when + rng.randint(0, 900), "webinar_attended", webinar, campaign, "web")
            if rng.random() < 0.5:
                add_activity(
                    run, acts, when + rng.randint(1200, 3000), "webinar_question", webinar, campaign, "web"
                )
        some("pricing_page_view", "/pricing", 0.55, 5, most=3)
        some("content_download", topic(), 0.35, 8, most=2)
        some("email_click", None, 0.45, 15, most=3, channel="email")
        some("demo_request", "/demo", 0.04, 20)
    elif source == "event":
        add_activity(run, acts, first, "event_attended", f"booth-{campaign}", campaign, "event")
        some("email_click", None, 0.5, 5, most=3, channel="email")
        some("content_download", topic(), 0.45, 6, most=2)
        some("pricing_page_view", "/pricing", 0.55, 5, most=3)
        some("demo_request", "/demo", 0.06, 15)
    elif source == "demo_request":
        add_activity(run, acts, first, "demo_request", "/demo", campaign, "web")
        some("pricing_page_view", "/pricing", 0.3, 3)
        some("email_click", None, 0.3, 10, most=2, channel="email")
    elif source == "paid_search":
        add_activity(run, acts, first, "page_view", "/lp/sla-software", campaign, "paid")
        some("pricing_page_view", "/pricing", 0.5, 4, most=2)
        some("trial_signup", "/trial", 0.3, 3)
        some("contact_form", "/contact", 0.2, 5)
        some("demo_request", "/demo", 0.1, 6)
    elif source == "referral":
        add_activity(run, acts, first, "contact_form", "/contact", campaign, "web")
        some("pricing_inquiry", "/pricing/contact", 0.45, 4)
        some("demo_request", "/demo", 0.25, 6)
    elif rng.random() < 0.12:  # outbound: a little reading before the first call
        add_activity(run, acts, first, "page_view", "/blog", "organic", "web")
        add_activity(
            run, acts, created + rng.randint(600, 2 * _DAY), "content_download", topic(), "organic", "web"
        )
