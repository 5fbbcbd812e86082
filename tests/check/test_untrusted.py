"""Untrusted articles and servers, end to end through `linkaudit.cli.main` (in process, servers on loopback).

The private-network guard is on unless asked; header values never show, whatever a server echoes back or
however malformed the value; and text from articles and servers never acts on a terminal or a page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rawserver import RawServer, answer

from linkaudit.cli import main

SERVER = "127.0.0.2"
TOKEN = "tok-SECRET-123456"
COOKIE = "ck-SECRET-654321"
# What a terminal or a web page would obey: C0 controls but newline, DEL and C1, bidi controls, U+2028/9.
FORBIDDEN = frozenset(
    [chr(c) for c in range(0x20) if chr(c) != "\n"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, captured.out, captured.err


def header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def echo(path: str, headers: list[tuple[str, str]]) -> bytes:
    """A server that sends the credentials it receives back, everywhere it can."""
    auth, cookie = header(headers, "authorization"), header(headers, "cookie")
    if path == "/redirect":
        return answer(302, ("Location", f"/landing?auth={auth}&c={cookie}"))
    if path.startswith("/landing"):
        return f"HTTP/1.1 2 {auth} {cookie}\r\n\r\n".encode()  # a status line no parser accepts
    if path == "/moved":
        return answer(301, ("Location", f"/ok/{auth}/{cookie}"))
    if path == "/bad-header":
        return f"HTTP/1.1 200 OK\r\nX-Echo {auth}\r\n\r\n".encode()  # a header line without a colon
    return answer(
        500 if path == "/error" else 200, ("Server", auth), ("X-Cookie", cookie), body=auth.encode()
    )


def control(path: str, headers: list[tuple[str, str]]) -> bytes:
    """A server whose redirect carries a bidi override and a C1 control (CSI) as raw bytes."""
    if path == "/a":
        return b"HTTP/1.1 302 Found\r\nLocation: /b\xe2\x80\xae\xc2\x9b\x9b31m\r\nContent-Length: 0\r\n\r\n"
    return answer(200)


@pytest.fixture
def echo_server() -> Iterator[RawServer]:
    with RawServer(echo, address=SERVER) as server:
        yield server


def check_args(*extra: str) -> list[str]:
    """No name reaches the system resolver; the test server's address is allowed through the guard."""
    return ["--resolve", f"*:{SERVER}", "--allow-private-net", SERVER, "-j", "1", "--retries", "0", *extra]


def test_private_addresses_are_refused_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], echo_server: RawServer
) -> None:
    article = tmp_path / "a.md"
    article.write_text(f"[a]({echo_server.url('news.example', '/fine')})\n", encoding="utf-8")
    report = tmp_path / "out.json"
    resolve = ["--resolve", f"news.example:{SERVER}", "--resolve", "*:nxdomain", "-j", "1"]

    code, _, err = run(capsys, "check", str(article), *resolve, "-f", "json", "-o", str(report))
    assert code == 0, err
    data = json.loads(report.read_text(encoding="utf-8"))
    (entry,) = data["urls"]
    assert (entry["verdict"], entry["reason"], entry["error"]) == (
        "skipped",
        "private-address",
        "blocked-address",
    )
    assert f"news.example ({SERVER}): loopback address, not connected" in entry["detail"]
    assert data["settings"]["deny_private"] is True
    assert echo_server.log == []  # refused before connecting

    code, out, _ = run(capsys, "check", str(article), *resolve)
    assert "1 URL at private addresses not checked" in out
    for allow in (["--allow-private-net", f"{SERVER}/32"], ["--allow-private"]):
        code, _, err = run(capsys, "check", str(article), *resolve, *allow, "-f", "json", "-o", str(report))
        assert code == 0, err
        assert json.loads(report.read_text(encoding="utf-8"))["urls"][0]["verdict"] == "live"
    assert len(echo_server.log) >= 2


@pytest.mark.parametrize(
    "spec",
    [
        f"Authorization: Bearer {TOKEN}\r\nX-Injected: 1",
        f"Authorization: Bearer {TOKEN}\n",
        f"Authorization: Bearer {TOKEN}\x00",
        f"X-Token: {TOKEN}\x1b[31m",
        f"X-Token: {TOKEN}\u00e9",
        f"Authorization Bearer {TOKEN}: x",  # the value typed where the name goes
        f"no colon {TOKEN}",
        f"example.org:8443=Authorization: {TOKEN}",
        f"exa mple.org=Authorization: {TOKEN}",
    ],
)
def test_bad_headers_are_usage_errors_that_never_show_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str
) -> None:
    (tmp_path / "a.md").write_text("[a](http://news.example/)\n", encoding="utf-8")
    # Should the header pass by mistake, "name not found": the check must not reach the system resolver.
    code, out, err = run(
        capsys, "check", str(tmp_path), "--resolve", "*:nxdomain", "-H", "X-Fine: 1", "-H", spec
    )
    assert code == 2
    assert out == ""
    assert err.startswith("linkaudit: error: --header #2: ")
    assert err.count("\n") == 1
    assert "SECRET" not in err


def test_user_agent_is_a_header_value_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "check", str(tmp_path), "--resolve", "*:nxdomain", "--user-agent", "a\r\nX: y"
    )
    assert (code, out) == (2, "")
    assert err.startswith("linkaudit: error: --user-agent: header User-Agent: the value holds a line break")


def test_bad_network_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "check", str(tmp_path), "--resolve", "*:nxdomain", "--allow-private-net", "x"
    )
    assert (code, out) == (2, "")
    assert err.startswith("linkaudit: error: --allow-private-net 'x'")


def test_header_values_never_reach_a_report_or_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], echo_server: RawServer
) -> None:
    paths = ["/redirect", "/moved", "/bad-header", "/error", "/server"]
    article = tmp_path / "a.md"
    article.write_text(
        "".join(f"[{path}]({echo_server.url('echo.example', path)})\n" for path in paths), encoding="utf-8"
    )
    secrets = ["-H", f"Authorization: Bearer {TOKEN}", "-H", f"echo.example=Cookie: session={COOKIE}"]
    report = tmp_path / "out.json"
    json_run = run(
        capsys, "check", str(article), *check_args(*secrets), "-v", "-f", "json", "-o", str(report)
    )
    terminal_run = run(capsys, "check", str(article), *check_args(*secrets), "-v")

    # The server did receive the values, and echoed them back ...
    assert header(echo_server.log[0][1], "authorization") == f"Bearer {TOKEN}"
    text = report.read_text(encoding="utf-8")
    data = json.loads(text)
    by_path = {entry["url"].split(str(echo_server.port), 1)[1]: entry for entry in data["urls"]}
    assert by_path["/redirect"]["final_url"].count("***") == 2
    assert "***" in by_path["/bad-header"]["detail"]
    assert data["settings"]["headers"] == ["Authorization: ***", "Cookie: *** (for echo.example)"]
    # ... and not one output shows them.
    for output in (text, *json_run[1:], *terminal_run[1:]):
        assert "SECRET" not in output
    assert "***" in terminal_run[1]  # the redirect's final URL, as the terminal report shows it


def test_control_characters_never_reach_the_terminal_nor_raw_into_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "\x1b[2J\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \x9b31m \u202egnp.exe \u2066x\u2069 \x85"
    with RawServer(control, address=SERVER) as server:
        article = tmp_path / "evil\x1b[31m\u202e.md"
        written = text.replace("[", "\\[").replace("]", "\\]")  # Markdown escapes: the text stays the text
        article.write_text(
            f"[{written}]({server.url('ctl.example', '/a')})\n"
            f"[{written}](http://exa\u202emple.com:99999/\x9b)\n"
            f"[{written}]({server.url('ctl.example', '/gone')}\x1b)\n",
            encoding="utf-8",
        )
        report = tmp_path / "out.json"
        json_run = run(capsys, "check", str(tmp_path), *check_args("-v", "-f", "json", "-o", str(report)))
        terminal_run = run(capsys, "check", str(tmp_path), *check_args("-v"))
    extract_runs = [
        run(capsys, "extract", str(tmp_path), "-f", fmt, "-j", "1") for fmt in ("text", "json", "jsonl")
    ]

    assert "redirected" in terminal_run[1]
    assert "click" in terminal_run[1]
    raw_json = report.read_text(encoding="utf-8")
    for output in (raw_json, *json_run[1:], *terminal_run[1:], *(out for _, out, _ in extract_runs)):
        assert not FORBIDDEN & set(output), sorted(FORBIDDEN & set(output))
    assert "\\u202e" in raw_json
    assert "\\u009b" in raw_json
    # Escaped, not lost: the JSON reads back to the article's own text.
    data = json.loads(raw_json)
    # (The third line is no Markdown link, a destination may not hold ESC: its URLs are found as bare ones.)
    assert {occ["text"] for entry in data["urls"] for occ in entry["occurrences"]} == {text, ""}
    assert all(
        occ["file"].endswith(f"/{article.name}") for entry in data["urls"] for occ in entry["occurrences"]
    )
    extracted = json.loads(extract_runs[1][1])["links"]
    assert [link["text"] for link in extracted if link["kind"] == "link"] == [text] * 2
    assert [json.loads(line) for line in extract_runs[2][1].splitlines()] == extracted
