"""The promoter map: who is behind the posts of a report folder.

The same WeChat / QQ / LINE / Telegram handles, phone numbers, sites and
teacher names recur across the posts of one operation. :mod:`.extract`
reads them (and the tickers each post pushes) from the stored results,
:mod:`.normalize` gives each one canonical spelling, and :mod:`.cluster`
links posts that share one into clusters with a risk score. Renderers are
in :mod:`finflag.output.promoters`; the command is ``finflag promoters``.
"""

from __future__ import annotations

from .cluster import Cluster, ContactPoint, Post, PromoterMap, build_map
from .extract import Contact, Ticker

__all__ = ["Cluster", "Contact", "ContactPoint", "Post", "PromoterMap", "Ticker", "build_map"]
