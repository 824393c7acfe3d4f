"""The Jinja2 environment every HTML page is rendered with (report pages, the promoter page, an app).

One environment, autoescaping on, templates from ``output/templates/``; in
its own module so that page modules can share it without importing each
other.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("finflag.output", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
