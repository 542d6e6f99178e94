"""The tables. `events` holds only what was ingested and is never edited (but by an erasure); everything
else is derived from it and can be rebuilt."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from leadpact.store.types import Instant

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", String(200), nullable=False, unique=True),
    Column("lead_id", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    Column("rank", SmallInteger, nullable=False),
    Column("at", Instant, nullable=False),
    Column("data", Text, nullable=False),
    Column("hash", String(32), nullable=False),
    Column("received_at", Instant, nullable=False),
    Column("history", Boolean, nullable=False, server_default=false()),  # a source system's past (§12)
    Index("ix_events_lead_at", "lead_id", "at"),
)

leads = Table(
    "leads",
    metadata,
    Column("lead_id", String(200), primary_key=True),
    Column("email", String(320)),
    Column("account_id", String(200)),
    Column("source", String(64)),
    Column("campaign", String(200)),
    Column("fields", Text, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("stage_times", Text, nullable=False),
    Column("segment", String(64)),
    Column("tier", String(16)),
    Column("owner", String(200)),
    Column("fit", Float, nullable=False),
    Column("engagement", Float, nullable=False),
    Column("cycles", Integer, nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("last_event_at", Instant, nullable=False),
    Column("flags", Text, nullable=False),
    Column("erased_at", Instant),
    Index("ix_leads_email", "email"),
    Index("ix_leads_account", "account_id"),
    Index("ix_leads_stage", "stage"),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("lead_id", String(200), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("start_at", Instant, nullable=False),
    Column("mql_at", Instant),
    Column("trigger_event", String(200), nullable=False),
    Column("tier", String(16)),
    Column("segment", String(64)),
    Column("source", String(64)),
    Column("campaign", String(200)),
    Column("fit", Float, nullable=False),
    Column("engagement", Float, nullable=False),
    Column("owner", String(200)),
    Column("first_touch_at", Instant),
    Column("first_touch_rep", String(200)),
    Column("touches", Integer, nullable=False),
    Column("channels", Integer, nullable=False),
    Column("disposition", String(16)),
    Column("disposition_at", Instant),
    Column("disposition_reason", String(64)),
    Column("disposition_by", String(200)),
    Column("sal_at", Instant),
    Column("sql_at", Instant),
    Column("opportunity_at", Instant),
    Column("customer_at", Instant),
    Column("closed_lost_at", Instant),
    Column("rejected_at", Instant),
    Column("disqualified_at", Instant),
    Column("recycled_at", Instant),
    Column("outcome_reason", String(64)),
    Column("outcome_touches", Integer),
    Column("outcome_channels", Integer),
    Column("min_touch_met", Boolean),
    Column("amount", Float),
    Column("opportunity_id", String(200)),
    Column("close_date", String(10)),
    Column("ended_at", Instant),
    Column("flags", Text, nullable=False),
    Column("packet", Text),
    Column("won_amount", Float),  # the customer stage's amount, when given (else the opportunity's)
    Column("first_activity_at", Instant),  # the lead's first activity (attribution)
    Column("lead_first_touch_at", Instant),  # the lead's first human touch, any cycle (attribution)
    Column("team", String(64)),
    Column("history", Boolean, nullable=False, server_default=false()),  # opened by a history event (§12)
    Column("closer", String(200)),  # the rep named as `by` on the opportunity/customer/closed-lost stage
    Column("product", String(200)),  # the product the stage events name
    Index("ix_handoffs_mql_at", "mql_at"),
    Index("ix_handoffs_disposition_at", "disposition_at"),
    Index("ix_handoffs_sql_at", "sql_at"),
    Index("ix_handoffs_opportunity_at", "opportunity_at"),
    Index("ix_handoffs_rejected_at", "rejected_at"),
    Index("ix_handoffs_disqualified_at", "disqualified_at"),
    Index("ix_handoffs_recycled_at", "recycled_at"),
    Index("ix_handoffs_customer_at", "customer_at"),
)

erasures = Table(
    "erasures",
    metadata,
    Column("lead_id", String(200), primary_key=True),
    Column("erased_at", Instant, nullable=False),
    Column("events", Integer, nullable=False),
    Column("reason", Text),
)

clocks = Table(
    "clocks",
    metadata,
    Column("lead_id", String(200), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("started_at", Instant, nullable=False),
    Column("due_at", Instant, nullable=False),
    Column("business", Boolean, nullable=False),
    Column("rule", String(200), nullable=False),
    Column("met_at", Instant),
    Column("cancelled_at", Instant),
    Column("warn_times", Text, nullable=False),  # JSON list of µs instants, one per warn_at fraction
    Column("next_at", Instant),  # when the worker next has something to record; NULL: done
    Column("owner", String(200)),
    Column("team", String(64)),
    Column("tier", String(16)),
    Column("segment", String(64)),
    Index("ix_clocks_next_at", "next_at"),
    Index("ix_clocks_due_at", "kind", "due_at"),
)

# Warnings and breaches, recorded exactly once per (clock, level) whatever the number of workers.
clock_alerts = Table(
    "clock_alerts",
    metadata,
    Column("lead_id", String(200), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("level", String(16), primary_key=True),  # "warn:0.5", "warn:0.8", "breach"
    Column("at", Instant, nullable=False),  # the instant the level was reached
    Column("due_at", Instant, nullable=False),  # the due time when it was recorded
    Column("recorded_at", Instant, nullable=False),
    Column("sent", Boolean, nullable=False),  # False: superseded (a warning caught up after due)
    Index("ix_clock_alerts_recorded_at", "recorded_at"),  # the live stream finds new alerts by it
)

violations = Table(
    "violations",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("lead_id", String(200), nullable=False),
    Column("n", Integer),
    Column("kind", String(32), nullable=False),  # first_contact, disposition, touches, unassigned, ...
    Column("at", Instant, nullable=False),  # when the commitment was missed
    Column("owed_by", String(16), nullable=False),  # sales | marketing
    Column("owner", String(200)),
    Column("team", String(64)),
    Column("what", Text, nullable=False),
    Column("recorded_at", Instant, nullable=False),
    Index("ix_violations_at", "at"),
)

# Side effects leave only after commit: rows written in the deciding transaction, delivered later.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),  # the Idempotency-Key receivers see
    Column("topic", String(32), nullable=False),  # clock.warning, clock.breached, test, ...
    Column("channel", String(16), nullable=False),  # webhook | slack | email
    Column("target", String(500), nullable=False),  # which configured target (see notify/)
    Column("payload", Text, nullable=False),  # JSON
    Column("status", String(8), nullable=False),  # pending | sent | dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Instant, nullable=False),
    Column("last_error", Text),
    Column("created_at", Instant, nullable=False),
    Column("sent_at", Instant),
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

# The pact in force from each instant on (effective_at NULL: the first pact, which judges all history).
pact_versions = Table(
    "pact_versions",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False),
    Column("effective_at", Instant),
    Column("pact", Text, nullable=False),
    Column("recorded_at", Instant, nullable=False),
    Column("applied_at", Instant),  # NULL while `pact apply` re-projects the leads the change touches
)

# Every routing decision (and every manual or on-breach reassignment); the newest row of a handoff holds.
assignments = Table(
    "assignments",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("lead_id", String(200), nullable=False),
    Column("n", Integer, nullable=False),
    Column("rep", String(200)),  # NULL: nobody available, the handoff waits in the queue
    Column("team", String(64)),
    Column("kind", String(16), nullable=False),  # account_owner, round_robin, after_hours, queue, reassign
    Column("rule", Integer),
    Column("reason", Text, nullable=False),
    Column("skipped", Text, nullable=False),  # JSON [[who, why], ...]
    Column("expected", Text, nullable=False),  # JSON {rep: share of this assignment} (round robin)
    Column("mql_at", Instant, nullable=False),
    Column("at", Instant, nullable=False),
    Column("account_id", String(200)),
    Column("email_domain", String(200)),
    Index("ix_assignments_lead", "lead_id", "n"),
    Index("ix_assignments_rep_at", "rep", "at"),
    Index("ix_assignments_at", "at"),
    Index("ix_assignments_account", "account_id"),
    Index("ix_assignments_domain", "email_domain"),
)

routing_ledger = Table(
    "routing_ledger",
    metadata,
    Column("rep", String(200), primary_key=True),
    Column("credit", Float, nullable=False),
)

# Month packs (services/packs.py): a month's metric rows kept as columns, valid while the marks of the UTC
# days the month overlaps are what they were when it was built. Every write that changes a row a metric
# reads bumps the mark of each day its dating instants fall on, in the same transaction (store/packs.py).
period_marks = Table(
    "period_marks",
    metadata,
    Column("day", BigInteger, primary_key=True, autoincrement=False),  # UTC day: µs // 86_400_000_000
    Column("gen", BigInteger, nullable=False),  # only grows
)

period_packs = Table(
    "period_packs",
    metadata,
    Column("tz", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM, local to tz
    Column("format", Integer, nullable=False),  # the layout and reading rules it was built with
    Column("marks", BigInteger, nullable=False),  # the sum of the month's day marks when it was read
    Column("gens", Text),  # JSON {day: mark} of the month's days when it was read
    Column("built_at", Instant, nullable=False),
    Column("rows", Integer, nullable=False),  # handoffs + clocks + activities held
    Column("payload", LargeBinary, nullable=False),
)

# Which leads changed on a day at each of its marks (a lead of "*": too many to list, read the month whole):
# a stale pack re-reads only those leads' rows.
period_changes = Table(
    "period_changes",
    metadata,
    Column("day", BigInteger, primary_key=True, autoincrement=False),
    Column("gen", BigInteger, primary_key=True, autoincrement=False),
    Column("lead_id", String(200), primary_key=True),
)

# API keys (DESIGN.md §9): only a hash of each key is kept; a revoked key stays listed with its revoked_at.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),  # shown by `keys list`, named by `keys revoke`
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),  # sha256 hex of the key
    Column("created_at", Instant, nullable=False),
    Column("revoked_at", Instant),
)

# Secrets every serve process on the store shares (the session-signing key), made once by the first.
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", Instant, nullable=False),
)

# HubSpot contacts seen by the webhook before their lead.created could be made (it needs an email and a
# source): what is known so far, and the lead.created once it was made (sent again on a redelivery).
hubspot_contacts = Table(
    "hubspot_contacts",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("created_event", String(64)),  # the eventId of contact.creation, once seen
    Column("created_at", Instant),  # contact.creation's occurredAt
    Column("properties", Text, nullable=False),  # JSON {field: [value, at_us]} of the newest change per field
    Column("lead_created", Text),  # JSON of the lead.created event made from them; NULL: not yet
    Column("updated_at", Instant, nullable=False),
)

# Escalations (DESIGN.md §10): one row per (rule, team, period) whatever the number of workers; the state is
# read from the times (resolved, else overdue past due_at, else open).
escalations = Table(
    "escalations",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("rule", String(32), nullable=False),  # marketing_volume | sales_response | sustained
    Column("team", String(64), nullable=False),  # marketing | sales
    Column("period", String(32), nullable=False),  # 2026-W10, 2026-03, or a day run's last day 2026-03-05
    Column("action", String(200), nullable=False),  # the pact's `then`
    Column("opened_at", Instant, nullable=False),
    Column("due_at", Instant),
    Column("owner", Text, nullable=False),  # JSON list of emails
    Column("mode", String(16), nullable=False),  # the mode in effect when it opened
    Column("evidence", Text, nullable=False),  # JSON
    Column("plan", Text),
    Column("resolved_at", Instant),
    Column("resolved_by", String(200)),
    UniqueConstraint("rule", "team", "period", name="uq_escalations_rule_team_period"),
)

# Decisions of the reviews (`leadpact decide`): who does what by when; done or carried to the next review.
decisions = Table(
    "decisions",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("owner", String(320), nullable=False),
    Column("team", String(64)),
    Column("due", String(10), nullable=False),  # a local date, YYYY-MM-DD
    Column("made_at", Instant, nullable=False),
    Column("made_by", String(200)),
    Column("done_at", Instant),
    Column("done_by", String(200)),
    Index("ix_decisions_due", "due"),
)

# The heads' signatures of each pact version (`leadpact sign`); a new version needs both again.
pact_signatures = Table(
    "pact_signatures",
    metadata,
    Column("version", String(64), primary_key=True),  # the full hash
    Column("side", String(16), primary_key=True),  # marketing | sales
    Column("name", String(200), nullable=False),
    Column("at", Instant, nullable=False),
)

# Calibration sessions (`leadpact calibrate`, DESIGN.md §13): a seeded sample of handoffs stratified by score
# band and outcome, and each team's independent verdict on each ("should this have been an MQL?").
calibration_sessions = Table(
    "calibration_sessions",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("created_at", Instant, nullable=False),
    Column("period", String(64), nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("size", Integer, nullable=False),
    Column("bands", Text, nullable=False),  # JSON [[label, low, high], ...]: the score bands of the period
)

calibration_items = Table(
    "calibration_items",
    metadata,
    Column("session", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("lead_id", String(200), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("band", String(32), nullable=False),
    Column("fit", Float, nullable=False),
    Column("engagement", Float, nullable=False),
    Column("source", String(64)),
    Column("tier", String(16)),
    Column("segment", String(64)),
    Column("outcome", String(16), nullable=False),  # accepted | rejected | disqualified | recycled | pending
    Column("reached_sql", Boolean, nullable=False),
    Column("marketing", String(3)),  # yes | no | NULL (not given yet)
    Column("sales", String(3)),
    Column("marketing_at", Instant),
    Column("sales_at", Instant),
)
