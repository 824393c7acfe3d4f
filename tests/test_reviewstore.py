"""The SQLite decision store (review.db): concurrent writers, the one-time import of review.json, who/when."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from finflag.cli.main import main
from finflag.reviewstore import DB_FILE, Decisions

QUOTES = ["稳赚不赔", "加微信", "名额有限", "跟上的朋友都赚", "必涨", "内部消息", "马上上车", "翻倍黑马"]


def finding(n: int, tag: str = "a") -> dict:
    quote = QUOTES[n % len(QUOTES)]
    return {"id": f"{tag}{n:015x}", "rule_id": "guaranteed_return.certain-rise", "category": "guaranteed_return",
            "quote": quote, "line": n % 40 + 1}


def _writer(folder: str, tag: str, count: int, start) -> None:
    """One reviewer process: `count` decisions, one transaction each, started with the other writer."""
    store = Decisions.load(Path(folder))
    start.wait()
    for n in range(count):
        store.set(finding(n, tag), f"posts/{tag}-{n % 25}.txt", "confirmed" if n % 3 else "dismissed",
                  who=f"writer-{tag}")


def test_two_writer_processes_lose_no_decision(tmp_path):
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [context.Process(target=_writer, args=(str(tmp_path), tag, 500, start)) for tag in ("a", "b")]
    for w in writers:
        w.start()
    start.set()
    for w in writers:
        w.join(120)
        assert w.exitcode == 0
    stored = Decisions.load(tmp_path).data
    assert len(stored) == 1000
    assert sum(e["who"] == "writer-a" for e in stored.values()) == 500
    assert sum(e["decision"] == "dismissed" for e in stored.values()) == 2 * len(range(0, 500, 3))
    with sqlite3.connect(tmp_path / DB_FILE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _note_writer(folder: str, count: int, start) -> None:
    store = Decisions.load(Path(folder))
    start.wait()
    for n in range(count):
        store.set(finding(n), "posts/tip.txt", note=f"第{n}条：群号在图片里")


def test_a_note_and_a_decision_written_at_once_both_survive(tmp_path):
    """The terminal adds notes while a browser tab decides the same findings: each keeps both."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    noter = context.Process(target=_note_writer, args=(str(tmp_path), 200, start))
    noter.start()
    store = Decisions.load(tmp_path)
    start.set()
    for n in range(200):
        store.set(finding(n), "posts/tip.txt", "confirmed")
    noter.join(120)
    assert noter.exitcode == 0
    stored = Decisions.load(tmp_path).data
    assert len(stored) == 200
    assert all(e["decision"] == "confirmed" and e["note"] == f"第{n}条：群号在图片里"
               for n, e in ((int(fid[1:], 16), e) for fid, e in stored.items()))


def test_a_review_json_of_finflag_0_1_is_imported_once(tmp_path):
    legacy = {"schema": 1, "decisions": {
        "bbb27eab03cedf52": {"decision": "confirmed", "path": "vip.txt", "rule_id": "guaranteed_return.certain-rise",
                             "category": "guaranteed_return", "quote": "必涨", "line": 1, "at": "2026-11-01T08:00:00+00:00"},
        "a4dd6cd5d4e51328": {"note": "群里截图", "path": "vip.txt", "rule_id": "social_proof.everyone-wins",
                             "category": "social_proof", "quote": "跟上的朋友都赚", "line": 4},
        "broken": "not an entry"}}
    (tmp_path / "review.json").write_text(json.dumps(legacy, ensure_ascii=False), encoding="utf-8")
    store = Decisions.load(tmp_path)
    assert store.state("bbb27eab03cedf52") == "confirmed"
    assert store.get("bbb27eab03cedf52")["at"] == "2026-11-01T08:00:00+00:00"
    assert store.state("a4dd6cd5d4e51328") == "unreviewed" and store.get("a4dd6cd5d4e51328")["note"] == "群里截图"
    assert "broken" not in store.data
    store.clear("bbb27eab03cedf52")
    # The old file is still there but read only once: the cleared decision does not come back.
    assert (tmp_path / "review.json").exists()
    assert Decisions.load(tmp_path).state("bbb27eab03cedf52") == "unreviewed"


def test_each_entry_says_who_and_when_and_unknown_decisions_are_refused(tmp_path):
    store = Decisions.load(tmp_path)
    assert not (tmp_path / DB_FILE).exists(), "reading a never-reviewed folder creates nothing"
    entry = store.set(finding(1), "posts/tip.txt", "dismissed", note="只是转述", who="analyst")
    assert entry["who"] == "analyst" and entry["at"].endswith("+00:00") and entry["quote"] == "加微信"
    assert (tmp_path / DB_FILE).is_file()
    try:
        store.set(finding(2), "posts/tip.txt", "maybe")
    except ValueError as error:
        assert "unknown decision 'maybe'" in str(error)
    else:
        raise AssertionError("an unknown decision was stored")
    assert Decisions.load(tmp_path).data == {finding(1)["id"]: entry}


def test_report_and_export_read_the_store(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "tip.txt").write_text("跟着我们操作，稳赚不赔！名额有限，马上上车。\n", encoding="utf-8")
    out = tmp_path / "report"
    assert CliRunner().invoke(main, ["analyze", str(folder), "--out", str(out), "--no-summary"]).exit_code == 0
    result = json.loads(next((out / "results").glob("*.json")).read_text(encoding="utf-8"))
    first, second = result["findings"][:2]
    store = Decisions.load(out)
    store.set(first, result["path"], "confirmed", who="analyst")
    store.set(second, result["path"], "dismissed", note="引用的是别人的话", who="analyst")
    md = CliRunner().invoke(main, ["report", str(out), "--format", "csv"]).stdout
    assert "confirmed" in md and "引用的是别人的话" in md
    export = tmp_path / "decisions.csv"
    done = CliRunner().invoke(main, ["review", str(out), "--export", str(export)])
    assert done.exit_code == 0 and "2 decisions written" in done.output
    rows = export.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "finding_id,decision,note,path,line,category,rule_id,quote,who,at"
    assert len(rows) == 3 and ",analyst," in rows[2]
