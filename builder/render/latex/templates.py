"""The jinja environment with LaTeX-safe delimiters."""
from __future__ import annotations

import functools
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment


def template_env(styles: list[Path]) -> jinja2.Environment:
    """Jinja with delimiters that never occur in LaTeX: << var >>, <% block %>, <# comment #>; templates are
    looked up in `styles` in order (the book's own folder, then the shipped one). Sandboxed: a book's own
    template cannot reach Python's internals. Compiled once per process and kept in memory, never on disk
    (compiled templates are code)."""
    return _environment(tuple(str(s) for s in styles))


@functools.cache
def _environment(styles: tuple[str, ...]) -> jinja2.Environment:
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(styles)),
        variable_start_string="<<", variable_end_string=">>",
        block_start_string="<%", block_end_string="%>",
        comment_start_string="<#", comment_end_string="#>",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, undefined=jinja2.StrictUndefined,
    )
