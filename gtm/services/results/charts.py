"""The results page's two charts laid out for server-rendered SVG: a daily line and a bar per phase.

Each chart carries a sentence with every value it draws, for screen readers and for anyone who reads
rather than looks; the template draws it with no script.
"""
from dataclasses import dataclass
from datetime import date

from .totals import METRIC_LABELS, Totals, metric_text

CHART_METRICS = ("ctr", "impressions", "clicks", "conversions", "conversion_rate", "cost_per_conversion")
TEXT_VALUES_MAX = 60


def chart_metric(value: str | None) -> str:
    """The metric the charts show: the one asked for when it is known, else CTR."""
    return value if value in CHART_METRICS else "ctr"


def polyline(points: list[tuple[float, float, str]]) -> str:
    """An SVG polyline's points attribute."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    bottom: int
    points: list[tuple[float, float, str]]
    ticks: list[tuple[float, str]]
    first_day: str
    last_day: str
    text: str

    @property
    def line(self) -> str:
        return polyline(self.points)

    @property
    def base_y(self) -> int:
        return self.height - self.bottom


@dataclass
class Bar:
    label: str
    y: float
    width: float
    value_text: str


@dataclass
class BarChart:
    width: int
    height: int
    left: int
    bar_height: int
    bars: list[Bar]
    text: str


def _describe(label: str, items: list[str], total: int) -> str:
    shown = "; ".join(items[:TEXT_VALUES_MAX])
    more = f"; and {total - TEXT_VALUES_MAX} more" if total > TEXT_VALUES_MAX else ""
    return f"{label}: {shown}{more}."


def daily_line(series: list[tuple[date, Totals]], metric: str, currency: str = "",
               width: int = 720, height: int = 220) -> LineChart | None:
    """Lay out a metric per day (days where it has no value, like CTR with no impressions, are left out)."""
    days = [(day, totals.value(metric)) for day, totals in series]
    days = [(day, value) for day, value in days if value is not None]
    if not days:
        return None
    left, right, top, bottom = 64, 12, 10, 24
    highest = max(value for _, value in days) or 1.0
    scale = (height - top - bottom) / (highest * 1.1)
    span = max((days[-1][0] - days[0][0]).days, 1)
    inner = width - left - right

    def x_of(day: date) -> float:
        return left + inner / 2 if len(days) == 1 else left + inner * (day - days[0][0]).days / span

    def y_of(value: float) -> float:
        return height - bottom - value * scale

    points = [(x_of(day), y_of(value), f"{day.isoformat()}: {metric_text(metric, value, currency)}")
              for day, value in days]
    ticks = [(y_of(value), metric_text(metric, value, currency)) for value in (0, highest / 2, highest)]
    label = f"{METRIC_LABELS[metric]} by day, {days[0][0].isoformat()} to {days[-1][0].isoformat()}"
    text = _describe(label, [f"{day.isoformat()} {metric_text(metric, value, currency)}" for day, value in days],
                     len(days))
    return LineChart(width, height, left, top, bottom, points, ticks, days[0][0].isoformat(),
                     days[-1][0].isoformat(), text)


def phase_bars(phases: list[tuple[str, Totals]], metric: str, currency: str = "",
               width: int = 720, bar_height: int = 24) -> BarChart | None:
    """Lay out a bar per phase; a phase with no value for the metric gets no bar and says so."""
    values = [(label, totals.value(metric)) for label, totals in phases]
    if not any(value is not None for _, value in values):
        return None
    left, right, gap = 220, 110, 8
    highest = max(value for _, value in values if value is not None) or 1.0
    inner = width - left - right
    bars = [Bar(label, gap + index * (bar_height + gap), inner * (value or 0) / highest,
                metric_text(metric, value, currency) if value is not None else "no numbers yet")
            for index, (label, value) in enumerate(values)]
    height = gap + len(bars) * (bar_height + gap)
    text = _describe(f"{METRIC_LABELS[metric]} by phase", [f"{bar.label} {bar.value_text}" for bar in bars],
                     len(bars))
    return BarChart(width, height, left, bar_height, bars, text)
