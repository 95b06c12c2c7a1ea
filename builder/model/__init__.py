"""The typed book model: posts made of blocks, their formulas and places, the book of parts; the only data
passed between stages."""
