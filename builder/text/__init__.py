"""Text rules every stage shares: Chinese typography, numerals, pinyin."""
