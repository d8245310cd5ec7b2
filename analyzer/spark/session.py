"""Getting a SparkSession, or one clear line saying why there is none.

pyspark is an optional dependency (``pip install 'appaccess[spark]'``) and Spark needs a Java
runtime; without either, the Spark commands fail with one line and the rest of appaccess works.
``--master`` defaults to what ``spark-submit`` or ``$SPARK_MASTER`` provide, else ``local[*]``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from typing import Any

from analyzer.errors import AnalyzerError


class SparkUnavailableError(AnalyzerError):
    """pyspark or a Java runtime is missing: the Spark commands cannot run here."""


def unavailable() -> str | None:
    """Why Spark cannot run in this environment, or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'appaccess[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and shutil.which("java") is None:
        return "Spark needs a Java runtime (17 or newer) and none was found (install one, or set JAVA_HOME)"
    return None


def default_master() -> str | None:
    """$SPARK_MASTER, else None under spark-submit (its --master rules), else local[*]."""
    if os.environ.get("SPARK_MASTER"):
        return os.environ["SPARK_MASTER"]
    if os.environ.get("PYSPARK_GATEWAY_PORT") or os.environ.get("SPARK_ENV_LOADED"):
        return None
    return "local[*]"


def session(master: str | None = None, app_name: str = "appaccess") -> Any:
    """The active SparkSession, or a new one on ``master`` (see :func:`default_master`)."""
    reason = unavailable()
    if reason is not None:
        raise SparkUnavailableError(reason)
    from pyspark.sql import SparkSession

    # Executors in local mode run this interpreter (with appaccess installed), not whatever `python3` is.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    chosen = master or default_master()
    if chosen is not None:
        builder = builder.master(chosen)
    # Spark's own progress bar (stages and tasks) on a terminal; nothing in logs and pipes.
    builder = (builder.config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
