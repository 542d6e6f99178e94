"""Scoring benchmarks: leads per second through the scalar and the vectorised fit, engagement and MQL gate.

    python bench/scoring.py [--leads 1000000] [--activities 10000000] [--sample 20000] [--seed 1]

Synthetic CRM data under the default pact: leads with the fields its fit rules and segments read
(employees as numbers, some blank, some "1,200" text; job function, seniority, industry, country and title
drawn from skewed pools in mixed case, with blanks), as object columns the way a database hands them out;
activities of the built-in kinds with assets, campaigns and channels as categorical codes, spread over the
year before the scoring instant. The scalar functions (fit_score, engagement_score, the segment's gate) run
on a sample of leads and are extrapolated; the vectorised ones run on everything. Figures only; nothing
here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import resource
import time as clock
import tracemalloc
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.table import Table

from leadpact.domain import gate
from leadpact.domain.lead_columns import LeadBatch
from leadpact.domain.rules import rules_from_pact
from leadpact.domain.scoring import Activity, engagement_score, fit_score
from leadpact.domain.scoring_vec import Coded, engagement_vec, fit_vec
from leadpact.pact import Pact

console = Console(width=120)
AS_OF = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AS_OF_US = (AS_OF - EPOCH) // timedelta(microseconds=1)
DAY_US = 86_400_000_000

FUNCTIONS = {
    "Marketing": 18,
    "marketing": 4,
    "Sales": 14,
    "sales ": 2,
    "RevOps": 3,
    "revops": 1,
    "Engineering": 16,
    "Finance": 7,
    "HR": 5,
    "Operations": 8,
    "IT": 7,
    "Product": 6,
    None: 8,
    "": 1,
}
SENIORITIES = {
    "Manager": 20,
    "manager": 3,
    "Director": 12,
    "VP": 6,
    "vp": 1,
    "C_Level": 3,
    "Individual Contributor": 30,
    "Senior": 12,
    "intern": 3,
    None: 10,
}
INDUSTRIES = {
    "Software": 20,
    "SaaS": 12,
    "saas": 2,
    "Fintech": 6,
    "eCommerce": 5,
    "Healthcare": 10,
    "Manufacturing": 10,
    "Education": 7,
    "Retail": 8,
    "Government": 4,
    None: 15,
    " ": 1,
}
COUNTRIES = {
    "US": 35,
    "us": 3,
    " US ": 1,
    "CA": 6,
    "GB": 8,
    "DE": 7,
    "FR": 5,
    "NL": 3,
    "AU": 3,
    "IN": 9,
    "BR": 5,
    "JP": 3,
    "ES": 3,
    None: 9,
}
KINDS = {
    "page_view": 40,
    "email_click": 18,
    "content_download": 10,
    "pricing_page_view": 8,
    "webinar_registered": 5,
    "webinar_attended": 4,
    "webinar_question": 1,
    "event_attended": 2,
    "contact_form": 1,
    "demo_request": 1,
    "trial_signup": 1,
    "pricing_inquiry": 1,
}
ASSETS = {
    None: 30,
    "/": 20,
    "/pricing": 15,
    "/demo": 5,
    "/blog/scoring": 10,
    "/ebook/sla": 8,
    "/webinar/q1": 7,
    "/docs": 5,
}
CAMPAIGNS = {None: 50, "q1-webinar": 15, "q1-paid": 20, "nurture": 10, "event-berlin": 5}
CHANNELS = {None: 20, "email": 30, "web": 35, "paid_search": 10, "social": 5}


def titles() -> dict[str | None, float]:
    """A few hundred titles, skewed: "VP Marketing", "Marketing Manager", "Director of Sales", ..."""
    roles = [
        "Marketing",
        "Sales",
        "Revenue Operations",
        "Engineering",
        "Finance",
        "People",
        "Product",
        "IT",
        "Demand Generation",
        "Growth",
        "Customer Success",
        "Operations",
    ]
    out: dict[str | None, float] = {None: 400.0, "": 30.0}
    for k, role in enumerate(roles):
        weight = 1.0 / (k + 1)
        for pattern, w in (
            ("{} Manager", 60),
            ("VP {}", 12),
            ("VP of {}", 6),
            ("Director of {}", 25),
            ("Head of {}", 10),
            ("Senior {} Manager", 20),
            ("{} Specialist", 40),
            ("{} Analyst", 35),
            ("{} Coordinator", 20),
            ("{} Intern", 8),
            ("Chief {} Officer", 3),
            ("{} Associate", 25),
            ("{} lead", 15),
            ("{} MANAGER", 3),
        ):
            out[pattern.format(role)] = w * weight * 100
    for title, w in (
        ("CEO", 40),
        ("Founder", 30),
        ("Student", 60),
        ("Graduate Student", 15),
        ("CTO", 20),
        ("Software Engineer", 200),
        ("Consultant", 80),
        ("Owner", 50),
    ):
        out[title] = w * 10
    return out


Pool = Mapping[Any, float]


def draw(rng: np.random.Generator, pool: Pool, size: int) -> tuple[npt.NDArray[np.int64], list[Any]]:
    names = list(pool)
    weights = np.array([pool[k] for k in names], np.float64)
    return rng.choice(len(names), size=size, p=weights / weights.sum()).astype(np.int64), names


def object_column(rng: np.random.Generator, pool: Pool, size: int) -> npt.NDArray[Any]:
    codes, names = draw(rng, pool, size)
    values = np.empty(len(names), dtype=object)
    values[:] = names
    out: npt.NDArray[Any] = values[codes]
    return out


def make_leads(n: int, rng: np.random.Generator) -> Columns:
    employees = np.rint(rng.lognormal(5.2, 1.7, n)).astype(np.int64) + 1
    column = np.empty(n, dtype=object)
    column[:] = employees.tolist()
    blank = rng.random(n)
    column[blank < 0.08] = None
    texts = np.flatnonzero((blank >= 0.08) & (blank < 0.11))
    column[texts] = [f"{int(x):,}" for x in employees[texts]]  # "1,200" from a CSV import
    return {
        "employees": column,
        "job_function": object_column(rng, FUNCTIONS, n),
        "seniority": object_column(rng, SENIORITIES, n),
        "industry": object_column(rng, INDUSTRIES, n),
        "country": object_column(rng, COUNTRIES, n),
        "title": object_column(rng, titles(), n),
    }


def make_activities(n: int, m: int, rng: np.random.Generator) -> dict[str, Any]:
    # a few leads do most of the clicking: a lead's activity rate is lognormal
    rate = rng.lognormal(0.0, 1.2, n)
    lead = rng.choice(n, size=m, p=rate / rate.sum()).astype(np.int32)
    age = np.minimum(rng.exponential(40 * DAY_US, m), 365 * DAY_US).astype(np.int64)
    at = AS_OF_US - age
    at[rng.random(m) < 0.01] = AS_OF_US + DAY_US  # a sliver after the scoring instant: ignored
    labels = {}
    for name, pool in (("kind", KINDS), ("asset", ASSETS), ("campaign", CAMPAIGNS), ("channel", CHANNELS)):
        codes, names = draw(rng, pool, m)
        none = [i for i, x in enumerate(names) if x is None]
        small = codes.astype(np.int8)
        if none:
            small[codes == none[0]] = -1
        labels[name] = Coded(small, names)
    return {"lead": lead, "at": at, **labels}


def rate(n: int, seconds: float) -> str:
    per = n / seconds
    return f"{per / 1e6:,.2f}M/s" if per >= 1e6 else f"{per / 1e3:,.1f}k/s"


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = clock.perf_counter()
    out = fn()
    return out, clock.perf_counter() - start


Columns = dict[str, npt.NDArray[Any]]


def vectorised(pact: Pact, leads: Columns, acts: dict[str, Any], n: int) -> dict[str, Any]:
    scoring = pact.scoring
    out: dict[str, Any] = {}
    start = clock.perf_counter()
    batch = LeadBatch(leads, n)
    out["fit"] = fit_vec(scoring.fit, batch)
    out["fit_s"] = clock.perf_counter() - start
    mark = clock.perf_counter()
    out["engagement"] = engagement_vec(
        scoring.engagement,
        scoring.half_life_days,
        acts["lead"],
        acts["kind"],
        acts["at"],
        asset=acts["asset"],
        campaign=acts["campaign"],
        channel=acts["channel"],
        as_of_us=AS_OF_US,
        n_leads=n,
    )
    out["engagement_s"] = clock.perf_counter() - mark
    mark = clock.perf_counter()
    out["mql"] = gate.passes_vec(rules_from_pact(pact), batch, n, out["fit"], out["engagement"])
    out["gate_s"] = clock.perf_counter() - mark
    out["total_s"] = clock.perf_counter() - start
    return out


def scalar_inputs(
    leads: Columns, acts: dict[str, Any], sample: npt.NDArray[np.int64]
) -> tuple[list[dict[str, Any]], list[list[Activity]]]:
    fields = [{name: column[i] for name, column in leads.items() if column[i] is not None} for i in sample]
    where = {int(lead): k for k, lead in enumerate(sample)}
    mine = np.flatnonzero(np.isin(acts["lead"], sample))
    per_lead: list[list[Activity]] = [[] for _ in sample]
    label = {name: acts[name] for name in ("kind", "asset", "campaign", "channel")}
    for j in mine.tolist():
        got = {name: (c.names[c.codes[j]] if c.codes[j] >= 0 else None) for name, c in label.items()}
        kind = got["kind"]
        assert kind is not None
        per_lead[where[int(acts["lead"][j])]].append(
            Activity(
                f"a{j}",
                EPOCH + timedelta(microseconds=int(acts["at"][j])),
                kind,
                got["asset"],
                got["campaign"],
                got["channel"],
            )
        )
    return fields, per_lead


def scalar(pact: Pact, fields: list[dict[str, Any]], per_lead: list[list[Activity]]) -> dict[str, Any]:
    scoring = pact.scoring
    start = clock.perf_counter()
    fit = [fit_score(scoring.fit, f)[0] for f in fields]
    engagement = [
        engagement_score(scoring.engagement, scoring.half_life_days, acts, AS_OF)[0] for acts in per_lead
    ]
    rules = rules_from_pact(pact)
    mql = [gate.passes(rules, f, x, y) for f, x, y in zip(fields, fit, engagement, strict=True)]
    return {
        "fit": np.array(fit),
        "engagement": np.array(engagement),
        "mql": np.array(mql),
        "total_s": clock.perf_counter() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n, m = args.leads, args.activities
    rng = np.random.default_rng(args.seed)
    pact = Pact()

    with console.status("building synthetic leads and activities"):
        (leads, acts), build_s = timed(lambda: (make_leads(n, rng), make_activities(n, m, rng)))
    console.print(f"built {n:,} leads and {m:,} activities in {build_s:.1f} s (seed {args.seed})")

    with console.status("vectorised scoring"):
        runs = [vectorised(pact, leads, acts, n) for _ in range(3)]
    best = min(runs, key=lambda r: r["total_s"])
    with console.status("vectorised scoring under tracemalloc"):
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        vectorised(pact, leads, acts, n)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()

    sample = np.sort(np.random.default_rng(args.seed + 1).choice(n, min(args.sample, n), replace=False))
    with console.status(f"scalar scoring of {sample.size:,} leads"):
        fields, per_lead = scalar_inputs(leads, acts, sample)
        ref = scalar(pact, fields, per_lead)
    sample_acts = sum(len(a) for a in per_lead)

    fit_off = np.abs(best["fit"][sample] - ref["fit"]) > 1e-9
    eng_off = np.abs(best["engagement"][sample] - ref["engagement"]) > 1e-9
    mql_off = best["mql"][sample] != ref["mql"]
    disagree = int((fit_off | eng_off | mql_off).sum())

    title = f"scoring under the default pact: {n:,} leads, {m:,} activities, as of {AS_OF:%Y-%m-%d %H:%M} UTC"
    table = Table(title=title)
    for column in ("path", "what", "time", "leads/s"):
        table.add_column(column, justify="right")
    scalar_rate = sample.size / ref["total_s"]
    table.add_row(
        "scalar",
        f"calls only, {sample.size:,}-lead sample ({sample_acts:,} activities)",
        f"{ref['total_s']:.2f} s",
        rate(sample.size, ref["total_s"]),
    )
    table.add_row("scalar", f"extrapolated to {n:,} leads", f"≈ {n / scalar_rate:,.0f} s", "(same rate)")
    table.add_row("vectorised", f"fit_vec, {n:,} leads", f"{best['fit_s']:.2f} s", rate(n, best["fit_s"]))
    table.add_row(
        "vectorised",
        f"engagement_vec, {m:,} activities",
        f"{best['engagement_s']:.2f} s",
        rate(n, best["engagement_s"]),
    )
    table.add_row("vectorised", "gate.passes_vec", f"{best['gate_s']:.2f} s", rate(n, best["gate_s"]))
    table.add_row("vectorised", "all of it (best of 3)", f"{best['total_s']:.2f} s", rate(n, best["total_s"]))
    table.add_row("speed-up", "", "", f"{n / best['total_s'] / scalar_rate:,.0f}×")
    console.print(table)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    inputs = sum(c.nbytes for c in leads.values()) + sum(
        (v.codes.nbytes if isinstance(v, Coded) else v.nbytes) for v in acts.values()
    )
    console.print(
        f"memory: peak allocated while scoring (tracemalloc) {peak / 2**20:,.0f} MiB; "
        f"input arrays {inputs / 2**20:,.0f} MiB (+ the objects they point to); "
        f"process peak RSS {rss:,.0f} MiB"
    )
    console.print(
        f"MQLs: {int(best['mql'].sum()):,} of {n:,} ({best['mql'].mean():.2%}); "
        f"mean fit {best['fit'].mean():.1f}, mean engagement {best['engagement'].mean():.1f}"
    )
    style = "green" if disagree == 0 else "bold red"
    parts = f"fit {int(fit_off.sum())}, engagement {int(eng_off.sum())}, gate {int(mql_off.sum())}"
    console.print(f"[{style}]scalar ≠ vectorised on the {sample.size:,}-lead sample: {disagree} ({parts})[/]")


if __name__ == "__main__":
    main()
