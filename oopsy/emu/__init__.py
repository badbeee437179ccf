"""The IA-64 machine: memory, architectural state with a real RSE, ELF loading."""
