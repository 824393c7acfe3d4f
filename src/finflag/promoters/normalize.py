"""One canonical spelling per contact point, so posts that write it differently still link.

Promoters vary a handle on purpose (``JN888vip``, ``ｊｎ８８８ｖｉｐ``,
``jn888VIP``) to slip past keyword filters; a phone number appears as
``138-1234-5678``, ``+86 138 1234 5678`` or ``13812345678``. Each normaliser
folds those to one value: NFKC (full-width to half-width), case-folded,
spaces and separators removed, country prefixes made explicit. Masked
digits (``x`` in scraped SMS) are kept as ``x``: they still tell a reader
something, and :func:`phone_is_specific` says whether enough real digits
are left to link two posts on them.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

#: Characters people put inside a handle or number to break it up; none is part of the identity.
_SEPARATORS = re.compile(r"[\s\-_.·・|/\\]+")
_NOT_PHONE = re.compile(r"[^\dx+]")

#: Hosts that belong to a platform everyone uses: a link to them names no promoter by its domain
#: (the full URL still does). Matched as the host or any subdomain of it.
SHARED_HOSTS = (
    "qq.com", "weixin.qq.com", "weibo.com", "weibo.cn", "sina.com.cn", "sina.cn", "163.com", "sohu.com",
    "baidu.com", "eastmoney.com", "xueqiu.com", "zhihu.com", "douyin.com", "bilibili.com", "toutiao.com",
    "taobao.com", "tmall.com", "jd.com", "t.me", "telegram.me", "line.me", "wa.me", "whatsapp.com",
    "youtube.com", "youtu.be", "facebook.com", "twitter.com", "x.com", "instagram.com", "github.com",
    "google.com", "apple.com", "microsoft.com", "yahoo.com", "cnstock.com", "cs.com.cn", "csrc.gov.cn",
)


def fold(text: str) -> str:
    """NFKC and case folding: ``ｊｎ８８８ＶＩＰ`` -> ``jn888vip``."""
    return unicodedata.normalize("NFKC", text).casefold()


def handle(raw: str) -> str:
    """A chat handle (WeChat, QQ, LINE, Telegram, WhatsApp): folded, leading ``@`` and separators removed."""
    return _SEPARATORS.sub("", fold(raw)).lstrip("@")


def phone(raw: str) -> str:
    """A phone number as ``+<country><number>``; masked digits stay ``x``.

    Mainland mobiles (11 digits from 13-19) and 400/800 hotlines get ``+86``;
    Taiwan mobiles (``09xx``) get ``+886`` without the trunk 0; a landline
    keeps its area code as written (``02`` is Taipei or nothing without a
    country, so no country is guessed for it).
    """
    digits = _NOT_PHONE.sub("", fold(raw))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    for country in ("+886", "+86", "+852", "+853", "+1"):
        if digits.startswith(country):
            national = digits[len(country):]
            if country == "+886" and national.startswith("0"):
                national = national[1:]
            return country + national
    digits = digits.lstrip("+")
    if re.fullmatch(r"1[3-9][\dx]{9}", digits) or re.fullmatch(r"[48]00\d{7}", digits):
        return "+86" + digits
    if re.fullmatch(r"09[\dx]{8}", digits):
        return "+886" + digits[1:]
    if re.fullmatch(r"861[3-9][\dx]{9}", digits):
        return "+" + digits
    return digits


def phone_is_specific(value: str) -> bool:
    """Enough real digits (7) to say two posts give the same number, not just the same mask."""
    return sum(c.isdigit() for c in value.removeprefix("+886").removeprefix("+86")) >= 7


def email(raw: str) -> str:
    return fold(raw).strip(".")


def url(raw: str) -> str:
    """Host (lower case, no ``www.``, no port) plus path; scheme, query and fragment dropped.

    The query is where tracking parameters live (``?from=blog``): two posts
    sending readers to the same page with different tags go to the same page.
    """
    text = fold(raw).rstrip(".,;:!?)）")
    parts = urlsplit(text if "://" in text else "http://" + text)
    path = parts.path.rstrip("/")
    return domain(parts.hostname or "") + path


def domain(host: str) -> str:
    host = fold(host).strip(".")
    return host[4:] if host.startswith("www.") else host


def is_shared_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in SHARED_HOSTS)


def name(raw: str) -> str:
    """A teacher, team or studio name: NFKC, spaces removed, Latin letters case-folded."""
    return re.sub(r"\s+", "", fold(raw))
