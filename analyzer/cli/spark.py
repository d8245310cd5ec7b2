"""``appaccess spark ingest|simulate|script``: the same ingest and what-if on Apache Spark, into and over lakes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli import app
from analyzer.cli.data import Partition
from analyzer.cli.ingest import _parse_fields, _summary
from analyzer.cli.options import AppTyper, Format, Strict, Until, output_format, say, warn
from analyzer.cli.options import Since as SinceOption
from analyzer.cli.reports import REPORT_FORMATS, Mode, _fail_on, show_simulation
from analyzer.cli.times import parse_window
from analyzer.errors import InputFileError, UsageError
from analyzer.output import OutputFormat, check_writable, plural

spark_app = AppTyper(help="Run ingest and what-if on Apache Spark, into and over lakes (pip install "
                          "'appaccess[spark]'; needs Java 17+).")
app.add_typer(spark_app, name="spark")

Master = Annotated[str | None, typer.Option(
    "--master", help="Spark master URL (local[4], yarn, spark://HOST:7077, k8s://...). Default: what "
                     "spark-submit or $SPARK_MASTER provide, else local[*].", metavar="URL", show_default=False)]
LakeDir = Annotated[str, typer.Option(
    "--lake", help="The lake directory: a local path or a URI Spark writes (s3a://, hdfs://, abfss://...).",
    metavar="DIR", show_default=False)]


def _spark(master: str | None) -> object:
    from analyzer.spark.session import session

    return session(master)


@spark_app.command("ingest")
def spark_ingest_command(
    paths: Annotated[list[str], typer.Argument(
        help="Log files, directories or quoted globs: local paths or URIs (s3a://bucket/logs/, hdfs://..., "
             "file://...). gzip, zstd, bzip2 and xz are read directly.", metavar="PATH", show_default=False)],
    lake: LakeDir,
    apps: Annotated[Path | None, typer.Option("--apps", help="apps.yaml: how to recognise your apps.",
                                              metavar="FILE", dir_okay=False, show_default=False)] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="rules.yaml: the policies in force.",
                                               metavar="FILE", dir_okay=False, show_default=False)] = None,
    inventory: Annotated[list[Path] | None, typer.Option(
        "--inventory", help="Inventory files as `inventory load` takes them (sites.csv, spaces.csv, content.csv, "
                            "saved API JSON). Repeatable.", metavar="FILE", dir_okay=False,
        show_default=False)] = None,
    config_db: Annotated[Path | None, typer.Option(
        "--config-db", help="Take the apps, inventory and policies of this workspace (e.g. one filled by "
                            "`inventory fetch`); --apps, --inventory and --rules add to or replace them.",
        metavar="FILE", dir_okay=False, show_default=False)] = None,
    input_format: Annotated[str, typer.Option(
        "--input-format", "-i", help="Format of the logs, or auto to detect it per file (see `appaccess formats`).",
        metavar="NAME")] = "auto",
    field: Annotated[list[str] | None, typer.Option(
        "--field", help="Map a canonical field to a source field, as for `ingest`: CANONICAL=SOURCE (repeatable).",
        metavar="CANONICAL=SOURCE")] = None,
    layout: Annotated[str | None, typer.Option(
        "--log-format", help="A custom line layout for every file, as for `ingest`.", metavar="LAYOUT",
        show_default=False)] = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", help="IANA time zone of logs that write local times without an offset (default UTC).",
        metavar="ZONE", show_default=False)] = None,
    redact_pii: Annotated[bool, typer.Option(
        "--redact-pii", help="Store salted hashes instead of e-mail addresses and account ids (the salt is not "
                             "kept).")] = False,
    partition_by: Annotated[list[Partition] | None, typer.Option(
        "--partition-by", help="requests/ by day (always), and by site too with --partition-by site (as for "
                               "`export -o DIR`).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the lake if it exists.")] = False,
    task_mb: Annotated[int, typer.Option(
        "--task-mb", help="Input megabytes per Spark task at most (files are never split: a bigger file is one "
                          "task).", min=1, metavar="MB")] = 128,
    master: Master = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-file summary (warnings still show).")] = False,
) -> None:
    """Ingest logs on Spark into a lake: each task runs the same ingest as `appaccess ingest`.

    Writes DIR/requests/ (one row per request with its decision, Hive-partitioned by day),
    keys/, rejects/, files/, config/ and manifest.json; `--lake DIR` on report, simulate,
    suggest and sql reads it, and `spark simulate` replays it on Spark. Exit code 3 when
    files were skipped (not logs, empty), as for `ingest`.

    \b
    Examples:
      appaccess spark ingest /var/log/nginx/ --lake lake/ --apps apps.yaml --rules rules.yaml
      spark-submit --master yarn "$(appaccess spark script)" ingest s3a://logs/2026/09/ \\
          --lake s3a://audit/lake/ --apps apps.yaml --rules rules.yaml --inventory spaces.csv
    """
    from analyzer.ingest import IngestOptions
    from analyzer.spark.ingest import Configuration, spark_ingest

    options = IngestOptions(format=input_format, fields=_parse_fields(field or []), log_format=layout,
                            redact_pii=redact_pii, timezone=timezone)
    config = Configuration(apps, rules, tuple(inventory or ()), config_db)
    result = spark_ingest(_spark(master), paths, lake, options, config,
                          partition_by=tuple(p.value for p in partition_by or ()), overwrite=overwrite,
                          max_task_bytes=task_mb << 20)
    for warning in result.warnings:
        warn(warning)
    if not quiet:
        _summary(result.ingest)
    say(f"wrote the lake {result.lake}: {plural(result.requests, 'request')} ({plural(result.keys, 'key')}), "
        f"requests/ by {', '.join(result.partition_by)}; {plural(result.tasks, 'task')} in {result.seconds:.1f}s")
    if result.ingest.skipped_files:
        raise InputFileError(f"{plural(len(result.ingest.skipped_files), 'file')} skipped",
                             hint="see the lines above")


@spark_app.command("simulate")
def spark_simulate_command(
    proposed: Annotated[Path, typer.Argument(help="Proposed policies, in the rules.yaml format.", dir_okay=False,
                                             metavar="PROPOSED.yaml")],
    lake: LakeDir,
    mode: Annotated[Mode, typer.Option("--mode", help="replace: the proposal instead of the active rules; "
                                                      "add: on top of them.")] = Mode.replace,
    since: SinceOption = None, until: Until = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit with code 6 when the proposal has changes of these classes (as for `simulate`).",
        metavar="CLASSES", show_default=False)] = None,
    fmt: Format = None,
    out: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to FILE: .md (a summary for a pull request), or the changes by app and "
                               "space as .csv .json .jsonl .parquet .txt.", metavar="FILE", dir_okay=False,
        show_default=False)] = None,
    strict: Strict = False,
    master: Master = None,
) -> None:
    """What would a proposed rule have blocked, over a lake too large for one machine?

    Decides the lake's keys under the proposal on the driver (the same SQL as `simulate`),
    then replays the requests on Spark; prints what `simulate --lake DIR` prints.

    \b
    Examples:
      appaccess spark simulate proposed.yaml --lake lake/ --since 2026-09-01
      spark-submit "$(appaccess spark script)" simulate rules.yaml --lake s3a://audit/lake/ -f markdown
    """
    from analyzer.spark.simulate import spark_simulate
    from analyzer.whatif import Window

    start, end = parse_window(since, until)
    classes = _fail_on(fail_on)
    chosen = output_format(fmt, out, REPORT_FORMATS)
    if chosen is OutputFormat.html:
        raise UsageError("spark simulate writes no HTML report",
                         hint="use `appaccess simulate PROPOSED.yaml --lake DIR -o report.html` on one machine")
    check_writable(out)
    sim = spark_simulate(_spark(master), lake, proposed, mode=mode.value, window=Window(start, end), strict=strict)
    show_simulation(sim, proposed, chosen, fmt, out, None, classes)


@spark_app.command("script")
def spark_script_command() -> None:
    """Print the path of the entry script for spark-submit (it takes the `spark` commands' arguments).

    Example: spark-submit --master yarn "$(appaccess spark script)" ingest s3a://logs/ --lake s3a://lake/
    """
    import importlib.util

    spec = importlib.util.find_spec("analyzer.spark.submit")  # located, not imported: it runs the CLI
    assert spec is not None and spec.origin is not None
    typer.echo(spec.origin)
