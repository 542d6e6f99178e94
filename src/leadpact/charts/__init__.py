"""The charts, as Vega-Lite specifications built with Altair: one specification for both places it is drawn.

The dashboard hands each dict to vega-embed in the browser (`leadpact/web/static/vendor/`); the reports turn
the same dict into SVG with vl-convert. Every function is pure: a `metrics --json` document (or several, one a
period) in, a Vega-Lite dict out; the numbers drawn are the document's, never recomputed. A target that the
document does not carry (a compliance minimum of the pact) is a keyword argument.

Specs are `width: "container"` (they fit a 375 px phone and a wide screen alike); the reports set a width
before converting. Status colours are the dashboard's: met green, at risk amber, missed red.

Which module holds what: `spec` the pieces every chart shares (status colours, sizing, inline data);
`metrics` the charts of a `metrics --json` document and of several (one a period: the trends) that the
dashboard's pages and the reviews draw; `learning` the charts of the learning commands (replay, curve,
calibrate report, capacity; DESIGN.md §13).
"""
