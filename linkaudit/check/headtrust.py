"""What HEAD is worth on each host, learnt from the run itself: fewer requests per URL, same verdicts.

A checker asks HEAD first (no body to send) and confirms with GET whatever HEAD cannot settle alone: an
error status (some servers answer HEAD 404 or 405 where GET works), an image citation whose HEAD does not
say image. At a host limited to a request every 50 ms each GET that only repeats its HEAD's answer costs
the run 50 ms. So `HeadTrust` keeps, per host, the pairs it has seen (a HEAD and the GET that followed it
for the same URL):

- after `TRUST_AFTER` pairs in a row in which GET said what HEAD said, and none ever that did not, HEAD's
  404 and 410 stand on that host without GET; likewise, for image citations, a HEAD whose Content-Type
  is not an image's (once that many GETs' bytes agreed with their HEAD's Content-Type). One disagreement
  and that kind of answer is confirmed with GET on that host for the rest of the run;
- a host that refuses HEAD itself (405 or 501, the GET then answered) `REFUSED_AFTER` times, more often
  than it answers HEAD, is asked with GET first.

Other statuses (403, 401, 5xx ...) are always confirmed: they are the ones servers give HEAD and GET
differently on purpose (bot walls, method rules).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REFUSED_AFTER", "TRUST_AFTER", "HeadTrust"]

TRUST_AFTER = 3
REFUSED_AFTER = 2
_TRUSTED_STATUS = frozenset({404, 410})
_HEAD_REFUSED = frozenset({405, 501})


@dataclass(slots=True)
class _Host:
    status_agreed: int = 0
    status_differed: bool = False
    type_agreed: int = 0
    type_differed: bool = False
    refused: int = 0  # HEAD answered 405/501 and GET did not
    accepted: int = 0  # HEAD answered anything else


class HeadTrust:
    """Per-host memory of how HEAD's answers compared with GET's (one run, every host of it)."""

    def __init__(self) -> None:
        self._hosts: dict[str, _Host] = {}

    def _of(self, host: str) -> _Host:
        known = self._hosts.get(host)
        if known is None:
            known = self._hosts[host] = _Host()
        return known

    def get_first(self, host: str) -> bool:
        """Ask GET straight away: this host refuses HEAD."""
        known = self._hosts.get(host)
        return known is not None and known.refused >= REFUSED_AFTER and known.refused > known.accepted

    def head_answered(self, host: str, status: int) -> None:
        """A HEAD got an HTTP answer (counted for `get_first`)."""
        if status not in _HEAD_REFUSED:
            self._of(host).accepted += 1

    def status_stands(self, host: str, status: int) -> bool:
        """HEAD's error `status` needs no GET here."""
        known = self._hosts.get(host)
        return (
            status in _TRUSTED_STATUS
            and known is not None
            and not known.status_differed
            and known.status_agreed >= TRUST_AFTER
        )

    def type_stands(self, host: str) -> bool:
        """HEAD's Content-Type, not an image's, settles an image citation here."""
        known = self._hosts.get(host)
        return known is not None and not known.type_differed and known.type_agreed >= TRUST_AFTER

    def statuses(self, host: str, head: int, get: int | None) -> None:
        """A HEAD's error status and the status of the GET that followed it (None: GET got no answer)."""
        if get is None:
            return
        known = self._of(host)
        if head in _HEAD_REFUSED:
            if get not in _HEAD_REFUSED:
                known.refused += 1
                known.accepted -= 1  # `head_answered` counted it
            return
        if get == head:
            known.status_agreed += 1
        else:
            known.status_differed = True

    def types(self, host: str, head_says_image: bool | None, get_says_image: bool | None) -> None:
        """For an image citation: whether HEAD's Content-Type and GET's bytes said image."""
        if get_says_image is None:
            return
        known = self._of(host)
        if head_says_image == get_says_image:
            known.type_agreed += 1
        else:
            known.type_differed = True
