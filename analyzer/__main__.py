"""``python -m analyzer`` is the same as the ``appaccess`` command."""

from analyzer.cli import main

main()
