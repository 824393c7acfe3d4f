"""Visible text from saved HTML pages (WeChat articles, blog pages).

The stdlib parser is enough: we need the text a reader saw, with a line
break wherever a block element ended, and nothing from scripts, styles or
the page head. When the page marks its article body (WeChat's
``#js_content``, an ``<article>`` element) only that body is kept, so
navigation and comment widgets don't become "findings".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HIDDEN = {"script", "style", "head", "noscript", "template", "svg", "iframe", "title"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "blockquote", "tr", "table", "pre", "hr", "header",
    "footer", "figure", "figcaption", "dd", "dt", "main", "nav",
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
_BODY_IDS = {"js_content", "article-content", "post-content"}

_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<p[\s>]|<div[\s>]|<br\s*/?>", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def looks_like_html(head: bytes) -> bool:
    """True when the first bytes carry HTML markup (for files without .html)."""
    return len(_SNIFF.findall(head[:4096])) >= 2 or head.lstrip()[:15].lower().startswith(b"<!doctype html")


def declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head[:4096])
    return match.group(1).decode("ascii").lower() if match else None


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.all_parts: list[str] = []
        self.body_parts: list[str] = []
        self._hidden_depth = 0
        self._body_depth = 0  # >0 while inside a marked article body
        self._stack: list[str] = []
        self.has_body = False

    def _emit(self, text: str) -> None:
        self.all_parts.append(text)
        if self._body_depth:
            self.body_parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in _BLOCK:
                self._emit("\n")
            elif tag == "img" and not self._hidden_depth:
                alt = dict(attrs).get("alt")
                if alt:
                    self._emit(f"[图片: {alt}]")
            return
        self._stack.append(tag)
        if tag in _HIDDEN:
            self._hidden_depth += 1
        attr = dict(attrs)
        if self._body_depth:
            self._body_depth += 1
        elif attr.get("id") in _BODY_IDS or tag == "article":
            self._body_depth = 1
            self.has_body = True
        if tag in _BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self._stack:
            return
        while self._stack:  # close implicitly-closed children too
            open_tag = self._stack.pop()
            if open_tag in _HIDDEN:
                self._hidden_depth -= 1
            if open_tag in _BLOCK:
                self._emit("\n")
            if self._body_depth:
                self._body_depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._emit(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of ``html``, one paragraph per line."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    parts = parser.body_parts if parser.has_body and "".join(parser.body_parts).strip() else parser.all_parts
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line) + "\n"
