"""Notifications: targets from the roster, the outbox (written in the deciding transaction, delivered
after commit, at least once with an Idempotency-Key), and the transports (HTTP + SMTP, or null).

Modules: ``targets`` (where), ``messages`` (human text), ``transport`` (how), ``outbox`` (when).
"""
