"""Execution traces in SQLite: record an emulated run, then replay, explain and query it.

`record.py` writes a trace (schema.sql) through the emulator's recorder hooks;
`tracedb.py` opens one and answers the basic questions (where was step N, who last
wrote X); `replay.py` rebuilds the machine at any step from a checkpoint; `why.py`
follows a value back to its origin; `diff.py` compares two traces; `show.py` renders.
"""
