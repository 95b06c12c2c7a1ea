"""The `book` command: its arguments, its targets, and `book init`."""
