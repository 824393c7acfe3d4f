"""Where finflag keeps what it can rebuild: assembled models, and the rule layer's regex analysis.

One place for every layer: ``FINFLAG_CACHE`` or the platform's user cache folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``FINFLAG_CACHE`` or the platform's user cache folder."""
    override = os.environ.get("FINFLAG_CACHE")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("finflag"))
