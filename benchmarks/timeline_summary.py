"""A short text summary of a run's timeline (`linkaudit check --timeline FILE`): where the critical path went.

    python benchmarks/timeline_summary.py work/timeline/linkaudit-1.json

For the hosts that finished last: how many requests and why (a URL's first, a redirect hop, a GET after
HEAD, a retry), when the first went out and the last came back, the mean gap between starts, the time the
host had nothing in flight, the waits its requests had by cause, and its changes of pace (a cut in
concurrency, a pause). Then the URL that ended last, request by request: a chain started late, a retry's
sleep, a GET after HEAD all show there.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["summarize"]


def _idle(requests: list[dict[str, Any]]) -> float:
    """Seconds between the host's first send and last end with nothing of it in flight."""
    spans = sorted((r["sent"], r["ended"]) for r in requests)
    idle = 0.0
    reach = spans[0][1]
    for sent, ended in spans[1:]:
        if sent > reach:
            idle += sent - reach
        reach = max(reach, ended)
    return idle


def _host_line(name: str, entry: Mapping[str, Any]) -> list[str]:
    requests: list[dict[str, Any]] = entry["requests"]
    roles = Counter(r["role"] for r in requests)
    waits: dict[str, float] = defaultdict(float)
    for r in requests:
        for cause, seconds in r["waits"].items():
            waits[cause] += seconds
    first = min(r["sent"] for r in requests)
    last = max(r["ended"] for r in requests)
    gap = (max(r["sent"] for r in requests) - first) / max(1, len(requests) - 1)
    lines = [
        f"  {name}: {len(requests)} requests ("
        + ", ".join(f"{role} {n}" for role, n in roles.most_common())
        + f"), {first:.2f}–{last:.2f} s, {gap * 1000:.1f} ms between starts on average, "
        f"nothing in flight {_idle(requests):.2f} s",
        "    waits summed over its requests: "
        + (
            ", ".join(f"{cause} {s:.2f} s" for cause, s in sorted(waits.items(), key=lambda w: -w[1]))
            or "none"
        ),
    ]
    after_head = Counter(r["after"] for r in requests if r["role"] == "get-after-head")
    if after_head:
        lines.append(
            "    GET after HEAD, by HEAD's answer: "
            + ", ".join(f"{k} ×{n}" for k, n in after_head.most_common())
        )
    events = entry["events"]
    if events:
        shown = ", ".join(
            f"{e['kind']} {e['value']:g}{' s' if e['kind'] == 'pause' else ''} "
            f"at {e['at']:.2f} s ({e['why']})"
            for e in events[:6]
        )
        more = f" and {len(events) - 6} more" if len(events) > 6 else ""
        lines.append(f"    pace: {shown}{more}")
    return lines


def summarize(timeline: Mapping[str, Any], *, names: Mapping[str, str] | None = None, hosts: int = 3) -> str:
    """The summary; `names` maps a host's address (without port) to a name to show."""
    names = names or {}

    def name_of(host: str) -> str:
        return names.get(host.rsplit(":", 1)[0], host)

    entries: dict[str, Any] = {h: e for h, e in timeline["hosts"].items() if e["requests"]}
    if not entries:
        return "  (no request)"
    ends = {host: max(r["ended"] for r in entry["requests"]) for host, entry in entries.items()}
    order = sorted(ends, key=lambda h: -ends[h])
    total = sum(len(e["requests"]) for e in entries.values())
    roles = Counter(r["role"] for e in entries.values() for r in e["requests"])
    lines = [
        f"  {total:,} requests (" + ", ".join(f"{role} {n:,}" for role, n in roles.most_common()) + "); "
        f"last answer at {ends[order[0]]:.2f} s. Hosts that finished last:"
    ]
    for host in order[:hosts]:
        lines += _host_line(name_of(host), entries[host])
    urls: Mapping[str, Mapping[str, float]] = timeline["urls"]
    if urls:
        url, span = max(urls.items(), key=lambda item: item[1]["ended"])
        own = sorted(
            (r for e in entries.values() for r in e["requests"] if r["of"] == url), key=lambda r: r["asked"]
        )
        lines.append(
            f"  URL that ended last: {url}, started {span['started']:.2f} s, ended {span['ended']:.2f} s"
        )
        previous_end = span["started"]
        for r in own:
            waits = ", ".join(f"{cause} {s:.2f} s" for cause, s in r["waits"].items())
            slept = r["asked"] - previous_end
            lines.append(
                f"    {r['role']}: {r['method']} asked {r['asked']:.2f} s"
                + (f" ({slept:.2f} s after the previous)" if slept > 0.01 else "")
                + f", sent {r['sent']:.2f} s, answered {r['outcome']} at {r['ended']:.2f} s"
                + (f"; waited {waits}" if waits else "")
            )
            previous_end = r["ended"]
    return "\n".join(lines)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(path)
        print(summarize(json.loads(Path(path).read_text())))
