"""The store's tables, and the migrations that bring an older store up to them.

`PRAGMA user_version` is the number of migrations applied. A migration is appended, never edited: a store
written by an older linkaudit is brought forward on open, and one written by a newer linkaudit is refused
(it could hold what this version would misread).

Tables: `urls` (one row per distinct URL), `runs` (one per check run), `evidence` (compact evidence JSON,
kept once however many checks saw the same: most checks of a healthy URL repeat the last one), `checks`
(one per URL per run: when, the verdict and reason as judged then, the evidence, the archived copy when
a later stage knows it), and the extraction cache: `files` (each file's lines, as parsed) and
`extractions` (the template URLs of the last runs over a whole set of files, and where their lines are);
`archive_lookups` (the archived copy chosen for a URL and a citation date, and the drift measured).
The view `check_log` joins the checks for people who open the store with `sqlite3` (its `final_url` is
where the check ended: the URL itself when it answered without a redirect, NULL when nothing answered).
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

_V1 = """
CREATE TABLE urls (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,       -- Unix seconds, UTC ("now" as the run saw it: --now)
    version TEXT NOT NULL,             -- linkaudit's
    discarded TEXT                     -- why its checks were dropped (the network, not the links, failed)
);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,       -- of `body`: identical evidence is kept once
    status INTEGER,                    -- final HTTP status
    final_url TEXT,                    -- after redirects; NULL when the URL itself answered
    body TEXT NOT NULL                 -- compact JSON (linkaudit/store/evidence.py)
);
CREATE TABLE checks (
    id INTEGER PRIMARY KEY,
    url_id INTEGER NOT NULL REFERENCES urls (id),
    run_id INTEGER REFERENCES runs (id),
    checked_at INTEGER NOT NULL,       -- Unix seconds, UTC
    verdict TEXT NOT NULL,             -- as judged then; a reuse judges the evidence again
    reason TEXT NOT NULL,
    evidence_id INTEGER NOT NULL REFERENCES evidence (id),
    archive TEXT                       -- the archived copy, when known
);
CREATE INDEX checks_by_url ON checks (url_id, checked_at);
CREATE TABLE files (
    key TEXT PRIMARY KEY,              -- absolute path, display name, root (NUL-separated)
    extractor TEXT NOT NULL,           -- fingerprint of the extractor that wrote the entry
    stamp BLOB NOT NULL,               -- size, mtime, ctime, inode as read; sha256 of the bytes parsed
    keys TEXT NOT NULL,                -- the distinct target URLs of the lines
    n_ok INTEGER NOT NULL,
    line_keys BLOB NOT NULL,
    warning TEXT NOT NULL,             -- the file's warning (read with a flaw), said again each run
    lines BLOB NOT NULL                -- linkaudit.extract/1 JSON lines, all "template":false
);
CREATE TABLE marks (
    key TEXT PRIMARY KEY,              -- a file's, as in `files`
    flips BLOB NOT NULL                -- where its lines say "template":true, for one set of template URLs
);
CREATE TABLE extractions (
    manifest BLOB PRIMARY KEY,         -- digest of the files a run extracted, in order, and the extractor
    templates TEXT NOT NULL,           -- the template URLs of that run, one per line
    used INTEGER NOT NULL              -- Unix seconds
);
CREATE VIEW check_log AS
    SELECT urls.url, strftime('%Y-%m-%dT%H:%M:%SZ', checks.checked_at, 'unixepoch') AS checked_at,
           checks.verdict, checks.reason, evidence.status, evidence.final_url, checks.archive,
           evidence.body AS evidence, checks.run_id
    FROM checks JOIN urls ON urls.id = checks.url_id JOIN evidence ON evidence.id = checks.evidence_id;
"""

_V2 = """
DROP TABLE marks;
DELETE FROM extractions;
ALTER TABLE extractions ADD COLUMN marks BLOB NOT NULL DEFAULT x'';
"""

_V3 = """
CREATE TABLE archive_lookups (
    url_id INTEGER NOT NULL REFERENCES urls (id),
    archive_url TEXT NOT NULL,         -- the archive asked (--archive-url)
    cited_at TEXT NOT NULL,            -- YYYY-MM-DD: the date the copy was chosen for
    looked_up_at INTEGER NOT NULL,     -- Unix seconds
    body TEXT NOT NULL,                -- JSON: the copy chosen or none-found, and the drift measured
                                       -- against the copy, if any (linkaudit/store/archive.py)
    PRIMARY KEY (url_id, archive_url, cited_at)
) WITHOUT ROWID;
ALTER TABLE files ADD COLUMN stated TEXT NOT NULL DEFAULT '';  -- the date the file states ("": not read)
"""

_V4 = """
DROP VIEW check_log;
CREATE VIEW check_log AS
    SELECT urls.url, strftime('%Y-%m-%dT%H:%M:%SZ', checks.checked_at, 'unixepoch') AS checked_at,
           checks.verdict, checks.reason, evidence.status,
           CASE WHEN evidence.final_url IS NULL AND evidence.status IS NOT NULL THEN urls.url
                ELSE evidence.final_url END AS final_url,
           checks.archive, evidence.body AS evidence, checks.run_id
    FROM checks JOIN urls ON urls.id = checks.url_id JOIN evidence ON evidence.id = checks.evidence_id;
"""

#: Each entry takes the store from version i to i + 1. 2: where a run's template links are is kept with the
#: run (`extractions.marks`), not per file (table `marks`, dropped); the runs remembered are forgotten
#: (the next run finds their template links again). 3: archive lookups are kept (`archive_lookups`), so a
#: run within `--max-age` does not ask the archive again; each cached file keeps the citation date it
#: states (`files.stated`), so a warm run lists its articles without reading them. 4: `check_log.final_url`
#: is the URL itself when it answered without a redirect (the table keeps NULL then, so that one evidence
#: row serves every URL that answered alike); still NULL when nothing answered.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4)
SCHEMA_VERSION = len(MIGRATIONS)
