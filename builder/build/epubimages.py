"""build/book-images.epub: the EPUB with every formula an image set by XeLaTeX."""
from __future__ import annotations

from builder.build.epub import EpubOutput
from builder.build.options import BuildFailed, say
from builder.build.stamps import styles_digest
from builder.config.styles import style_dirs
from builder.render.epub.document import EpubRender
from builder.render.epub.images import ImageEpubRender
from builder.render.latex.assembly import render_preamble
from builder.tex.images import FormulaImages
from builder.tex.probe import ProbeFailed
from builder.util.hashing import digest, tool_digest


class ImageEpubOutput(EpubOutput):
    """build/book-images.epub: every formula a PNG with its TeX as alt text, for readers without MathML."""

    name = "epub-images"
    renderer = ImageEpubRender

    def finish(self, render: EpubRender) -> None:
        """Every formula the renderer left pending, set by XeLaTeX with the book's preamble (cached by content)."""
        assert isinstance(render, ImageEpubRender)
        cfg, opts = self.cfg, self.opts
        maker = FormulaImages(cfg.build_dir / "math-images", render_preamble(cfg), style_dirs(cfg),
                              digest(styles_digest(cfg), tool_digest()), cfg.root, opts.tex_timeout)
        keys = [maker.key(tex) for _, tex, _, _ in render.pending]
        if opts.dry_run:
            return
        try:
            images, rejected = maker.render(dict(zip(keys, (tex for _, tex, _, _ in render.pending))),
                                            lambda message: say(opts, message), fresh=opts.always_make)
        except ProbeFailed as exc:
            raise BuildFailed(str(exc)) from None
        render.fill([(images[k].path.read_bytes(), images[k].width, images[k].height, images[k].depth)
                     if k in images else rejected.get(k, "no image made") for k in keys])

    def formula_summary(self, render: EpubRender, mathml: int) -> str:
        assert isinstance(render, ImageEpubRender)
        return f"{len(render.emitted) + render.as_source} formulas, {render.images} as images"
