"""URL normalization: one function that turns a destination as written into a `Target`.

The normalized URL is the key for "one request per distinct URL", so it must be stable: scheme and
host lower-cased, hosts IDNA-encoded, IRIs percent-encoded (RFC 3987 §3.1), default ports and dot
segments removed. Existing percent-escapes are kept byte for byte: the archive holds double-encoded
`%25E5…` URLs whose meaning depends on that. The fragment is kept apart (it never changes what a
server answers). Relative destinations become `file:` URLs so local citations share the vocabulary.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin

import idna

from linkaudit.models import Target, TargetStatus

__all__ = ["KNOWN_SCHEMES", "local_path", "normalize", "remove_dot_segments"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HEX = frozenset("0123456789abcdefABCDEF")
# RFC 3986 unreserved + sub-delims + ":@/" (path) and "?" (query); "%" is handled apart.
_PATH_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | {"?"}
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_\-]*[a-z0-9_])?$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# An http(s) URL already in normal form (lower-case host of valid labels, no port, user, fragment or
# escape to repair, a path): most citations. Dot segments are ruled out apart ("/." not in it).
_LABEL = r"[a-z0-9_](?:[a-z0-9_\-]*[a-z0-9_])?"
_SAFE = "A-Za-z0-9\\-._~!$&'()*+,;=:@/"
# Runs of safe characters between escapes: the same language as (?:[safe]|%XX)*, matched 3x faster.
_NORMAL_HTTP = re.compile(
    rf"https?://(?:{_LABEL}\.)*{_LABEL}/[{_SAFE}]*(?:%[0-9A-Fa-f]{{2}}[{_SAFE}]*)*"
    rf"(?:\?[{_SAFE}?]*(?:%[0-9A-Fa-f]{{2}}[{_SAFE}?]*)*)?"
)

#: Schemes we recognize but do not check: reported as `skipped` with the scheme.
KNOWN_SCHEMES = frozenset(
    {
        "mailto",
        "tel",
        "sms",
        "fax",
        "ipfs",
        "ipns",
        "javascript",
        "data",
        "ftp",
        "ftps",
        "sftp",
        "ssh",
        "git",
        "svn",
        "irc",
        "ircs",
        "magnet",
        "news",
        "nntp",
        "xmpp",
        "skype",
        "callto",
        "weixin",
        "wechat",
        "whatsapp",
        "tg",
        "bitcoin",
        "ethereum",
        "urn",
        "about",
        "blob",
        "chrome",
        "chrome-extension",
        "file",
        "feed",
        "webcal",
        "rtmp",
        "rtsp",
        "mms",
        "steam",
        "spotify",
        "zoommtg",
        "market",
        "itms-apps",
        "itms-services",
        "intent",
        "geo",
        "maps",
        "facetime",
        "slack",
        "discord",
        "onion",
        "dat",
        "hyper",
        "gemini",
        "gopher",
        "ws",
        "wss",
        "ed2k",
        "thunder",
    }
)


def _encode_component(text: str, safe: frozenset[str]) -> str:
    """Percent-encode what is not allowed, keeping valid `%XX` escapes exactly as written."""
    fine, unsafe = _COMPONENT_RES[safe]
    if fine.fullmatch(text):
        return text
    return unsafe.sub(_quote_match, text)


def _quote_match(match: re.Match[str]) -> str:
    return quote(match.group(0), safe="", errors="surrogatepass")


def _component_res(safe: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A pattern a component matches when it needs no encoding, and one for each run that does."""
    chars = re.escape("".join(sorted(safe)))
    fine = f"[{chars}]*(?:%[0-9A-Fa-f]{{2}}[{chars}]*)*"
    return re.compile(fine), re.compile(f"%(?![0-9A-Fa-f]{{2}})|[^{chars}%]+")


_COMPONENT_RES = {safe: _component_res(safe) for safe in (_PATH_SAFE, _QUERY_SAFE)}


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    absolute = path.startswith("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                output.append("")
            continue
        if seg == "..":
            if len(output) > (1 if absolute else 0):
                output.pop()
            if last:
                output.append("")
            continue
        output.append(seg)
    result = "/".join(output)
    if absolute and not result.startswith("/"):
        result = "/" + result
    return result


def _normalize_host(host: str) -> str | None:
    """Lower-case and IDNA-encode a host; None when it cannot be a host name."""
    if host.startswith("[") and host.endswith("]"):
        inner = host[1:-1]
        return host.lower() if inner and all(c in _HEX or c in ":." for c in inner) else None
    host = unquote(host) if "%" in host else host
    host = host.rstrip(".").lower() if host.endswith(".") else host.lower()
    if not host:
        return None
    if host.isascii():
        labels = host.split(".")
        if all(_HOST_LABEL.match(label) for label in labels) and _a_labels_decode(labels):
            return host
        return None
    try:
        encoded = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        try:
            encoded = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = encoded.split(".")
    return encoded if all(_HOST_LABEL.match(label) for label in labels) and _a_labels_decode(labels) else None


def _a_labels_decode(labels: list[str]) -> bool:
    """Whether every `xn--` label is punycode at all: `xn--zz` names nothing (found by fuzzing).

    IDNA 2008 validity is not asked: an emoji domain is no valid IDNA 2008 name, yet browsers open it.
    """
    for label in labels:
        if label.startswith("xn--"):
            try:
                label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                return False
    return True


def _invalid(url: str, reason: str, detail: str) -> Target:
    return Target(url=url, status=TargetStatus.INVALID, reason=reason, detail=detail)


def _skipped(url: str, reason: str, detail: str) -> Target:
    return Target(url=url, status=TargetStatus.SKIPPED, reason=reason, detail=detail)


def _normalize_http(url: str, scheme: str) -> Target:
    rest = url[len(scheme) + 1 :]
    fragment: str | None = None
    if "#" in rest:
        rest, fragment = rest.split("#", 1)
    if not rest.startswith("//"):
        return _invalid(url, "missing-host", "no host after the scheme")
    rest = rest[2:]
    if "\\" in rest:
        # As browsers do (WHATWG URL): a backslash is a "/" in the authority and path, not in the query.
        head, sep, query = rest.partition("?")
        rest = head.replace("\\", "/") + sep + query
    cut = len(rest)
    for stop in "/?":
        pos = rest.find(stop)
        if pos != -1:
            cut = min(cut, pos)
    authority, tail = rest[:cut], rest[cut:]
    userinfo = ""
    if "@" in authority:
        userinfo, authority = authority.rsplit("@", 1)
        userinfo += "@"
    port = ""
    if authority.startswith("["):
        close = authority.find("]")
        if close == -1:
            return _invalid(url, "invalid-host", "unclosed IPv6 bracket in host")
        host, after = authority[: close + 1], authority[close + 1 :]
        if after.startswith(":"):
            port = after[1:]
        elif after:
            return _invalid(url, "invalid-host", f"bad host {authority!r}")
    elif ":" in authority:
        host, port = authority.rsplit(":", 1)
    else:
        host = authority
    if port and not (port.isdigit() and port.isascii() and int(port) <= 65535):
        return _invalid(url, "invalid-port", f"bad port {port!r}")
    if not host:
        return _invalid(url, "missing-host", "empty host")
    norm_host = _normalize_host(host)
    if norm_host is None:
        return _invalid(url, "invalid-host", f"bad host {host!r}")
    if port:
        port = str(int(port))
        if _DEFAULT_PORTS.get(scheme) == port:
            port = ""
    path, sep, query = tail.partition("?")
    path = remove_dot_segments(_encode_component(path, _PATH_SAFE)) or "/"
    out = f"{scheme}://{_encode_component(userinfo, _PATH_SAFE)}{norm_host}{':' + port if port else ''}{path}"
    if sep:
        out += "?" + _encode_component(query, _QUERY_SAFE)
    frag = _encode_component(fragment, _QUERY_SAFE) if fragment is not None else None
    return Target(url=out, fragment=frag)


def _looks_like_misspelt_http(scheme: str) -> bool:
    s = scheme.lower()
    return s not in ("http", "https") and (
        "http" in s or s in ("htp", "htps", "htttp", "htttps", "ttp", "ttps")
    )


def normalize(
    dest: str,
    *,
    source: Path | None = None,
    root: Path | None = None,
    base_url: str | None = None,
) -> Target:
    """Normalize a destination as the citing document means it.

    `source` is the citing file (relative destinations resolve against its folder), `root` the folder
    root-relative (`/x`) destinations resolve against, `base_url` an HTML `<base href>`.
    """
    dest = dest.strip(" \t\r\n\f")
    if _NORMAL_HTTP.fullmatch(dest) and "/." not in dest and "xn--" not in dest:
        return Target(url=dest)  # already normal: what the general path below would return, faster
    if not dest:
        return _invalid("", "empty-destination", "empty destination")
    if "\n" in dest or "\r" in dest:
        dest = re.sub(r"[\r\n]+", "", dest)
    match = _SCHEME.match(dest)
    if match is None and base_url is not None:
        try:
            dest = urljoin(base_url, dest)
        except ValueError as exc:  # "//[" against a <base href>: urllib refuses an unclosed IPv6 host
            return _invalid(dest, "malformed-url", f"bad URL ({exc})")
        match = _SCHEME.match(dest)
    if match is not None:
        scheme = match.group(1).lower()
        if scheme in ("http", "https"):
            return _normalize_http(scheme + dest[len(scheme) :], scheme)
        if len(scheme) == 1 and dest[2:3] in ("\\", "/"):
            return _invalid(dest, "windows-path", "Windows drive path")
        if scheme == "file":
            return _skipped(dest, "absolute-file-url", "scheme file: (absolute local path)")
        if scheme in KNOWN_SCHEMES:
            return _skipped(dest, "unchecked-scheme", f"scheme {scheme}:")
        if _looks_like_misspelt_http(scheme):
            return _invalid(dest, "misspelt-scheme", f"misspelt scheme {scheme!r}")
        if dest[len(scheme) + 1 : len(scheme) + 3] == "//":
            return _skipped(dest, "unchecked-scheme", f"scheme {scheme}:")
        # "foo:bar" without "//" and an unknown scheme is most likely a relative path with a colon.
        if not re.match(r"^[a-z][a-z0-9+.\-]{1,31}$", scheme):
            return _invalid(dest, "invalid-scheme", f"unknown scheme {scheme!r}")
        return _skipped(dest, "unchecked-scheme", f"scheme {scheme}:")
    if dest.startswith("//"):
        return _normalize_http("https:" + dest, "https")
    return _normalize_local(dest, source=source, root=root)


def _normalize_local(dest: str, *, source: Path | None, root: Path | None) -> Target:
    fragment: str | None = None
    if "#" in dest:
        dest, fragment = dest.split("#", 1)
    path_part = dest.split("?", 1)[0]
    base_dir = (source.parent if source is not None else Path.cwd()).absolute()
    if path_part.startswith("/"):
        anchor = (root if root is not None else base_dir).absolute()
        joined = anchor.as_posix().rstrip("/") + "/" + path_part.lstrip("/")
    elif path_part:
        joined = base_dir.as_posix().rstrip("/") + "/" + path_part
    else:
        # A bare "#fragment" (or "?query") cites the document itself.
        joined = (source.absolute() if source is not None else base_dir).as_posix()
    path = remove_dot_segments(_encode_component(joined, _PATH_SAFE))
    frag = _encode_component(fragment, _QUERY_SAFE) if fragment is not None else None
    return Target(url="file://" + path, fragment=frag)


def local_path(target: Target) -> Path:
    """The file-system path a local `file:` target names."""
    return Path(unquote(target.url[len("file://") :]))
