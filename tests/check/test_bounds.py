"""The bounded record of a URL's attempts and hops, and clipping of what it keeps."""

from __future__ import annotations

from linkaudit.check.bounds import Kept, clip


def test_kept_holds_the_first_and_last_few_and_counts_the_rest() -> None:
    kept = Kept.of(range(100), keep=3)
    assert (kept.items(), kept.omitted, len(kept)) == ((0, 1, 2, 97, 98, 99), 94, 100)
    short = Kept.of(range(5), keep=3)
    assert (short.items(), short.omitted) == ((0, 1, 2, 3, 4), 0)


def test_extending_keeps_the_order_and_the_count_of_what_either_left_out() -> None:
    first, second = Kept.of(range(10), keep=2), Kept.of(range(10, 13), keep=2)
    first.extend(second)
    assert (first.items(), first.omitted, len(first)) == ((0, 1, 11, 12), 9, 13)
    # A short record followed by one that left items out: what comes after the gap never joins the head.
    head = Kept.of([0], keep=3)
    head.extend(Kept.of(range(1, 10), keep=2))
    assert (head.items(), head.omitted, len(head)) == ((0, 1, 2, 8, 9), 5, 10)


def test_clip_says_how_much_it_cut() -> None:
    assert clip("abc", 5) == "abc"
    assert clip("a" * 10, 4) == "aaaa…[6 more characters]"
