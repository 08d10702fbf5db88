"""Fonts shipped with the project (``data/fonts``), so PDFs look the same on every machine without a system package.

DejaVu Sans (regular and bold) as Debian's fonts-dejavu-core ships it; its licence (Bitstream Vera's, which allows
redistribution) and authors are in ``data/fonts/LICENSE`` and ``data/fonts/AUTHORS``.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
SANS_REGULAR = FONT_DIR / "DejaVuSans.ttf"
SANS_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
