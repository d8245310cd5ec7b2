"""The entry script for ``spark-submit``: the ``appaccess spark`` commands on a cluster.

``spark-submit [spark options] "$(appaccess spark script)" ingest|simulate ARGS...`` runs
``appaccess spark ingest|simulate ARGS...`` in the driver spark-submit starts, which then
takes its master, executors and Hadoop configuration from spark-submit. appaccess must be
installed on the driver and on every executor (``pip install 'appaccess[spark]'``, or a
packed virtual environment given with ``--archives``).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from analyzer.cli import app

    app(["spark", *(sys.argv[1:] if argv is None else argv)], prog_name="appaccess-spark")


if __name__ == "__main__":
    main()
