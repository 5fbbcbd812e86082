"""The extract stage's face is exactly what callers use; its machinery is reached through its own modules."""

from __future__ import annotations

import linkaudit.extract
from linkaudit.extract import inputs, pool


def test_the_stage_offers_what_callers_import_and_no_more() -> None:
    assert set(linkaudit.extract.__all__) == {
        "DEFAULT_EXTENSIONS",
        "ExtractResult",
        "FileFacts",
        "InputFile",
        "SourceFormat",
        "UsageError",
        "collect_inputs",
        "extract_document",
        "extract_files",
        "mark_templates",
    }
    for name in linkaudit.extract.__all__:
        assert getattr(linkaudit.extract, name) is not None
    # Discovery is re-exported, not copied: one class, wherever it is imported from.
    assert linkaudit.extract.InputFile is inputs.InputFile
    assert linkaudit.extract.UsageError is inputs.UsageError


def test_the_pool_keeps_its_packed_results_to_itself() -> None:
    assert not hasattr(linkaudit.extract, "PackedOccurrences")
    assert not hasattr(linkaudit.extract, "jsonl_line")
    assert {"PackedOccurrences", "jsonl_line", "packed_lines", "JSONL_PROBES"} <= set(pool.__all__)
