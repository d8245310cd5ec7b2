"""Lakes: the workspace's data as Hive-partitioned Parquet, written on one machine or by Spark.

``layout`` says what a lake is on disk, ``write`` writes one from a workspace
(``appaccess export -o DIR``) and holds what the Spark writer shares with it, ``read``
opens one as an in-memory workspace (``--lake DIR``) in which the same SQL runs.
"""

from analyzer.lake.layout import CONFIG_TABLES, LAKE_VERSION, Manifest
from analyzer.lake.read import LakeScope, open_lake
from analyzer.lake.write import LakeWritten, write_lake

__all__ = ["CONFIG_TABLES", "LAKE_VERSION", "LakeScope", "LakeWritten", "Manifest", "open_lake", "write_lake"]
