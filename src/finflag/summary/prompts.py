"""Loading the prompt files and filling their placeholders.

Prompts live as plain text in ``prompts/<version>/`` at the top of the
repository (installed into the package as ``finflag/prompt_files``); see
``prompts/README.md``. ``FINFLAG_PROMPTS`` points at another folder of
prompt versions for experiments.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

PROMPT_VERSION = "v3"
#: Every prompt the summarizer may use and the placeholders each may contain;
#: all are checked before a model is loaded. v1 (whole-post summaries) stays
#: in prompts/v1 for comparison; v2 translates selected, numbered sentences; v3 asks the
#: one-line retry as "Chinese: ... English:" (numbered, the model copied a short line back in Chinese).
PLACEHOLDERS = {
    "system": set(),
    "translate": {"names", "lines", "count"},
    "translate-strict": {"names", "lines", "count", "text"},
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class PromptError(RuntimeError):
    pass


def _roots(override: str | None) -> list[Path]:
    package = Path(__file__).resolve().parent.parent  # finflag/
    roots = [package / "prompt_files", package.parent.parent / "prompts"]
    return ([Path(override)] if override else []) + roots


def load(name: str, version: str = PROMPT_VERSION) -> str:
    """The prompt file's text; ``FINFLAG_PROMPTS`` names a folder searched first."""
    return _load(name, version, os.environ.get("FINFLAG_PROMPTS"))


@cache  # keyed on the override too: a changed FINFLAG_PROMPTS is never served stale prompts
def _load(name: str, version: str, override: str | None) -> str:
    for root in _roots(override):
        path = root / version / f"{name}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise PromptError(f"prompt {version}/{name}.txt not found in {', '.join(str(r) for r in _roots(override))}")


def fill(name: str, version: str = PROMPT_VERSION, **values: object) -> str:
    """The prompt ``name`` with each known ``{placeholder}`` replaced.

    Values are inserted once and never re-scanned, so article text with
    braces in it cannot break or inject placeholders.
    """
    template = load(name, version)
    missing = {m.group(1) for m in _PLACEHOLDER.finditer(template)} - set(values)
    if missing:
        raise PromptError(f"prompt {name}: no value for {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template).strip()


def check_all(version: str = PROMPT_VERSION) -> None:
    """Raise :class:`PromptError` now, not minutes later after a model load, for a missing
    prompt file or one with a placeholder finflag does not fill."""
    for name, allowed in PLACEHOLDERS.items():
        unknown = {m.group(1) for m in _PLACEHOLDER.finditer(load(name, version))} - allowed
        if unknown:
            raise PromptError(f"prompt {version}/{name}.txt has unknown placeholder(s) "
                              f"{', '.join('{' + u + '}' for u in sorted(unknown))}; it may use "
                              f"{', '.join('{' + a + '}' for a in sorted(allowed)) or 'none'}")
