"""The pages' look: the plotly template and colours live in :mod:`core.theme` (the HTML report shares them)."""
from core.theme import (ENGINE_COLORS, ENGINE_COLORS_BY_LABEL, OTHER_COLORS, PALETTE, ROLE_COLORS,  # noqa: F401
                        TOKEN_COLORS, color_map)
