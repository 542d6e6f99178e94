"""Every metric of DESIGN.md §5, one meaning everywhere (CLI, API, dashboard, reports).

Each metric counts the rows its "dated by" column names whose date falls in the period; a fact counts only
if it happened at or before `as_of`. Rates are unrounded floats; a rate with no denominator is None.

Each view has a reference implementation (one row at a time, easy to read) and a vectorised twin over
numpy columns that gives the identical document; property tests hold the two together.

* :mod:`.facts` -- the rows the metrics read: handoffs, clocks, activities, a period's lists; the params;
* :mod:`.document` -- the document's shared pieces: rates, rejection reasons, targets and pace;
* :mod:`.reference` -- the core metrics and their breakdowns, row by row;
* :mod:`.closed_loop` -- MQL to customer per source and per rep (reference and vectorised);
* :mod:`.funnel` -- time in each stage and the funnel-leak audit (reference and vectorised);
* :mod:`.attribution` -- asset influence and first-, last- and linear credit (reference and vectorised);
* :mod:`.columns` -- the period's rows as numpy columns, and which list each row is in;
* :mod:`.groups` -- counts, sums and summaries per group code (the breakdowns' arithmetic);
* :mod:`.vec` -- the core metrics and their breakdowns over columns;
* :mod:`.period_columns` -- combining, restricting and patching the columns of months into a period.
"""
