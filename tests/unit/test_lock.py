"""requirements.lock is in step with pyproject.toml: every dependency it names (the app's, the test extra's and
the build's) is pinned to one version with its hashes, and that version is inside pyproject's range. After a
change to pyproject.toml's dependencies, `make lock` writes the lock again."""
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def pins(text: str) -> dict[str, tuple[str, int]]:
    """Return {name: (version, number of hashes)} for every pin of a pip-compile lock."""
    found: dict[str, tuple[str, int]] = {}
    current = None
    for line in text.splitlines():
        pin = PIN.match(line)
        if pin:
            current = canonicalize_name(pin.group(1))
            assert current not in found, f"{current} is pinned twice"
            found[current] = (pin.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
        elif not line.startswith((" ", "\t")):
            current = None
    return found


def required() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
    return [Requirement(name) for name in names + project["build-system"]["requires"]]


def test_every_dependency_is_pinned_with_hashes_inside_its_range():
    locked = pins((ROOT / "requirements.lock").read_text())
    problems = []
    for requirement in required():
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement.name} is not in requirements.lock")
            continue
        version, hashes = locked[name]
        if not hashes:
            problems.append(f"{requirement.name}=={version} has no --hash")
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside pyproject's {requirement.specifier}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_every_pin_of_the_lock_has_hashes():
    locked = pins((ROOT / "requirements.lock").read_text())
    # The app's dependencies bring many more; each of them is pinned and hashed too, or pip refuses the file.
    assert len(locked) > len(required())
    assert {name: version for name, (version, hashes) in locked.items() if not hashes} == {}


def test_a_range_the_lock_breaks_is_found():
    text = "flask==3.1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via gtm\nrq==2.4.0\n"
    assert pins(text) == {"flask": ("3.1.0", 1), "rq": ("2.4.0", 0)}
    assert not Requirement("flask>=3.2,<4").specifier.contains(pins(text)["flask"][0])
