"""The jinja environment with LaTeX-safe delimiters."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import jinja2


def template_env(styles: list[Path], cache: Optional[Path] = None) -> jinja2.Environment:
    """Jinja with delimiters that never occur in LaTeX: << var >>, <% block %>, <# comment #>; templates are
    looked up in `styles` in order (the book's own folder, then the shipped one)."""
    bytecode_cache = None
    if cache is not None:  # compiled templates kept between builds: compiling costs more than rendering
        cache.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(s) for s in styles]), bytecode_cache=bytecode_cache,
        variable_start_string="<<", variable_end_string=">>",
        block_start_string="<%", block_end_string="%>",
        comment_start_string="<#", comment_end_string="#>",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, undefined=jinja2.StrictUndefined,
    )
