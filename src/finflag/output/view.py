"""How single results are shown, shared by the per-result renderers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    """How single results are shown: with or without the findings (``summarize`` leaves them out)."""

    colour: bool = False
    findings: bool = True


def result_view(data: dict, view: View) -> dict:
    """The JSON object a command prints: ``summarize`` drops the rule layer's fields."""
    if view.findings:
        return data
    return {k: v for k, v in data.items() if k not in ("findings", "verdict", "suppressed", "rules")}
