"""leadpact: the marketing-sales SLA as running code."""

__version__ = "0.1.0"
