"""A timestamp no clock could have written is a reject with its reason, in every format, and no
stored value can crash a reader: every report, simulate, suggest, `query run` and export run on
a workspace that was fed year-0, negative-epoch and far-future lines of each timestamp kind."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from analyzer import Context
from analyzer.ingest import IngestOptions, TimeWindow
from analyzer.sql import user_queries
from analyzer.synth import FORMATTERS, SynthRequest, header_lines
from tests.conftest import Cli

SAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "sample_logs" / "config"
GOOD = dt.datetime(2026, 9, 11, 10, 0, 0)
#: Times no request of a log can have: before the epoch, before 1990, centuries ahead.
BAD = (dt.datetime(1969, 12, 31, 23, 0, 0), dt.datetime(1985, 5, 5, 5, 5, 5), dt.datetime(2999, 6, 1, 0, 0, 0),
       dt.datetime(9999, 6, 1, 0, 0, 0))
#: The spellings of issue 10: a year-0 NCSA time, a year-0 ISO time in JSON, a negative Squid epoch,
#: and an ALB / W3C year-0 ISO time.
YEAR_0 = {
    "combined": '10.0.0.1 - - [01/Jan/0000:00:00:00 +0000] "GET /wiki/api/v2/pages/1 HTTP/1.1" 200 5 "-" "x"',
    "json": json.dumps({"ts": "0000-01-01T00:00:00Z", "method": "GET", "url": "https://acme.atlassian.net/wiki/x",
                        "status": 200}),
    "squid": "-1788222225.164    477 10.0.0.1 TCP_MISS/200 66 GET https://acme.atlassian.net/wiki/api/v2/pages/1 - "
             "HIER_DIRECT/104.192.142.18 application/json",
    "alb": None,  # from the generator, its time replaced below
}


def _request(ts: dt.datetime) -> SynthRequest:
    return SynthRequest(ts, "GET", "https://acme.atlassian.net", "acme.atlassian.net",
                        "/wiki/rest/api/space/HR/content?limit=5", 200, 321, 12.0, "10.20.0.11",
                        "BackupPro/2.1 (+https://backup.example)", None, None, None)


def _file(fmt: str) -> tuple[str, int]:
    """The text of a ``fmt`` file: one good line, then one line per bad time; and its number of bad lines."""
    formatter = FORMATTERS[fmt]
    lines = [formatter(_request(GOOD)), *(formatter(_request(ts)) for ts in BAD)]
    if fmt in YEAR_0:
        year0 = YEAR_0[fmt] or formatter(_request(GOOD)).replace("2026-09-11T", "0000-01-01T")
        lines.append(year0)
    if fmt == "har":
        entries = ",".join(lines)
        return f'{{"log": {{"version": "1.2", "entries": [{entries}]}}}}', len(lines) - 1
    return "\n".join([*header_lines(fmt), *lines]) + "\n", len(lines) - 1


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("times")
    bad: dict[str, int] = {}
    paths = []
    for fmt in FORMATTERS:
        text, n_bad = _file(fmt)
        path = root / f"{fmt.replace(':', '-')}.{'har' if fmt == 'har' else 'log'}"
        path.write_text(text)
        bad[str(path)] = n_bad
        paths.append(path)
    db = root / "ws.duckdb"
    with Context(db) as ctx:
        for fmt, path in zip(FORMATTERS, paths, strict=True):  # named: most lines of a file are bad on purpose
            name = {"squid_mime": "squid", "iis_advanced": "w3c"}.get(fmt, fmt.split(":")[0])
            assert not ctx.ingest([path], IngestOptions(format=name)).skipped_files, fmt
        ctx.load_apps(SAMPLE_CONFIG / "apps.yaml")
        ctx.load_rules(SAMPLE_CONFIG / "rules.yaml")
    return db, bad


def test_every_format_rejects_impossible_times_with_the_reason(workspace: tuple[Path, dict[str, int]]) -> None:
    db, bad = workspace
    with Context(db, read_only=True) as ctx:
        files = {p: (stored, rejected) for p, stored, rejected in ctx.ws.con.execute(
            "SELECT path, rows_stored, rows_rejected FROM files").fetchall()}
        window_reasons = dict(ctx.ws.con.execute(
            "SELECT f.path, count(*) FROM rejects r JOIN files f USING (file_id) "
            "WHERE contains(reason, 'outside the accepted window') GROUP BY 1").fetchall())
        span = ctx.ws.con.execute("SELECT min(ts), max(ts) FROM requests").fetchall()[0]
    assert set(files) == set(bad)
    for path, n_bad in bad.items():
        assert files[path] == (1, n_bad), (path, files[path])  # the good line stored, every bad one rejected
        assert window_reasons.get(path, 0) >= 2, (path, window_reasons.get(path))  # parsed, then refused: said so
    assert GOOD - dt.timedelta(hours=3) <= span[0] <= span[1] <= GOOD + dt.timedelta(hours=3)  # local-time logs


def test_the_year_0_spellings_of_the_issue_are_rejected(workspace: tuple[Path, dict[str, int]]) -> None:
    db, _ = workspace
    with Context(db, read_only=True) as ctx:
        reasons = [r[0] for r in ctx.ws.con.execute(
            "SELECT reason FROM rejects r JOIN files f USING (file_id) WHERE f.format IN ('combined', 'json', "
            "'squid', 'alb') AND (reason LIKE '%(BC)%' OR reason LIKE '%1913-%')").fetchall()]
    assert len(reasons) >= 3, reasons


def _readers(db: Path, tmp_path: Path) -> list[tuple[object, ...]]:
    commands: list[tuple[object, ...]] = [
        ("status",), ("files",), ("rejects", "-n", "500"), ("rejects", "-f", "json"),
        ("sql", "SELECT * FROM requests", "-f", "csv"), ("sql", "SELECT * FROM decisions", "-f", "json"),
        ("simulate", SAMPLE_CONFIG / "proposed-rules.yaml"),
        ("simulate", SAMPLE_CONFIG / "proposed-rules.yaml", "-o", tmp_path / "sim.html"),
        ("simulate", SAMPLE_CONFIG / "proposed-rules.yaml", "-f", "markdown"),
        ("suggest", "--coverage", "spaces=HR"),
    ]
    for name in ("blocked", "apps", "anomalies"):
        commands += [("report", name), ("report", name, "-f", "csv"), ("report", name, "-f", "json"),
                     ("report", name, "-o", tmp_path / f"{name}.html")]
    commands += [("query", "run", q.name, "-f", "csv") for q in user_queries()]
    for what in ("decisions", "requests"):
        commands += [("export", "--what", what, "-o", tmp_path / f"{what}.{ext}")
                     for ext in ("parquet", "csv", "jsonl")]
    return commands


def test_every_reader_runs_on_what_was_stored(workspace: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    db, _ = workspace
    cli = Cli()
    for command in _readers(db, tmp_path):
        result = cli(*command, "--db", db)
        assert result.exit_code in (0, 6), (command, result.stderr)
        assert "error" not in result.stderr.lower(), (command, result.stderr)


def test_a_widened_window_keeps_old_times_and_every_reader_still_runs(tmp_path: Path) -> None:
    """The limits of any window (1900 .. 9000) are times every reader can show."""
    lines = [FORMATTERS["combined"](_request(ts)) for ts in (GOOD, dt.datetime(1900, 1, 1), dt.datetime(1969, 12, 31),
                                                           dt.datetime(8999, 12, 31, 23, 59, 59))]
    log = tmp_path / "old.log"
    log.write_text("\n".join(lines) + "\n")
    db = tmp_path / "ws.duckdb"
    window = TimeWindow.parse("1900-01-01..9000-01-01")
    with Context(db) as ctx:
        result = ctx.ingest([log], IngestOptions(time_window=window))
        assert (result.stored, result.rejected) == (4, 0)
        ctx.load_apps(SAMPLE_CONFIG / "apps.yaml")
        ctx.load_rules(SAMPLE_CONFIG / "rules.yaml")
    cli = Cli()
    for command in _readers(db, tmp_path):
        result = cli(*command, "--db", db)
        assert result.exit_code in (0, 6), (command, result.stderr)


def test_the_window_comes_from_the_flag_or_the_environment(cli: Cli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "a.log"
    log.write_text("\n".join(FORMATTERS["combined"](_request(ts)) for ts in (GOOD, dt.datetime(1985, 1, 1))) + "\n")

    def stored(db: str, *flags: str) -> int:
        result = cli("ingest", log, "--db", tmp_path / db, *flags)
        assert result.exit_code == 0, result.stderr
        with Context(tmp_path / db, read_only=True) as ctx:
            return ctx.ws.con.execute("SELECT count(*) FROM requests").fetchall()[0][0]

    assert stored("default.duckdb") == 1
    assert stored("flag.duckdb", "--time-window", "1980-01-01..") == 2
    monkeypatch.setenv("APPACCESS_TIME_WINDOW", "1980-01-01..2100-01-01")
    assert stored("env.duckdb") == 2
    assert stored("both.duckdb", "--time-window", "2020-01-01..") == 1  # the flag wins
    for bad, message in (("2030-01-01..2020-01-01", "is empty"), ("1800-01-01..", "reaches beyond"),
                         ("yesterday..", "not a date"), ("1990-01-01", "not FROM..TO")):
        result = cli("ingest", log, "--db", tmp_path / "bad.duckdb", "--time-window", bad)
        assert result.exit_code == 2 and message in result.stderr, (bad, result.stderr)
    monkeypatch.setenv("APPACCESS_TIME_WINDOW", "nonsense")
    result = cli("ingest", log, "--db", tmp_path / "bad.duckdb")
    assert result.exit_code == 2 and "APPACCESS_TIME_WINDOW" in result.stderr
