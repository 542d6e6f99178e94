"""The demo company: a realistic, deterministic stream of ingest events (`generator`), built from its knobs
and roster (`company`), its market (`market`, with `names`), its leads' marketing (`marketing`) and the
sales side (`sales`, `run`, `pipeline`), judged by the default pact's gate (`gate`) on its business hours
(`businesstime`); `trickle` keeps new leads coming while the demo serves.
"""
