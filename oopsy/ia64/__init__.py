"""Everything IA-64 as pure functions of bits and bytes (no I/O).

Used by both the report decoder and the emulator.
"""
