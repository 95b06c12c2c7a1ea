# Two commands do all the set-up: `make pdf` and `make test` install what is
# missing (Debian packages, a .venv with the project) and then do their work.

PYTHON ?= python3
VENV   := .venv
BOOK   := $(VENV)/bin/book
CONFIG ?= book.yaml
BOOKFLAGS ?=

# Debian packages: TeX (XeLaTeX, ctex/xeCJK, makeindex), the LaTeX
# packages the styles load (texlive-science for mhchem, which a formula may use), CJK fonts, poppler for reading PDFs back, and
# epubcheck (with its Java runtime) for validating the EPUB, and chromium, whose MathML engine
# lays the EPUB's chapters out in a test: it sees what a reader's engine renders. HanaMin and
# Symbola are fallbacks for rare CJK characters (Extension B) and emoji. librsvg2-bin's rsvg-convert
# turns a figure's SVG image into PDF for XeLaTeX, which reads no SVG.
DEB_PACKAGES := texlive-xetex texlive-lang-chinese texlive-latex-recommended \
	texlive-latex-extra texlive-fonts-recommended texlive-science lmodern \
	fonts-noto-cjk fonts-hanazono fonts-symbola poppler-utils epubcheck default-jre-headless \
	chromium librsvg2-bin python3 python3-venv python3-pip

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deb-deps pdf epub chapters list test test-fast lint clean distclean

all: pdf

deps: deb-deps $(VENV)/.installed $(VENV)/.compiled

# Install only the Debian packages that are missing; a second run does nothing.
deb-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $@

# An editable install leaves the package uncompiled; where PYTHONDONTWRITEBYTECODE is set, every `book`
# command would compile it again (a tenth of a second). Compiled once here (stale files are just ignored).
$(VENV)/.compiled: $(VENV)/.installed $(wildcard builder/*.py builder/*/*.py)
	@$(VENV)/bin/python -m compileall -q builder
	@touch $@

pdf: deps
	$(BOOK) --config $(CONFIG) pdf $(BOOKFLAGS)

epub: deps
	$(BOOK) --config $(CONFIG) epub $(BOOKFLAGS)

chapters: deps
	$(BOOK) --config $(CONFIG) chapters $(BOOKFLAGS)

list: deps
	$(BOOK) --config $(CONFIG) list

# The whole suite: the fast one (no TeX, tests/unit) and the one that compiles (tests/build, marked `tex`).
test: deps lint
	$(VENV)/bin/python -m pytest -q $(PYTEST_ARGS)

# Under a minute: every test that starts no TeX (a test there that starts XeLaTeX fails).
test-fast: deps lint
	$(VENV)/bin/python -m pytest -q -m "not tex" $(PYTEST_ARGS)

# Imports one way between the stages (import-linter's contract), then ruff and mypy, all under pyproject.toml.
lint: deps
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check builder tests tools bench
	$(VENV)/bin/mypy

clean:
	-[ -x $(BOOK) ] && $(BOOK) --config $(CONFIG) clean
	rm -rf build chapters/*.tex

distclean: clean
	rm -rf $(VENV) *.egg-info
