"""The code stays easy to find: no module of the app, its jobs, its tests or its benchmarks is over 400 lines;
a longer one is split by meaning."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400


def test_no_module_is_over_400_lines():
    sizes = {str(path.relative_to(ROOT)): len(path.read_text().splitlines())
             for folder in ("gtm", "jobs", "tests", "bench") for path in (ROOT / folder).rglob("*.py")}
    assert len(sizes) > 100
    assert {name: lines for name, lines in sizes.items() if lines > LIMIT} == {}
