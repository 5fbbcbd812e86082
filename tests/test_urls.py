"""URL normalization: the one function that turns a destination as written into the target we check.

The normalized URL is the key for "one request per distinct URL", so each rule is pinned here, and a
property test checks that normalizing is stable (normalizing a normalized URL changes nothing) and
never raises, whatever the input.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import Target, TargetStatus
from linkaudit.urls import local_path, normalize, remove_dot_segments

SOURCE = Path("/site/gnews/a.md")
ROOT = Path("/site")


def norm(dest: str, **kwargs: str) -> Target:
    return normalize(dest, source=SOURCE, root=ROOT, **kwargs)


@pytest.mark.parametrize(
    ("dest", "url"),
    [
        # scheme and host lower-cased; path, query and fragment case kept
        ("HTTPS://WWW.Example.COM/Path?Q=A", "https://www.example.com/Path?Q=A"),
        ("Http://a.example", "http://a.example/"),
        # default ports removed, others kept
        ("http://a.example:80/x", "http://a.example/x"),
        ("https://a.example:443/x", "https://a.example/x"),
        ("https://a.example:80/x", "https://a.example:80/x"),
        ("http://a.example:8080", "http://a.example:8080/"),
        # dot segments removed
        ("https://a.example/a/./b/../c", "https://a.example/a/c"),
        ("https://a.example/../../x", "https://a.example/x"),
        ("https://a.example/a/..", "https://a.example/"),
        # IRIs percent-encoded as UTF-8 (RFC 3987), hosts IDNA-encoded
        (
            "https://例子.测试/路径?查询=值",
            "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84?%E6%9F%A5%E8%AF%A2=%E5%80%BC",
        ),
        ("https://MÜNCHEN.example/straße", "https://xn--mnchen-3ya.example/stra%C3%9Fe"),
        ("https://a.example/a b", "https://a.example/a%20b"),
        (
            "https://a.example/全角\u3000空格",
            "https://a.example/%E5%85%A8%E8%A7%92%E3%80%80%E7%A9%BA%E6%A0%BC",
        ),
        # existing escapes kept byte for byte: double-encoded, lower-case and encoded "/" alike
        ("https://a.example/%25E5%9B%BE%25E7%89%87.png", "https://a.example/%25E5%9B%BE%25E7%89%87.png"),
        ("https://a.example/%e5%9b%be", "https://a.example/%e5%9b%be"),
        ("https://a.example/a%2Fb", "https://a.example/a%2Fb"),
        ("https://a.example/100%", "https://a.example/100%25"),
        # a trailing dot on the host, an empty path
        ("https://a.example./x", "https://a.example/x"),
        ("https://a.example?x=1", "https://a.example/?x=1"),
        # protocol-relative
        ("//cdn.example/x.js", "https://cdn.example/x.js"),
        # IPv4, IPv6 and user info
        ("http://192.0.2.1:8080/x", "http://192.0.2.1:8080/x"),
        ("http://[2001:DB8::1]/x", "http://[2001:db8::1]/x"),
        ("https://user:pw@A.example/", "https://user:pw@a.example/"),
        # a backslash is "/" in the path (as browsers read it), not in the query
        ("https://a.example/a\\b?q=c\\d", "https://a.example/a/b?q=c%5Cd"),
    ],
)
def test_http_normalization(dest: str, url: str) -> None:
    target = norm(dest)
    assert (target.url, target.status, target.reason) == (url, TargetStatus.OK, None)
    assert target.is_http


def test_the_fragment_is_kept_apart() -> None:
    assert norm("https://a.example/x#Sec-2") == Target("https://a.example/x", fragment="Sec-2")
    assert norm("https://a.example/x#片段").fragment == "%E7%89%87%E6%AE%B5"
    assert norm("https://a.example/x#").fragment == ""
    assert norm("https://a.example/x").fragment is None
    assert norm("https://a.example/x#a").url == norm("https://a.example/x#b").url


@pytest.mark.parametrize(
    ("dest", "path", "fragment"),
    [
        ("b.md", "/site/gnews/b.md", None),
        ("./b.md#top", "/site/gnews/b.md", "top"),
        ("../README.md", "/site/README.md", None),
        ("../../../../etc.md", "/etc.md", None),
        ("/README.md", "/site/README.md", None),  # root-relative: against the root
        ("/content/gnews/README.md?x=1", "/site/content/gnews/README.md", None),
        ("圖片/一.png", "/site/gnews/%E5%9C%96%E7%89%87/%E4%B8%80.png", None),
        ("a%20b.md", "/site/gnews/a%20b.md", None),
        ("#top", "/site/gnews/a.md", "top"),  # the document itself
    ],
)
def test_local_destinations_become_file_urls(dest: str, path: str, fragment: str | None) -> None:
    target = norm(dest)
    assert target == Target("file://" + path, fragment=fragment)
    assert target.is_local and not target.is_http


def test_local_path_decodes_the_file_url() -> None:
    assert local_path(norm("圖片/a%20b.png")) == Path("/site/gnews/圖片/a b.png")


def test_without_a_root_root_relative_resolves_against_the_source_folder() -> None:
    assert normalize("/x.md", source=SOURCE).url == "file:///site/gnews/x.md"


def test_a_destination_urllib_cannot_join_to_the_base_is_invalid() -> None:
    """Found by fuzzing: urljoin raised ValueError ("Invalid IPv6 URL") out of normalize."""
    target = norm("//[", base_url="https://b.example/dir/page")
    assert (target.status, target.reason, target.detail) == (
        TargetStatus.INVALID,
        "malformed-url",
        "bad URL (Invalid IPv6 URL)",
    )


def test_base_href() -> None:
    assert (
        normalize("x.html", source=SOURCE, base_url="https://b.example/dir/").url
        == "https://b.example/dir/x.html"
    )
    assert normalize("/y", source=SOURCE, base_url="https://b.example/dir/").url == "https://b.example/y"
    assert (
        normalize("https://c.example/", source=SOURCE, base_url="https://b.example/").url
        == "https://c.example/"
    )


@pytest.mark.parametrize(
    ("dest", "reason", "detail"),
    [
        ("mailto:news@a.example", "unchecked-scheme", "scheme mailto:"),
        ("MAILTO:news@a.example", "unchecked-scheme", "scheme mailto:"),
        ("tel:+1-202-555-0100", "unchecked-scheme", "scheme tel:"),
        ("ipfs://QmNY54D3JjvrEV4HY1WbWW8tn9Z9tM5bXEgzQsaYRuMrFR?.png", "unchecked-scheme", "scheme ipfs:"),
        ("javascript:void(0)", "unchecked-scheme", "scheme javascript:"),
        ("data:image/png;base64,iVBORw0KGgo=", "unchecked-scheme", "scheme data:"),
        ("ftp://files.a.example/x", "unchecked-scheme", "scheme ftp:"),
        ("weixin://dl/chat", "unchecked-scheme", "scheme weixin:"),
        ("made-up-scheme://foo,bar", "unchecked-scheme", "scheme made-up-scheme:"),
        ("file:///etc/hosts", "absolute-file-url", "scheme file: (absolute local path)"),
    ],
)
def test_other_schemes_are_skipped_with_the_scheme(dest: str, reason: str, detail: str) -> None:
    target = norm(dest)
    assert (target.status, target.reason, target.detail, target.url) == (
        TargetStatus.SKIPPED,
        reason,
        detail,
        dest,
    )
    assert not target.is_http and not target.is_local


@pytest.mark.parametrize(
    ("dest", "reason", "detail"),
    [
        ("hhttps://a.example/x", "misspelt-scheme", "misspelt scheme 'hhttps'"),
        ("htps://a.example/x", "misspelt-scheme", "misspelt scheme 'htps'"),
        ("ttps://a.example/x", "misspelt-scheme", "misspelt scheme 'ttps'"),
        ("x:y", "invalid-scheme", "unknown scheme 'x'"),
        ("http:/a.example", "missing-host", "no host after the scheme"),
        ("https://", "missing-host", "empty host"),
        ("https://a..example/", "invalid-host", "bad host 'a..example'"),
        ("https://-a.example/", "invalid-host", "bad host '-a.example'"),
        ("https://a example/", "invalid-host", "bad host 'a example'"),
        ("https://a.example:99999/", "invalid-port", "bad port '99999'"),
        ("https://a.example:http/", "invalid-port", "bad port 'http'"),
        ("https://[::1/", "invalid-host", "unclosed IPv6 bracket in host"),
        ("https://[::1]x/", "invalid-host", "bad host '[::1]x'"),
        ("", "empty-destination", "empty destination"),
        ("  \t ", "empty-destination", "empty destination"),
        ("C:\\articles\\a.md", "windows-path", "Windows drive path"),
        ("http://xn--zz/", "invalid-host", "bad host 'xn--zz'"),  # found by fuzzing: no punycode, so no name
    ],
)
def test_invalid_destinations_have_a_slug_and_a_detail(dest: str, reason: str, detail: str) -> None:
    target = norm(dest)
    assert (target.status, target.reason, target.detail) == (TargetStatus.INVALID, reason, detail)
    assert not target.is_http and not target.is_local and target.host == ""


def test_host_property() -> None:
    assert norm("https://user@News.Example:8443/x?y").host == "news.example:8443"
    assert norm("mailto:a@b.example").host == ""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a/b/c/./../../g", "/a/g"),  # RFC 3986 §5.2.4's own example
        ("mid/content=5/../6", "mid/6"),
        ("/a/b/.", "/a/b/"),
        ("/a/b/..", "/a/"),
        ("/..", "/"),
        ("/a/./b", "/a/b"),
        ("/no/dots", "/no/dots"),
    ],
)
def test_remove_dot_segments(path: str, expected: str) -> None:
    assert remove_dot_segments(path) == expected


_URL_PIECES = st.sampled_from(
    [
        "a",
        "B",
        "/",
        "..",
        ".",
        "%25",
        "%E5%9B%BE",
        "%",
        "图",
        "?",
        "#",
        "&",
        "=",
        " ",
        ":",
        "@",
        "\\",
        "例",
        "-",
        "_",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http://", "HTTPS://", "https://例子.", "//", "", "mailto:", "/", "../"]),
    st.sampled_from(["a.example", "A.Example", "xn--fsqu00a.example", "a.example:8080", "a.example:443", ""]),
    st.lists(_URL_PIECES, max_size=12).map("".join),
)
def test_normalizing_is_stable_and_total(prefix: str, host: str, rest: str) -> None:
    target = norm(prefix + host + rest)
    if target.is_http:
        again = norm(target.url + ("#" + target.fragment if target.fragment is not None else ""))
        assert again == target
    if target.status is TargetStatus.OK:
        assert target.url.isascii() and (target.is_http or target.is_local)
        assert target.fragment is None or target.fragment.isascii()
