"""Dumps → posts: each input format read by its own reader, blocks typed, ids given, duplicates merged."""
