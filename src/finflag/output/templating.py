"""The Jinja2 environment every HTML page is rendered with (report pages, the promoter page, an app).

One environment, autoescaping on, templates from ``output/templates/``; in
its own module so that page modules can share it without importing each
other.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader


def sources_attr(item: dict[str, Any]) -> str:
    """``data-sources`` of a summary sentence: "start-end start-end" (read by summary.js)."""
    return " ".join(f"{a}-{b}" for a, b in item.get("sources", []))


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("finflag.output", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["sources_attr"] = sources_attr  # imported macros see globals, not render variables
    return env
