"""Review finding (issue 10): a fragment differing from an anchor only in case gets that anchor as hint."""

from __future__ import annotations

from linkaudit.check.fragments import closest_anchor
from linkaudit.models import Anchors


def test_a_case_only_mismatch_names_the_anchor() -> None:
    # HTML ids match exactly: "#HID" misses id="hid", and the hint should say which anchor was meant.
    anchors = Anchors(frozenset({"hid", "other-section"}))
    assert closest_anchor(anchors, "HID") == "hid"
    assert closest_anchor(anchors, "Other-Section") == "other-section"
    assert closest_anchor(anchors, "zzzz") is None
