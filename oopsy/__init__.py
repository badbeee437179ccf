"""oopsy: a crash-analysis workbench for Linux kernel developers, IA-64 first."""

__version__ = "0.1.0"
