"""Regenerate builder/mathtex/mathjax_table.json: MathJax 3's TeX dialect, and what LaTeX here makes of it.

    python tools/mathjax_table.py [--mathjax node_modules/mathjax-full]

1. MathJax itself (tools/mathjax_table.js, under Node) lists every command and environment of the packages
   the blog can use, with the shortest argument pattern it accepts for each (found by trial parses).
2. Each sample goes through this book's own formula parser and LaTeX renderer, and all of them are typeset
   in one XeLaTeX run with the book's preamble: a command whose sample TeX rejects is recorded with TeX's
   error, and the book shows formulas that use it as source.
Needs node and npm (only here: the build never runs MathJax) and TeX (`make deps`).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TABLE = ROOT / "builder" / "mathtex" / "mathjax_table.json"
MATHJAX = "mathjax-full@3.2.2"
WORKDIR = None

# Where MathJax's shortest sample means nothing to LaTeX (a colour named `x`, a length `x`), a sample
# that means the same to both.
SAMPLES = {
    "color": r"\color{red}x", "textcolor": r"\textcolor{red}{x}", "colorbox": r"\colorbox{red}{x}",
    "fcolorbox": r"\fcolorbox{red}{blue}{x}", "hspace": r"a\hspace{1em}b", "kern": r"a\kern1em b",
    "mkern": r"a\mkern3mu b", "mskip": r"a\mskip3mu b", "hskip": r"a\hskip1em b", "mspace": r"a\mspace{3mu}b",
    "raise": r"\raise1pt\hbox{x}", "lower": r"\lower1pt\hbox{x}", "moveleft": r"\moveleft1pt\hbox{x}",
    "moveright": r"\moveright1pt\hbox{x}", "rule": r"\rule{1em}{1pt}", "Rule": r"\Rule{1em}{1pt}{1pt}",
    "Space": r"\Space{1em}{1pt}{1pt}", "tag": r"x\tag{1}", "label": r"x\label{a}", "eqref": r"\eqref{a}",
    "ref": r"\ref{a}", "not": r"\not=", "left": r"\left(x\right)", "right": r"\left(x\right)",
    "middle": r"\left(x\middle|y\right)", "over": r"{a\over b}", "atop": r"{a\atop b}", "choose": r"{a\choose b}",
    "brace": r"{a\brace b}", "brack": r"{a\brack b}", "above": r"{a\above 1pt b}",
    "overwithdelims": r"{a\overwithdelims() b}", "atopwithdelims": r"{a\atopwithdelims() b}",
    "abovewithdelims": r"{a\abovewithdelims()1pt b}", "root": r"\root 3\of{x}", "of": r"\root 3\of{x}",
    "uproot": r"\sqrt[\uproot{2}3]{x}", "leftroot": r"\sqrt[\leftroot{2}3]{x}", "buildrel": r"\buildrel a\over b",
    "genfrac": r"\genfrac(){0pt}{0}{a}{b}", "limits": r"\sum\limits_a^b", "nolimits": r"\sum\nolimits_a^b",
    "displaylimits": r"\sum\displaylimits_a^b", "cancelto": r"\cancelto{0}{x}", "sideset": r"\sideset{_a}{^b}\sum",
    "mathchoice": r"\mathchoice{a}{b}{c}{d}", "nonumber": r"x\nonumber", "notag": r"x\notag",
    "shoveleft": None, "shoveright": None, "intertext": None, "unicode": r"\unicode{x263A}",
    "bbox": r"\bbox[yellow]{x}", "enclose": r"\enclose{circle}{x}", "href": r"\href{https://example.org}{x}",
    "class": r"\class{c}{x}", "style": r"\style{color:red}{x}", "cssId": r"\cssId{i}{x}",
    "toggle": r"\toggle{a}{b}\endtoggle", "mathtip": r"\mathtip{x}{tip}", "texttip": r"\texttip{x}{tip}",
    "cr": None, "newline": None, "hline": None, "hdashline": None, "cline": None, "multicolumn": None,
    "xrightarrow": r"\xrightarrow{x}", "xleftarrow": r"\xleftarrow{x}", "ce": r"\ce{H2O}", "pu": r"\pu{1 m}",
    "adjustlimits": r"\adjustlimits\lim_{a}\sup_{b}", "skew": r"\skew{6}{\hat}{A}",
    "MoveEqLeft": None, "vdotswithin": None, "shortvdotswithin": None, "newcommand": None, "renewcommand": None,
    "def": None, "let": None, "require": None, "begin": None, "end": None, "verb": None, "mmlToken": None,
}
# Commands that only mean something inside an array, an align or a multline: sampled there.
ARRAY_ONLY = {"hline": r"\hline", "hdashline": r"\hdashline", "cline": r"\cline{1-2}",
              "multicolumn": r"\multicolumn{2}{c}{x}", "cr": r"\cr", "newline": r"\newline"}
ALIGN_ONLY = {"intertext": r"\intertext{x}", "shortintertext": r"\shortintertext{x}", "Aboxed": r"\Aboxed{x&=y}",
              "MoveEqLeft": r"\MoveEqLeft x&=y", "vdotswithin": r"&\vdotswithin{=}",
              "shortvdotswithin": r"\shortvdotswithin{=}"}
# Environments whose MathJax sample has the wrong shape for LaTeX (no column spec, `&` in a gather).
ENV_SAMPLES = {"array": r"\begin{array}{cc} a & b \\ c & d \end{array}",
               "subarray": r"\begin{subarray}{c} a \\ b \end{subarray}",
               "crampedsubarray": r"\begin{crampedsubarray}{c} a \\ b \end{crampedsubarray}",
               "split": r"\begin{split} a &= b \\ c &= d \end{split}"}
ENV_DISPLAY = {"split"}  # only inside a display (the book sets a display without its own environment in one)
MULTLINE_ONLY = {"shoveleft": r"\shoveleft{x}", "shoveright": r"\shoveright{x}"}


def mathjax_dump(mathjax: Path) -> dict:
    out = subprocess.run(["node", str(ROOT / "tools" / "mathjax_table.js"), str(mathjax)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def mathjax_colors(mathjax: Path) -> dict[str, str]:
    script = ("const c = require(process.argv[1] + '/js/input/tex/color/ColorConstants.js').COLORS;"
              "process.stdout.write(JSON.stringify(Object.fromEntries(c)))")
    out = subprocess.run(["node", "-e", script, str(mathjax)], check=True, capture_output=True, text=True).stdout
    return {k: v.lstrip("#").upper() for k, v in json.loads(out).items()}


def css_colors() -> dict[str, str]:
    """The CSS named colours (SVG 1.1 = CSS 3), from xcolor's svgnam.def, lower-case as CSS compares them."""
    path = subprocess.run(["kpsewhich", "svgnam.def"], check=True, capture_output=True, text=True).stdout.strip()
    text = Path(path).read_text(encoding="latin-1")
    colors = {}
    for name, r, g, b in re.findall(r"([A-Za-z]+),([\d.]+),([\d.]+),([\d.]+)", text):
        colors[name.lower()] = "".join(f"{round(float(v) * 255):02X}" for v in (r, g, b))
    return colors


def build_table(raw: dict, mathjax: Path) -> dict:
    commands = {}
    for name, rec in raw["commands"].items():
        entry = {"package": rec["package"]}
        if "char" in rec:
            entry["char"] = rec["char"]
        sample = SAMPLES.get(name, rec.get("sample"))
        if name in ARRAY_ONLY:
            entry["sample"], entry["context"] = ARRAY_ONLY[name], "array"
        elif name in ALIGN_ONLY:
            entry["sample"], entry["context"] = ALIGN_ONLY[name], "align"
        elif name in MULTLINE_ONLY:
            entry["sample"], entry["context"] = MULTLINE_ONLY[name], "multline"
        elif sample:
            entry["sample"] = sample
            entry["context"] = rec.get("context", "inline") if name not in SAMPLES else "inline"
        commands[name] = entry
    delim_chars = sorted(k for k in raw["delimiters"] if not (k.startswith("\\") and len(k) > 1))
    delim_commands = sorted(k[1:] for k in raw["delimiters"] if k.startswith("\\") and len(k) > 1)
    for name in delim_commands:  # \langle, \lmoustache: commands that are only delimiters
        if name not in commands:
            rec = raw["delimiters"]["\\" + name]
            commands[name] = {"package": rec["package"], "sample": rf"\left\{name} x\right.", "context": "inline",
                              **({"char": rec["char"]} if "char" in rec else {})}
    environments = {}
    for name, rec in raw["environments"].items():
        entry = {"package": rec["package"]}
        sample = ENV_SAMPLES.get(name) or rec.get("sample")
        if sample and re.search(r"\\begin\{[a-z]*gather", sample):
            sample = sample.replace("a & b", "a").replace("c & d", "c")
        if sample:
            entry["sample"] = sample
            entry["context"] = "display" if name in ENV_DISPLAY else rec.get("context", "inline")
        environments[name] = entry
    colors = {**css_colors(), **mathjax_colors(mathjax)}
    return {"mathjax": raw["mathjax"], "packages": raw["packages"], "generated_by": "python tools/mathjax_table.py",
            "commands": dict(sorted(commands.items())), "environments": dict(sorted(environments.items())),
            "delimiters": {"chars": sorted(delim_chars), "commands": sorted(delim_commands)},
            "colors": dict(sorted(colors.items())), "unicode": {}}


def sample_arguments(name: str, sample: str) -> int:
    """How many braced arguments follow the command in MathJax's sample (`\\frac{x}{y}`: 2)."""
    from builder.mathtex.lexer import (
        CS,
        OPEN,
        argument,
        optional_argument,
        skip_spaces,
        tokenize,
    )
    try:
        tokens = tokenize(sample)
    except ValueError:
        return 0
    at = next((k for k, t in enumerate(tokens) if t.kind == CS and t.text == name), None)
    if at is None:
        return 0
    i, count = at + 1, 0
    opt = optional_argument(tokens, i)
    if opt is not None:
        i = opt[1]
    while True:
        j = skip_spaces(tokens, i)
        if j >= len(tokens) or tokens[j].kind != OPEN:
            return count
        i, count = argument(tokens, j)[1], count + 1


def unicode_commands(table: dict) -> dict[str, str]:
    """A non-ASCII character -> the command MathJax prints it with (the shortest name LaTeX also has)."""
    best: dict[str, str] = {}
    for name, entry in table["commands"].items():
        ch = entry.get("char", "")
        if len(ch) != 1 or ch.isascii() or entry.get("tex_error") or not re.fullmatch(r"[A-Za-z]+", name):
            continue
        if ch not in best or (len(name), name) < (len(best[ch]), best[ch]):
            best[ch] = name
    return dict(sorted(best.items()))


CONTEXT_WRAP = {  # context -> (display?, the formula around the sample)
    "inline": (False, "%s"), "display": (True, "%s"),
    "array": (False, r"\begin{array}{cc}%s a & b\\ c & d\end{array}"),
    "align": (True, r"\begin{align*}a&=b \\ %s \\ c&=d\end{align*}"),
    "multline": (True, r"\begin{multline*}a\\ %s \\ b\end{multline*}"),
    "delimited": (False, r"\left(x %s y\right)"), "after-operator": (False, r"\sum%s_a^b"),
    "numerator": (False, "{a %s b}"),
}


def tex_check(table: dict) -> None:
    """Typeset every sample as the book would render it; record TeX's error for those it rejects."""
    from builder.config.settings import Config
    from builder.config.styles import style_dirs
    from builder.mathtex import dialect, formula, latex
    from builder.render.latex.assembly import render_preamble
    from builder.tex.probe import ProbeItem, probe

    items, owners = [], {}
    for kind, entries in (("command", table["commands"]), ("environment", table["environments"])):
        for name, entry in entries.items():
            if not entry.get("sample"):
                continue
            display, wrap = CONTEXT_WRAP[entry["context"]]
            if kind == "environment" and dialect.display_environment(name):
                display = True  # align, equation, …: stand-alone displays
            f = formula.parse(wrap % entry["sample"], display, strict_tex=False)
            key = f"{kind}:{name}"
            if f.problem:
                entry["tex_error"] = f"not read: {f.problem}"
                continue
            tex = latex.inline(f, "t") if not f.display else latex.display(f, "t", "t:0")
            items.append(ProbeItem(key, tex, f.display))
            owners[key] = entry
    cfg = Config(root=ROOT)
    verdict = probe(render_preamble(cfg), items, style_dirs(cfg), timeout=600, workdir=WORKDIR)
    for item in items:
        entry = owners[item.key]
        if item.key in verdict:
            entry["tex_error"] = verdict[item.key]
        else:
            entry.pop("tex_error", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mathjax", type=Path, help="a node_modules/mathjax-full folder (default: npm installs one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mathjax = args.mathjax
        if mathjax is None:
            subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", tmp, MATHJAX],
                           check=True)
            mathjax = Path(tmp) / "node_modules" / "mathjax-full"
        table = build_table(mathjax_dump(mathjax.resolve()), mathjax.resolve())
    # The parser reads the table: write it once without TeX's verdicts, check, then write it whole.
    TABLE.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    tex_check(table)
    table["unicode"] = unicode_commands(table)
    for name, entry in table["commands"].items():
        if entry.get("sample") and sample_arguments(name, entry["sample"]):
            entry["args"] = sample_arguments(name, entry["sample"])
    TABLE.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    bad = sorted(k for k, v in table["commands"].items() if v.get("tex_error"))
    bad_env = sorted(k for k, v in table["environments"].items() if v.get("tex_error"))
    print(f"{len(table['commands'])} commands, {len(table['environments'])} environments from MathJax "
          f"{table['mathjax']}; TeX rejects {len(bad)} commands and {len(bad_env)} environments as rendered:")
    for k in bad:
        print(f"  \\{k}: {table['commands'][k]['tex_error']}")
    for k in bad_env:
        print(f"  {{{k}}}: {table['environments'][k]['tex_error']}")


if __name__ == "__main__":
    main()
