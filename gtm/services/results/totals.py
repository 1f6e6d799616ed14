"""Sums of metric rows, and the rates a marketer reads off them."""
from dataclasses import dataclass
from decimal import Decimal

METRIC_LABELS = {
    "ctr": "CTR",
    "conversion_rate": "Conversion rate",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "conversions": "Conversions",
    "cost_per_conversion": "Cost per conversion",
}
RATES = ("ctr", "conversion_rate")


@dataclass
class Totals:
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    spend: Decimal = Decimal("0")

    def add(self, other: "Totals") -> "Totals":
        self.impressions += other.impressions
        self.clicks += other.clicks
        self.conversions += other.conversions
        self.spend += other.spend
        return self

    @classmethod
    def of(cls, rows) -> "Totals":
        total = cls()
        for row in rows:
            total.add(row)
        return total

    @property
    def empty(self) -> bool:
        return not (self.impressions or self.clicks or self.conversions or self.spend)

    @property
    def ctr(self) -> float | None:
        """Clicks per impression, in percent."""
        return 100 * self.clicks / self.impressions if self.impressions else None

    @property
    def conversion_rate(self) -> float | None:
        """Conversions per click, in percent."""
        return 100 * self.conversions / self.clicks if self.clicks else None

    @property
    def cost_per_conversion(self) -> Decimal | None:
        return (self.spend / self.conversions).quantize(Decimal("0.01")) if self.conversions else None

    def value(self, metric: str) -> float | None:
        found = getattr(self, metric)
        return float(found) if found is not None else None

    def as_dict(self) -> dict:
        return {"impressions": self.impressions, "clicks": self.clicks, "conversions": self.conversions,
                "spend": str(self.spend.quantize(Decimal("0.01"))), "ctr": _round(self.ctr),
                "conversion_rate": _round(self.conversion_rate),
                "cost_per_conversion": str(self.cost_per_conversion) if self.cost_per_conversion is not None else None}


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def metric_text(metric: str, value: float | None, currency: str = "") -> str:
    """A metric's value as a marketer reads it: 1.4%, 3,400, EUR 12.50."""
    if value is None:
        return "–"
    if metric in RATES:
        return f"{value:.1f}%" if value >= 0.1 or value == 0 else f"{value:.2f}%"
    if metric == "cost_per_conversion":
        return f"{currency} {value:,.2f}".strip()
    return f"{int(value):,}"


def threshold_text(metric: str, threshold: float, currency: str = "") -> str:
    """A threshold as written by the person who set it: 1%, 0.5%, 1,000, EUR 40."""
    if metric in RATES:
        return f"{threshold:g}%"
    if metric == "cost_per_conversion":
        return f"{currency} {threshold:,.2f}".strip()
    return f"{threshold:,.0f}" if float(threshold).is_integer() else f"{threshold:,}"
