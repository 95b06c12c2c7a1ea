"""Running TeX: the sandbox, the XeLaTeX passes, the spliced pass, formulas set alone, the log read back."""
