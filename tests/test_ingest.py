"""Reading real-world input: encodings, HTML, and every kind of bad file."""

from __future__ import annotations

import os

import pytest

from finflag.input.ingest import InputError, Source, expand_sources, load_document

POST = "稳赚不赔！我们的VIP会员本周浮盈超37%，名额有限，马上扫码加群。美联储降息预期升温，道指涨0.5%。\n"
TRAD = "穩賺不賠！我們的會員本週浮盈超過百分之三十，名額有限，馬上掃碼加群。聯準會降息預期升溫。\n"


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return Source(str(path))


@pytest.mark.parametrize(
    "data,encoding",
    [
        (POST.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + POST.encode("utf-8"), "utf-8-sig"),
        (POST.encode("utf-16"), "utf-16"),
        (POST.encode("utf-16-le"), "utf-16-le"),
        (POST.encode("gb18030"), "gb18030"),
    ],
)
def test_decodes_common_encodings(tmp_path, data, encoding):
    doc = load_document(_write(tmp_path, "post.txt", data))
    assert doc.text == POST
    assert doc.encoding == encoding
    assert doc.language == "zh"


def test_decodes_big5_traditional(tmp_path):
    doc = load_document(_write(tmp_path, "trad.txt", TRAD.encode("big5")))
    assert doc.text == TRAD
    assert doc.encoding == "big5"


def test_forced_encoding_wins_and_bad_forced_encoding_is_an_error(tmp_path):
    source = _write(tmp_path, "p.txt", POST.encode("gb18030"))
    assert load_document(source, encoding="gb18030").text == POST
    with pytest.raises(InputError, match="cannot decode as utf-8"):
        load_document(source, encoding="utf-8")


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty file"),
        (b"   \n\n  ", "only white space"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "PNG image"),
        (b"%PDF-1.7\n" + bytes(range(256)), "PDF"),
        (b"ab\x00\x01\x02\x03" * 50 + b"\xff\xfe\x00", "binary"),
    ],
)
def test_bad_files_get_one_clear_reason(tmp_path, data, reason):
    with pytest.raises(InputError, match=reason) as info:
        load_document(_write(tmp_path, "bad.txt", data))
    assert "bad.txt" in str(info.value)


def test_random_bytes_are_rejected_not_decoded_as_garbage(tmp_path):
    data = bytes((i * 37 + 11) % 256 for i in range(4000)).replace(b"\x00", b"\x01")
    with pytest.raises(InputError):
        load_document(_write(tmp_path, "noise.bin", data))


def test_huge_file_is_refused_before_reading(tmp_path):
    source = _write(tmp_path, "huge.txt", POST.encode() * 100)
    with pytest.raises(InputError, match="larger than"):
        load_document(source, max_bytes=1000)


def test_unreadable_file(tmp_path):
    source = _write(tmp_path, "locked.txt", POST.encode())
    os.chmod(source.path, 0)
    try:
        if os.access(source.path, os.R_OK):
            # root ignores permissions; a file whose read() fails is the same case for us
            source, reason = Source("/proc/self/mem"), "cannot read"
        else:
            reason = "permission denied"
        with pytest.raises(InputError, match=reason):
            load_document(source)
    finally:
        os.chmod(tmp_path / "locked.txt", 0o644)


def test_missing_and_broken_symlink_are_reported_in_order(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(POST, encoding="utf-8")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    items = list(expand_sources([str(tmp_path / "nope.txt"), str(tmp_path / "dangling.txt"), str(good)]))
    assert isinstance(items[0], InputError) and "no such file" in items[0].reason
    assert isinstance(items[1], InputError) and "broken symbolic link" in items[1].reason
    assert items[2] == Source(str(good))


def test_folder_expansion_is_recursive_sorted_and_filtered(tmp_path):
    for rel in ["b.txt", "a/x.html", "a/y.txt", "a/skip/z.txt", "notes.csv"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(POST, encoding="utf-8")
    found = [s.path for s in expand_sources([str(tmp_path)], excludes=["skip/*"])]
    assert found == [str(tmp_path / r) for r in ["a/x.html", "a/y.txt", "b.txt"]]
    only_html = [s.path for s in expand_sources([str(tmp_path)], globs=["*.html"])]
    assert only_html == [str(tmp_path / "a/x.html")]


WECHAT = """<!DOCTYPE html><html><head><meta charset="gbk"><title>标题不算正文</title>
<script>var x = "稳赚不赔";</script><style>p{color:red}</style></head><body>
<div class="nav">首页 | 登录</div>
<div id="js_content"><p>第一段：会员浮盈超37%。</p><p>第二段&nbsp;&amp;<br>换行后的内容</p>
<p><img src="a.png" alt="收益截图"></p></div>
<div class="comments">评论区：稳赚</div></body></html>"""


def test_html_keeps_visible_article_text_and_paragraph_breaks(tmp_path):
    doc = load_document(_write(tmp_path, "page.html", WECHAT.encode("gbk")))
    assert doc.source_format == "html"
    assert doc.encoding == "gbk"
    assert doc.text == "第一段：会员浮盈超37%。\n第二段\u00a0&\n换行后的内容\n[图片: 收益截图]\n"
    assert "稳赚不赔" not in doc.text and "首页" not in doc.text and "评论区" not in doc.text


def test_html_is_sniffed_without_an_html_suffix(tmp_path):
    doc = load_document(_write(tmp_path, "saved.txt", b"<html><body><p>\xe4\xbc\x9a\xe5\x91\x98</p><p>x</p></body></html>"))
    assert doc.source_format == "html"
    assert doc.text.startswith("会员")


def test_html_with_no_visible_text(tmp_path):
    with pytest.raises(InputError, match="no visible text"):
        load_document(_write(tmp_path, "blank.html", b"<html><head><script>x=1</script></head><body></body></html>"))
