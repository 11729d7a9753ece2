"""Gugus: the integrated information system of the Gugus Tugas PP-TPPO."""
