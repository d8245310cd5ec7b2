"""Connectors at the edge: fetch what the workspace needs from remote systems.

Each connector talks to one remote API and writes into the workspace tables that a
hand-written file would otherwise fill (the inventory), plus its own state tables.
Nothing below this package knows that a network exists.
"""
