"""The fault suite: every hostile server of the catalogue gets a verdict within its deadline, in bounded
memory (tracemalloc's peak; benchmarks/fault_bench.py measures each case's RSS in a process of its own)."""

from __future__ import annotations

import tracemalloc

import pytest
from fault_cases import CASES, FaultCase, run_case

#: Beyond the URL's budget: a retry wait, the set-up of a connection, a busy machine.
SLACK = 2.0
MEMORY = 48 * 1024 * 1024


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_each_fault_gets_a_verdict_in_time_and_memory(case: FaultCase) -> None:
    tracemalloc.start()
    try:
        result, elapsed = await run_case(case)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    judgement = result.judgement
    assert (judgement.verdict.value, judgement.reason) in case.verdicts, result.evidence
    assert elapsed < case.check_settings().budget + SLACK
    assert peak < MEMORY
    if case.detail is not None:
        assert result.evidence is not None
        assert case.detail in (result.evidence.detail or ""), result.evidence.detail
