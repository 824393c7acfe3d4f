"""finflag: flag promotional claims in Chinese finance posts, with evidence.

The data flow is one-way: raw bytes -> :class:`finflag.document.Document`
(original text plus an offset-preserving normalised view) -> findings ->
report. Every finding carries offsets into ``Document.text``.
"""

__version__ = "0.1.0"

#: Version of the JSON report schema (bump on any incompatible change).
REPORT_SCHEMA = 1
