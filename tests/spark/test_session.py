"""Why Spark cannot run is one line, and the master comes from where a user would expect it."""

from __future__ import annotations

import shutil

import pytest

from analyzer.spark import session


def test_no_java_is_one_line_saying_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    reason = session.unavailable()
    assert reason is not None and "Java runtime" in reason and "\n" not in reason
    with pytest.raises(session.SparkUnavailableError, match="Java runtime"):
        session.session("local[1]")


def test_the_master_comes_from_spark_master_then_spark_submit_then_local(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPARK_MASTER", "PYSPARK_GATEWAY_PORT", "SPARK_ENV_LOADED"):
        monkeypatch.delenv(name, raising=False)
    assert session.default_master() == "local[*]"
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "40000")  # under spark-submit: its --master rules
    assert session.default_master() is None
    monkeypatch.setenv("SPARK_MASTER", "spark://head:7077")
    assert session.default_master() == "spark://head:7077"
