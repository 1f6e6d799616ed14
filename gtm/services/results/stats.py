"""A/B statistics: variant A against B on CTR and on conversion rate, with a two-proportion z-test.

The test is the textbook pooled two-proportion z-test (two-sided): with x successes of n trials
in each variant, p = (x1 + x2) / (n1 + n2), SE = sqrt(p (1 - p) (1/n1 + 1/n2)), z = (p1 - p2) / SE
and the p-value is 2 (1 - Phi(|z|)). Confidence is 1 - p-value. It is a few lines, checked in the
tests against a worked example, so it needs no statistics library.

Below the minimum sample the result says "not enough data yet" and names no leader; a leader is
named only at 95% confidence or more.
"""
import math
from dataclasses import dataclass

from .totals import Totals

# CTR is clicks out of impressions; conversion rate is conversions out of clicks.
MIN_IMPRESSIONS = 1000
MIN_CLICKS = 100
CONFIDENCE_NEEDED = 0.95
NAMES = {"ctr": "CTR", "conversion_rate": "conversion rate"}


def two_proportion(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Return (z, two-sided p-value) of the pooled two-proportion z-test; (0, 1) when there is no spread."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both samples need at least one trial")
    pooled = (x1 + x2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if spread <= 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(spread)
    p_value = math.erfc(abs(z) / math.sqrt(2))  # = 2 (1 - Phi(|z|))
    return z, p_value


def percent(value: float | None, places: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{places}f}%"


def confidence_text(confidence: float) -> str:
    """Whole percent, rounded down, so 94.6% never reads as the 95% a winner needs."""
    if confidence >= 0.999:
        return "99.9%"
    return f"{math.floor(confidence * 100)}%"


@dataclass(frozen=True)
class Test:
    """One metric of variant A against B."""

    metric: str
    a_rate: float | None
    b_rate: float | None
    enough: bool
    confidence: float | None
    leader: str | None
    sentence: str

    @property
    def name(self) -> str:
        return NAMES[self.metric]


def ab_test(metric: str, a: Totals, b: Totals) -> Test:
    """Compare A with B on `metric` (ctr or conversion_rate), and say it in one sentence."""
    name = NAMES[metric]
    if metric == "ctr":
        (xa, na), (xb, nb), minimum, unit = (a.clicks, a.impressions), (b.clicks, b.impressions), MIN_IMPRESSIONS, \
            "impressions"
    else:
        (xa, na), (xb, nb), minimum, unit = (a.conversions, a.clicks), (b.conversions, b.clicks), MIN_CLICKS, "clicks"
    a_rate = 100 * xa / na if na else None
    b_rate = 100 * xb / nb if nb else None
    if na < minimum or nb < minimum:
        sentence = (f"Not enough data yet for {name}: it needs {minimum:,} {unit} per variant "
                    f"(A has {na:,}, B has {nb:,}).")
        return Test(metric, a_rate, b_rate, False, None, None, sentence)
    z, p_value = two_proportion(xa, na, xb, nb)
    confidence = 1 - p_value
    if a_rate == b_rate:
        return Test(metric, a_rate, b_rate, True, confidence, None,
                    f"A and B are level on {name}, {percent(a_rate)} each.")
    ahead, behind = ("A", "B") if a_rate > b_rate else ("B", "A")
    rates = {"A": a_rate, "B": b_rate}
    figures = f"{percent(rates[ahead])} vs {percent(rates[behind])}, {confidence_text(confidence)} confidence"
    if confidence >= CONFIDENCE_NEEDED:
        return Test(metric, a_rate, b_rate, True, confidence, ahead, f"{ahead} leads on {name}, {figures}.")
    return Test(metric, a_rate, b_rate, True, confidence, None,
                f"No clear winner on {name} yet: {ahead} {figures} "
                f"({confidence_text(CONFIDENCE_NEEDED)} needed).")


@dataclass(frozen=True)
class ABResult:
    """A post's variants compared on CTR and on conversion rate."""

    ctr: Test
    conversion_rate: Test

    @property
    def winner(self) -> str | None:
        """The variant that leads with confidence: on conversion rate first, else on CTR."""
        return self.conversion_rate.leader or self.ctr.leader

    @property
    def deciding(self) -> Test | None:
        if self.conversion_rate.leader:
            return self.conversion_rate
        if self.ctr.leader:
            return self.ctr
        return None


def ab_result(a: Totals, b: Totals) -> ABResult:
    return ABResult(ab_test("ctr", a, b), ab_test("conversion_rate", a, b))
