"""Apache Spark as an engine at the edge: the same ingest and what-if on a cluster, into and over lakes.

Nothing here reimplements parsing, routing, attribution or decisions. ``ingest`` runs the
project's single-machine ingest inside each Spark task (``tasks``) and writes a lake;
``simulate`` decides a lake's keys with the workspace's decision SQL on the driver and runs
the what-if's own per-request SQL inside each task. pyspark is imported only when a Spark
command runs (``session``): it is an optional dependency (``appaccess[spark]``).
"""
