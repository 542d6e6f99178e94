"""Business calendars: working windows per weekday, holidays, deadlines in business time (DESIGN.md §6).

Pure domain code: no I/O, never the system clock. Every datetime in and out is timezone-aware; every
output is UTC. The modules:

* :mod:`.spec` -- what a calendar is made of: ``hours`` parsed into windows per weekday, half days, the
  spec, and the two errors;
* :mod:`.closed_days` -- which local days are closed: the country's holidays (minus ``exclude``) plus
  ``dates``, and the checks of country, subdivision and holiday names;
* :mod:`.timeline` -- the cached tables: every open interval of whole local years in UTC microseconds;
* :mod:`.business` -- :class:`~.business.BusinessCalendar`: building the tables, and the answers (is open,
  next opening, business time added or elapsed, business days);
* :mod:`.vec` -- the same answers over numpy arrays.

Definitions (the contract the clocks and metrics rely on):

* A window ``(open, close)`` is the half-open local wall-time range ``[open, close)`` of one local day.
  ``24:00`` (end of day) is written ``END_OF_DAY`` (``time.max``): the window runs to the next local
  midnight. Windows of one day that touch (``09:00-12:00,12:00-17:00``) are one open interval.
* Local times resolve with zoneinfo. An ambiguous wall time (clocks going back) is its first occurrence
  (``fold=0``); a wall time that does not exist (clocks going forward) is the instant the clocks jump,
  i.e. the first instant whose wall time is at or after it. So ``09:00-17:00`` stays ``09:00-17:00``
  local across DST; a window ``01:30-03:00`` lasts 30 minutes on the spring-forward night (02:00 ->
  03:00) and 2.5 hours on the fall-back night (01:30 EDT to 03:00 EST); a window lying wholly inside
  the skipped hour is empty that day. Each local day is assumed to hold at most one UTC-offset change.
* The closed days are the country's public holidays (the ``holidays`` package, including the
  "(observed)" days it lists, e.g. Friday 2026-07-03 for Independence Day), minus ``exclude`` (names
  matched case-insensitively; excluding "Independence Day" also excludes its observed day; a name the
  package never gives the country in 1990-2060 is a CalendarError with a did-you-mean), plus
  ``dates``. A half day truncates that day's windows at its close; a holiday or listed date wins over
  a half day.
* A business day is a local day with at least one non-empty window left after holidays and half days.
* Business time started outside the windows starts at the next opening; a deadline that lands exactly
  on a close stays there. ``bd``: the same local wall time on the Nth next business day, counted from
  the next opening when started outside the windows, clamped into that day's ``[first opening, last
  close]`` (before the first opening -> the opening; after the last close -> the close; inside a break
  it stays where it is).
* Every search is bounded: a search (next opening, deadline) that would cross more than 3 x 366 days
  without an opening raises :class:`CalendarError`, whatever was cached before.
"""
