"""axe-core, the accessibility checker the browser tests inject into pages: its pinned version and hash (read by
scripts/fetch_axe.sh, which `make browser` runs), where the fetched file is, and one page's audit."""
import base64
import hashlib
from pathlib import Path

import pytest

AXE_VERSION = "4.14.1"
AXE_SRI = "sha384-xt1SFg49QaDwsyt0Xfs2XAyBtYPClXl3X2q5OOLeGAUmq9jZTYIMdztpF99WdhiH"
AXE_FILE = Path(__file__).resolve().parents[1] / "vendor" / f"axe-{AXE_VERSION}.min.js"
# What fails a page: a violation a person meets as a barrier, not a nuisance.
FAILING = ("serious", "critical")


def axe_script() -> Path:
    """The fetched axe-core, checked against its pin; a missing or altered file fails the test that needs it."""
    if not AXE_FILE.exists():
        pytest.fail(f"axe-core {AXE_VERSION} is missing at {AXE_FILE}: run `make browser` (it needs npm)")
    digest = base64.b64encode(hashlib.sha384(AXE_FILE.read_bytes()).digest()).decode()
    if f"sha384-{digest}" != AXE_SRI:
        pytest.fail(f"{AXE_FILE} does not match the pinned hash; delete it and run `make browser`")
    return AXE_FILE


def start_audit(page) -> None:
    """Start axe's run on the page (the context's init script holds axe), without waiting: several pages' runs go on
    at once."""
    page.evaluate("() => { window.gtmAudit = axe.run(document, {resultTypes: ['violations']}); }")


def audit(page) -> list[dict]:
    """The serious and critical violations of the run start_audit began, one per element."""
    result = page.evaluate("() => window.gtmAudit")
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING:
            continue
        for node in violation["nodes"]:
            found.append({"rule": violation["id"], "impact": violation["impact"], "target": node["target"],
                          "html": node["html"][:160], "why": node.get("failureSummary", "")[:300]})
    return found
