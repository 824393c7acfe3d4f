"""The terminal view of one result: a header, each finding in its sentence, the summary."""

from __future__ import annotations

from typing import Any

import click

from ..summary.types import Summary
from .view import View

SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}
RISK_COLOUR = {"high": "red", "medium": "yellow", "low": "cyan", "none": "green"}
CONTEXT_CHARS = 60
CHECK_MARKS = {"pass": "ok      ", "repaired": "REPAIRED", "fail": "FAIL    "}  # a repair changed the text: say so


def split_context(finding: dict[str, Any]) -> tuple[str, str, str]:
    """The finding's sentence split around its quote, located by offset.

    By offset, not by searching: the quote may occur twice in its sentence
    (这只基金保本，另一只也保本) and the second finding must show the second.
    """
    context, quote = finding["context"], finding["quote"]
    start = finding.get("context_start", -1)
    at = finding["start"] - start if start is not None and start >= 0 else context.find(quote)
    if not 0 <= at <= len(context) - len(quote):
        return "", quote, ""
    return context[:at], quote, context[at + len(quote):]


def _trimmed(finding: dict[str, Any], limit: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    before, quote, after = split_context(finding)
    if len(before) > limit:
        before = "…" + before[-limit:]
    if len(after) > limit:
        after = after[:limit] + "…"
    return before.replace("\n", " "), quote, after.replace("\n", " ")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def findings_text(data: dict[str, Any], colour: bool = False) -> str:
    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if colour else text

    verdict = data["verdict"]
    risk = style(f"risk: {verdict['risk']}", fg=RISK_COLOUR[verdict["risk"]], bold=True)
    header = (f"{style(data['path'], bold=True)}  [{data['language']}, {data['encoding']}]  {risk}  "
              f"({plural(verdict['findings'], 'finding')}")
    if verdict.get("quoted"):
        header += f", {verdict['quoted']} quoted"
    header += f", {data['suppressed']} suppressed)" if data.get("suppressed") else ")"
    lines = [header] + [f"  warning: {w}" for w in data.get("warnings", [])]
    for f in data["findings"]:
        sev = style(f"{f['severity']:<7}", fg=SEVERITY_COLOUR[f["severity"]])
        before, quote, after = _trimmed(f)
        shown = (style(quote, fg=SEVERITY_COLOUR[f["severity"]], bold=True, underline=True) if colour
                 else f"«{quote}»")
        voice = "  (quoted: a warning repeats it, not the author's claim)" if f.get("voice") == "quoted" else ""
        lines.append(f"  {f['line']}:{f['column']}  {sev} {f['category']}  {f['message']}  [{f['rule_id']}]{voice}")
        lines.append(f"      {before}{shown}{after}")
        if f["gloss"]:
            lines.append(f"      = {f['gloss']}")
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    lines = [f"Machine-generated English summary ({summary.model}, {summary.backend}, "
             f"prompt {summary.prompt_version}); check it against the source:", ""]
    if summary.sentences or summary.claims:  # each sentence translated from the source at line:column
        lines += [f"  [{summary.where(s)}] {s['text']}" for s in summary.sentences] or ["(no factual sentence)"]
        if summary.claims:
            lines += ["", "Claims of the author (not facts):"]
            lines += [f"  [{summary.where(c)}] {c['text']} ({c.get('category', '')})" for c in summary.claims]
    else:
        lines.append(summary.text or "(empty)")
    if summary.key_points:
        lines += ["", "Key points:"] + [f"  - {p}" for p in summary.key_points]
    if summary.tickers:
        lines += ["", "Tickers: " + ", ".join(summary.tickers)]
    lines += ["", "Checks:"]
    lines += [f"  {CHECK_MARKS.get(c.status, c.status)} {c.check}: {c.message}" for c in summary.checks]
    t = summary.timings
    if t:
        cached = f" ({t['prompt_cached_tokens']} reused from the cache)" if t.get("prompt_cached_tokens") else ""
        lines += ["", f"Model load {t.get('load_s')} s; {t.get('prompt_tokens')} prompt tokens{cached} at "
                      f"{t.get('prompt_tok_s')}/s, {t.get('gen_tokens')} generated at {t.get('gen_tok_s')}/s; "
                      f"{t.get('total_s')} s in all"]
    return "\n".join(lines)


def render_result(data: dict[str, Any], view: View) -> str:
    head = findings_text(data, view.colour) if view.findings else data["path"]
    if "summary" in data:
        head += "\n\n" + summary_text(Summary.from_dict(data["summary"]))
    return head


def render_error(data: dict[str, Any]) -> str | None:
    return None  # unreadable inputs are reported on stderr only
