"""Charts as SVG for reports: the dashboard's Vega-Lite spec (`leadpact.charts`) drawn by vl-convert."""

from __future__ import annotations

from typing import Any

#: the width a chart is drawn at in a report (the dashboard's specs fit their container instead)
WIDTH = 520


def to_svg(spec: dict[str, Any], width: int = WIDTH) -> str:
    import vl_convert  # heavy: loaded only to draw

    sized = {**spec, "width": width, "autosize": {"type": "pad"}}  # a wide legend widens, never clips
    svg: str = vl_convert.vegalite_to_svg(sized)
    return svg
