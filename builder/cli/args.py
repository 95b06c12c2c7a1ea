"""The `book` command's arguments: every subcommand with its description, and shell completion made from them."""
from __future__ import annotations

import argparse
from pathlib import Path

from builder import __version__

# (name, one line for `book --help`, a paragraph for `book NAME --help`)
BUILDS = [
    ("pdf", "build build/book.pdf",
     "Build build/book.pdf with XeLaTeX: only what changed since the last build is redone."),
    ("epub", "build build/book.epub",
     "Build the EPUB 3 through pandoc: formulas as MathML (build/book.epub), or with --math images as images "
     "set by XeLaTeX, for readers without MathML such as Kindle and Kobo (build/book-images.epub)."),
    ("all", "build every output book.yaml lists",
     "Build every output listed under `outputs:` in book.yaml; with -j 2 side by side, each line prefixed "
     "with its output."),
    ("volumes", "build build/volumes/<key>.pdf, one PDF per volume",
     "Build one PDF per volume book.yaml's `volumes` sets (build/volumes/<key>.pdf; all, or the KEYs given), each "
     "a whole book of its parts, chapters numbered as in build/book.pdf; with -j N, N volumes side by side. A "
     "citation of a chapter in another volume links to that volume's PDF when it is built too, else to the post "
     "on the blog."),
    ("chapters", "write chapters/*.tex and build/tex/book.tex only",
     "Render the chapters and the assembly file without running TeX."),
    ("watch", "rebuild on every change to the dumps, book.yaml, styles/ or images/",
     "Build every output, then again on every change to the dumps, book.yaml, styles/ or images/; Ctrl-C "
     "stops."),
]

OTHERS = [
    ("preview", "one chapter's pages, numbered as in the book, in a second",
     "Write build/preview.pdf: the chapter of post ID (or of the post at dump:line) alone, its pages, equation "
     "numbers and links to other chapters as in the full book (from the last `book pdf`), in one XeLaTeX pass "
     "of a one-chapter document, whatever the book's size. With --watch, again on every save of its dump."),
    ("init", "make a new book: book.yaml, excerpts/", "Make a new book in DIR (default: the current folder): a "
     "book.yaml that lists every setting with its default and meaning, an excerpts/ folder for the dumps, and "
     "book.schema.json for editors. Never overwrites a book.yaml."),
    ("list", "print every post: id, series, date, title, source file:line",
     "Print every post of the book: id, series, date, title and where it was read (file:line); with "
     "--figures every figure and where an image for it goes, with --json every post as JSON."),
    ("check", "check that build/book.pdf holds every post's Chinese text",
     "Read build/book.pdf back and check that every post's Chinese text is in it, in order."),
    ("clean", "remove build/ and the generated chapters", "Remove build/ and the chapter files the tool wrote."),
    ("config", "print the settings in effect", "Print the settings in effect (book.yaml over the defaults); with "
     "--defaults, every setting with its default and what it does."),
    ("schema", "print the JSON Schema of book.yaml, for editors",
     "Print the JSON Schema of book.yaml (draft 2020-12): editors that read `# yaml-language-server: $schema=…` "
     "complete and check keys with it. `book init` writes it beside a new book.yaml."),
    ("completion", "print a shell completion script (bash or zsh)",
     "Print a completion script: `source <(book completion bash)`, or for zsh `source <(book completion zsh)`."),
]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="book", description="Compile scraped blog dumps into a typeset book.")
    config_help = "the book's book.yaml (default: book.yaml here or in the nearest folder above)"
    p.add_argument("--config", "-c", default=None, help=config_help)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="target", metavar="TARGET")
    for name, help_text, description in BUILDS + OTHERS:
        t = sub.add_parser(name, help=help_text, description=description)
        if name not in ("init", "completion", "schema"):  # accepted after the subcommand too, as users type it
            t.add_argument("--config", "-c", default=argparse.SUPPRESS, help=config_help)
        if name in {b[0]: b for b in BUILDS}:
            t.add_argument("--strict", action="store_true", help="warnings fail the build (also those of an "
                                                                  "up-to-date build, which are said again)")
            t.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
            t.add_argument("-B", "--always-make", action="store_true", help="redo everything, TeX from scratch")
            t.add_argument("-n", "--dry-run", action="store_true",
                           help="say what would be redone and why; change nothing")
            t.add_argument("-j", "--jobs", type=int, default=1,
                           help="outputs or volumes built side by side (`all`, `volumes`, `watch`)")
            t.add_argument("--tex-timeout", type=float, default=None, metavar="SECONDS",
                           help="seconds one TeX pass or pandoc run may take (default: 60, plus 60 per MB of input)")
        if name == "volumes":
            t.add_argument("keys", nargs="*", metavar="KEY", help="the volumes to build (default: all)")
        if name == "preview":
            t.add_argument("post", metavar="ID", help="a post id, or dump:line (as `book list` prints them)")
            t.add_argument("--watch", action="store_true", help="preview again on every save of the post's dump")
            t.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
            t.add_argument("--tex-timeout", type=float, default=None, metavar="SECONDS",
                           help="seconds the TeX pass may take (default: 120)")
        if name == "epub":
            t.add_argument("--math", choices=("mathml", "images"), default="mathml",
                           help="formulas as MathML (build/book.epub) or as images set by XeLaTeX "
                                "(build/book-images.epub)")
        elif name == "clean":
            t.add_argument("-n", "--dry-run", action="store_true", help="say what would be removed; remove nothing")
            t.add_argument("-q", "--quiet", action="store_true", help="say nothing")
        elif name == "list":
            t.add_argument("--strict", action="store_true", help="warnings fail (exit 1)")
            shown = t.add_mutually_exclusive_group()
            shown.add_argument("--links", action="store_true", help="print the links between posts instead")
            shown.add_argument("--figures", action="store_true",
                               help="print every figure: post, n, the image that fills it (or -), where an image "
                                    "for it goes (images/<post id>/<n>.png), its caption")
            shown.add_argument("--json", action="store_true",
                               help="print every post as JSON: id, title, series, date, sources, figures")
        elif name == "config":
            t.add_argument("--defaults", action="store_true", help="every setting, its default and what it does")
        elif name == "init":
            t.add_argument("dir", nargs="?", default=".", type=Path, help="the new book's folder (default: here)")
        elif name == "completion":
            t.add_argument("shell", choices=("bash", "zsh"))
    return p


def completion(shell: str) -> str:
    """A completion script for `book`: subcommands, then each one's options (files for --config and init)."""
    p = parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    names = " ".join(sub.choices)
    cases = "\n".join(
        f"    {name}) opts=\"{' '.join(o for a in t._actions for o in a.option_strings)}\" ;;"
        for name, t in sub.choices.items())
    body = f"""_book() {{
  local cur prev cmd opts i
  cur="${{COMP_WORDS[COMP_CWORD]}}"; prev="${{COMP_WORDS[COMP_CWORD-1]}}"; cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${{COMP_WORDS[i]}}" in
      -*) ;;
      *) if [[ "${{COMP_WORDS[i-1]}}" != --config && "${{COMP_WORDS[i-1]}}" != -c ]]; then
           cmd="${{COMP_WORDS[i]}}"; break
         fi ;;
    esac
  done
  if [[ "$prev" == --config || "$prev" == -c ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
  if [[ -z "$cmd" ]]; then COMPREPLY=($(compgen -W "{names} --config --version --help" -- "$cur")); return; fi
  case "$cmd" in
{cases}
  esac
  case "$cmd" in
    init) [[ "$cur" != -* ]] && {{ COMPREPLY=($(compgen -d -- "$cur")); return; }} ;;
    completion) [[ "$cur" != -* ]] && {{ COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return; }} ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}}
"""
    if shell == "bash":
        return body + "complete -F _book book\n"
    return "autoload -U +X bashcompinit && bashcompinit\n" + body + "complete -F _book book\n"
