"""Kindred account archives: the export format, written and read back (docs/export-format.md)."""
