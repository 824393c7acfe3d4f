"""The HTML report: the main review surface, self-contained and offline.

``index.html`` lists every input with its risk and counts per category, a
bar chart of categories across the run, filters (category, severity,
review state) and a search box; ``posts/<name>.html`` shows one post: the
English summary and its checks, the findings table, and the original text
with every finding highlighted in place (hover shows the gloss) beside the
summary. No external scripts, fonts or stylesheets: it opens from a file on
an offline machine.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from ..batch import result_name
from ..cli.review import Decisions

#: For a category the default pack does not declare (results of a user pack).
OTHER_COLOUR = "#ddd"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans",sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#22313f;color:#fff;padding:12px 20px}header a{color:#cfe3ff}
main{padding:16px 20px}h1{font-size:20px;margin:0}h2{font-size:17px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}
th{background:#eef1f4}.risk-high{color:#b00020;font-weight:600}.risk-medium{color:#b35c00;font-weight:600}.risk-low{color:#555}.risk-none{color:#2e7d32}
.bar{display:flex;align-items:center;margin:2px 0;font-size:12px}.bar span.l{width:140px}.bar span.b{height:12px;display:inline-block;margin-right:6px}
.controls{margin:10px 0;display:flex;gap:8px;flex-wrap:wrap}.controls input{flex:1;min-width:200px}
.cols{display:flex;gap:16px;align-items:flex-start}.cols>div{flex:1;min-width:0}
.source{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:10px;line-height:1.7;font-size:15px}
mark{border-radius:3px;padding:0 1px;cursor:help}.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;background:#eee}
.b-confirmed{background:#ffd6d6}.b-dismissed{background:#d9f2d9}.b-unreviewed{background:#eee}
.ok{color:#2e7d32}.fail{color:#b00020;font-weight:600}.summary{background:#fff;border:1px solid #ddd;padding:10px}
.note{color:#666;font-size:12px}
"""
INDEX_JS = """
(function(){
 var rows=[].slice.call(document.querySelectorAll('#files tbody tr'));
 var q=document.getElementById('q'),c=document.getElementById('cat'),s=document.getElementById('sev'),r=document.getElementById('rev');
 function apply(){var t=q.value.toLowerCase();var shown=0;rows.forEach(function(tr){
  var ok=(!t||tr.getAttribute('data-text').toLowerCase().indexOf(t)>=0)
   &&(!c.value||tr.getAttribute('data-cats').split(' ').indexOf(c.value)>=0)
   &&(!s.value||tr.getAttribute('data-sevs').split(' ').indexOf(s.value)>=0)
   &&(!r.value||tr.getAttribute('data-review').split(' ').indexOf(r.value)>=0);
  tr.style.display=ok?'':'none';if(ok)shown++;});document.getElementById('shown').textContent=shown;}
 [q,c,s,r].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});apply();
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str, script: str = "", depth: int = 0) -> str:
    up = "../" * depth
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body><header><h1>{_e(title)}</h1>"
            f"<a href=\"{up}index.html\">all posts</a></header><main>{body}</main>"
            + (f"<script>{script}</script>" if script else "") + "</body></html>\n")


def _review_state(decisions: Decisions, finding: dict[str, Any]) -> str:
    return decisions.get(finding["id"]).get("decision", "unreviewed")


def highlight(text: str, findings: list[dict[str, Any]], colours: dict[str, str]) -> str:
    """The text as HTML with each finding wrapped in a <mark> at its offsets, coloured by category."""
    bounds = sorted({0, len(text), *[f["start"] for f in findings], *[f["end"] for f in findings]})
    out = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [f for f in findings if f["start"] <= a and b <= f["end"]]
        piece = _e(text[a:b])
        if covering:
            lead = covering[0]
            tip = " | ".join(f"{f['category']}: {f['gloss'] or f['message']}" for f in covering)
            ids = " ".join(f["id"] for f in covering)
            piece = (f'<mark class="hl" style="background:{colours.get(lead["category"], OTHER_COLOUR)}" '
                     f'data-finding="{_e(ids)}" data-start="{a}" data-end="{b}" title="{_e(tip)}">{piece}</mark>')
        out.append(piece)
    return "".join(out)


def _summary_html(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "<p class=\"note\">No summary in this run (--no-summary).</p>"
    checks = "".join(
        f"<li class=\"{'ok' if c['status'] == 'pass' else 'fail'}\">{_e(c['check'])}: {_e(c['message'])}</li>"
        for c in summary["checks"])
    points = "".join(f"<li>{_e(p)}</li>" for p in summary["key_points"])
    tickers = f"<p><b>Tickers:</b> {_e(', '.join(summary['tickers']))}</p>" if summary["tickers"] else ""
    return (f"<div class=\"summary\"><p class=\"note\">Machine-generated by {_e(summary['model'])} "
            f"({_e(summary['backend'])}, prompt {_e(summary['prompt_version'])}); check it against the source.</p>"
            f"<p id=\"summary-text\">{_e(summary['text'])}</p><ul>{points}</ul>{tickers}"
            f"<p><b>Checks</b></p><ul id=\"checks\">{checks}</ul></div>")


def post_page(result: dict[str, Any], decisions: Decisions, colours: dict[str, str]) -> str:
    findings = result["findings"]
    rows = "".join(
        f"<tr data-id=\"{_e(f['id'])}\"><td>{f['line']}:{f['column']}</td><td>{_e(f['severity'])}</td>"
        f"<td><span class=\"badge\" style=\"background:{colours.get(f['category'], OTHER_COLOUR)}\">"
        f"{_e(f['category'])}</span></td>"
        f"<td>{_e(f['quote'])}</td><td>{_e(f['gloss'])}</td><td>{_e(f['message'])}. {_e(f['explanation'])}</td>"
        f"<td><span class=\"badge b-{_review_state(decisions, f)}\">{_review_state(decisions, f)}</span>"
        f"{' ' + _e(decisions.get(f['id']).get('note', '')) if decisions.get(f['id']).get('note') else ''}</td></tr>"
        for f in findings)
    verdict = result["verdict"]
    body = (
        f"<p><span class=\"risk-{verdict['risk']}\">risk: {verdict['risk']}</span> · {verdict['findings']} findings · "
        f"language {_e(result.get('language'))} · encoding {_e(result.get('encoding'))}</p>"
        "<h2>English summary</h2>" + _summary_html(result.get("summary"))
        + "<h2>Findings</h2><table id=\"findings\"><thead><tr><th>Line</th><th>Severity</th><th>Category</th>"
          "<th>Quote</th><th>English</th><th>Why it matters</th><th>Review</th></tr></thead>"
          f"<tbody>{rows}</tbody></table>"
        + "<h2>Original text</h2><div class=\"cols\"><div><div class=\"source\" id=\"source\">"
        + highlight(result.get("text", ""), findings, colours) + "</div></div><div>"
        + _summary_html(result.get("summary")).replace('id="summary-text"', "").replace('id="checks"', "")
        + "</div></div>"
    )
    return _page(result["path"], body, depth=1)


def index_page(results: list[dict[str, Any]], decisions: Decisions, colours: dict[str, str]) -> str:
    """``colours``: category id -> colour, in the order the chart and the filter list them."""
    totals: Counter[str] = Counter()
    rows = []
    for r in results:
        if "error" in r:
            rows.append(f"<tr data-text=\"{_e(r['path'])}\" data-cats=\"\" data-sevs=\"\" data-review=\"\">"
                        f"<td>{_e(r['path'])}</td><td class=\"fail\">not read</td><td></td><td>{_e(r['error'])}</td></tr>")
            continue
        totals.update(r["verdict"]["by_category"])
        cats = " ".join(r["verdict"]["by_category"])
        sevs = " ".join({f["severity"] for f in r["findings"]})
        states = " ".join({_review_state(decisions, f) for f in r["findings"]})
        text = " ".join([r["path"]] + [f["quote"] + " " + f["gloss"] for f in r["findings"]]
                        + [r.get("summary", {}).get("text", "")])
        counts = ", ".join(f"{c} {n}" for c, n in r["verdict"]["by_category"].items())
        link = "posts/" + result_name(r["path"]).replace(".json", ".html")
        rows.append(f"<tr data-text=\"{_e(text)}\" data-cats=\"{cats}\" data-sevs=\"{sevs}\" data-review=\"{states}\">"
                    f"<td><a href=\"{_e(link)}\">{_e(r['path'])}</a></td>"
                    f"<td class=\"risk-{r['verdict']['risk']}\">{r['verdict']['risk']}</td>"
                    f"<td>{r['verdict']['findings']}</td><td>{_e(counts)}</td></tr>")
    peak = max(totals.values(), default=1)
    categories = [*colours, *(c for c in totals if c not in colours)]
    bars = "".join(
        f"<div class=\"bar\"><span class=\"l\">{c}</span><span class=\"b\" style=\"width:{int(300 * totals[c] / peak)}px;"
        f"background:{colours.get(c, OTHER_COLOUR)}\"></span>{totals[c]}</div>" for c in categories if totals.get(c))
    options = lambda values: "".join(f"<option value=\"{v}\">{v}</option>" for v in values)  # noqa: E731
    failed = sum(1 for r in results if "error" in r)
    body = (
        f"<p>{len(results)} inputs · {failed} not readable · {sum(totals.values())} findings</p>"
        f"<h2>Findings by category</h2><div id=\"chart\">{bars or '<p>none</p>'}</div>"
        "<div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"search paths, quotes, glosses, summaries\">"
        f"<select id=\"cat\"><option value=\"\">all categories</option>{options(categories)}</select>"
        f"<select id=\"sev\"><option value=\"\">all severities</option>{options(['error', 'warning', 'info'])}</select>"
        f"<select id=\"rev\"><option value=\"\">any review state</option>{options(['unreviewed', 'confirmed', 'dismissed'])}</select>"
        "<span><span id=\"shown\"></span> shown</span></div>"
        "<table id=\"files\"><thead><tr><th>File</th><th>Risk</th><th>Findings</th><th>Categories</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return _page("finflag report", body, INDEX_JS)


def render_site(results: list[dict[str, Any]], decisions: Decisions) -> dict[str, str]:
    """File name (relative to the report's html folder) -> page.

    Stored results carry no rule pack: category colours and order come from
    the default pack.
    """
    from ..rules.pack import load_packs

    colours = {c.id: c.colour for c in load_packs().categories.values()}
    site = {"index.html": index_page(results, decisions, colours)}
    for r in results:
        if "error" not in r:
            site["posts/" + result_name(r["path"]).replace(".json", ".html")] = post_page(r, decisions, colours)
    return site
