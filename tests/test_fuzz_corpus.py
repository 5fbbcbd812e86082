"""Replay every input the fuzz run (`benchmarks/fuzz.py`) found failing, and run its properties briefly.

Each file in `tests/fuzz_corpus/` is a case that once broke a property of `fuzz_properties.py`: a file
that crashed the extractor or lost its links, a destination the normalizer raised on or let through
broken, a report string no UTF-8 writer could hold or that reached the terminal. They must all pass now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fuzz_properties import CHECKS, STRATEGIES, check_case
from hypothesis import HealthCheck, given, settings

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
CASES = sorted(CORPUS.glob("*.json"))


def test_the_corpus_is_there() -> None:
    assert {path.name.split("-")[0] for path in CASES} == set(CHECKS)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_a_found_failure_stays_fixed(path: Path) -> None:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    check_case(case)


@pytest.mark.parametrize("target", sorted(CHECKS))
def test_the_properties_hold_on_a_sample(target: str) -> None:
    """A few hundred examples in CI; the benchmark run tries hundreds of thousands."""

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(STRATEGIES[target]())
    def run(case: dict[str, Any]) -> None:
        CHECKS[target](case)

    run()
