"""Review of issue 9 §1: a captive portal answers every URL of a host alike; a host whose other URLs got
other answers is not behind one.

Six sites on stock nginx, each with live pages and one dead link: the dead links share nginx's
byte-identical 404 page. A portal would have answered the live pages with that page too, so this is
no portal, and the six dead links must stay dead (exit 1), not become `captive-portal-suspected`.
"""

from __future__ import annotations

from test_run_doubt import live, page, verdicts

from linkaudit.classify.run import reconsider
from linkaudit.models import Verdict


def test_one_shared_error_page_among_live_pages_of_the_same_hosts_is_no_portal() -> None:
    results = []
    for n in range(6):
        results += [live(f"http://site{n}.example/p{k}") for k in range(3)]
        results.append(page(f"http://site{n}.example/gone", 404, "ngx404"))
    revised, doubt = reconsider(results)
    assert doubt is None, doubt
    assert verdicts([r for r in revised if r.target.url.endswith("/gone")]) == {(Verdict.DEAD, "http-404")}
