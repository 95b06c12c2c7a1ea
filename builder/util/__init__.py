"""Helpers below every stage: digests, atomic writes, child processes, progress lines, printable names."""
