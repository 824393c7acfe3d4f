"""One-line descriptions of YAML errors, for rule packs, allow-lists and label files.

PyYAML's own messages span several lines with a caret drawing; a user of
the command line gets one line with the position instead.
"""

from __future__ import annotations

import yaml


def describe(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return " ".join((f"{where}{problem}" + (f" ({context})" if context else "")).split())
