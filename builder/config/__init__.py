"""book.yaml → a typed Config: its settings, how they are read and checked, and what they document."""
from builder.config.loading import load
from builder.config.problems import ConfigError, located
from builder.config.settings import (
                                     BlogConfig,
                                     Config,
                                     FontsConfig,
                                     PaperSize,
                                     PostOverride,
                                     SeriesConfig,
                                     VolumeConfig,
                                     inside_book,
                                     source_files,
)

__all__ = ["BlogConfig", "Config", "ConfigError", "FontsConfig", "PaperSize", "PostOverride", "SeriesConfig",
           "VolumeConfig", "inside_book", "load", "located", "source_files"]
