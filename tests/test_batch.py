"""Batch runs into a report folder: resume, bad files, kill -9, reports, review."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli.main import main
from finflag.reviewstore import Decisions

from .conftest import SAMPLES

BAD = {
    "bad_binary.txt": b"\x00\x01\x02\x03binary\x00" * 30,
    "bad_empty.txt": b"",
    "bad_spaces.txt": b"   \n \n",
    "bad_png.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "bad_pdf.txt": b"%PDF-1.7\n" + bytes(range(256)),
    "bad_noise.txt": bytes((i * 37 + 11) % 255 + 1 for i in range(3000)),
    "bad_huge.txt": "稳赚不赔".encode() * 200_000,      # 2.4 MB, over the --max-size 1 used below
    "bad_html.html": b"<html><head><script>x=1</script></head><body></body></html>",
    "bad_locked.txt": "会员浮盈超37%".encode(),
    "bad_link.txt": None,                               # a broken symbolic link
}


def make_corpus(root: Path, posts: int = 200) -> Path:
    """Samples replicated with variations, plus ten bad files."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")) if p.name[0] != "g" and "big5" not in p.name]
    folder = root / "posts"
    for i in range(posts):
        sub = folder / f"batch{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        text = texts[i % len(texts)].replace("0.67%", f"0.{i:02d}%").replace("老张", f"老张{i}")
        (sub / f"post{i:03d}.txt").write_text(f"第{i}篇\n" + text, encoding="gb18030" if i % 7 == 0 else "utf-8")
    bad = folder / "bad"
    bad.mkdir()
    for name, data in BAD.items():
        if data is None:
            (bad / name).symlink_to(bad / "gone.txt")
        else:
            (bad / name).write_bytes(data)
    os.chmod(bad / "bad_locked.txt", 0)
    if os.access(bad / "bad_locked.txt", os.R_OK):  # root reads anything: use a file whose read() fails
        (bad / "bad_locked.txt").unlink()
        (bad / "bad_locked.txt").symlink_to("/proc/self/mem")
    return folder


def one_post_report(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A folder with one post and its batch report (rule layer only)."""
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "tip.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "report"
    analyze(folder, out)
    return folder, out


def analyze(folder: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["analyze", str(folder), "--out", str(out), "--no-summary", "--max-size", "1",
                                     "--glob", "*.txt", "--glob", "*.html", *extra])


def final_results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


def test_batch_of_200_posts_reports_ten_failures_and_resumes(corpus, tmp_path):
    out = tmp_path / "report"
    before = sorted(str(p) for p in corpus.rglob("*"))
    first = analyze(corpus, out, "--jobs", "2")
    assert first.exit_code == 2, first.output
    index = json.loads((out / "index.json").read_text())
    assert index["inputs"] == 210 and index["failed"] == 10
    failed = {Path(e["path"]).name: e["error"] for e in index["results"] if "error" in e}
    assert set(failed) == set(BAD)
    assert "binary" in failed["bad_binary.txt"] and failed["bad_empty.txt"] == "empty file"
    assert "larger than" in failed["bad_huge.txt"] and "broken symbolic link" in failed["bad_link.txt"]
    assert "10 failed" in first.stderr
    assert sorted(str(p) for p in corpus.rglob("*")) == before  # nothing written into the input folder
    second = analyze(corpus, out, "--jobs", "2")
    assert "200 unchanged (skipped)" in second.stderr
    assert final_results(out) == final_results(out)  # stable read
    forced = analyze(corpus, out, "--force", "--jobs", "1")
    assert "0 unchanged" in forced.stderr


def test_kill_9_then_rerun_gives_the_same_results(corpus, tmp_path):
    reference = tmp_path / "reference"
    analyze(corpus, reference, "--jobs", "2")
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "finflag.cli.main", "analyze", str(corpus), "--out", str(out), "--no-summary",
           "--max-size", "1", "--jobs", "1", "--glob", "*.txt", "--glob", "*.html", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "results").glob("*.json"))) < 60:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(list((out / "results").glob("*.json")))
    assert 0 < partial < 210, "the kill must land mid-run"
    rerun = analyze(corpus, out, "--jobs", "2")
    skipped = int(rerun.stderr.split(" unchanged")[0].rsplit(", ", 1)[1])
    assert skipped > 0  # finished results were kept, not redone
    assert final_results(out) == final_results(reference)


def test_reports_from_stored_results(corpus, tmp_path):
    out = tmp_path / "report"
    analyze(corpus, out, "--jobs", "2")
    runner = CliRunner()
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["report", str(out), "--format", "csv"]).stdout)))
    assert rows and set(rows[0]) >= {"path", "category", "severity", "quote", "gloss", "line", "review"}
    sarif = json.loads(runner.invoke(main, ["report", str(out), "--format", "sarif"]).stdout)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == len(rows)
    md = runner.invoke(main, ["report", str(out), "--format", "markdown"]).stdout
    assert md.startswith("# finflag report") and "| File | Risk |" in md
    html = runner.invoke(main, ["report", str(out), "--format", "html"])
    assert html.exit_code == 0
    pages = list((out / "html" / "posts").glob("*.html"))
    assert len(pages) == 200
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "<script src" not in index and "http" not in index.replace("http-equiv", "")


def test_review_decisions_are_saved_and_survive_a_rerun(tmp_path):
    folder, out = one_post_report(tmp_path, "跟着我们操作，稳赚不赔！名额有限，马上上车。\n")
    results = final_results(out)
    ids = [f["id"] for f in results[0]["findings"]]
    assert len(ids) == 3
    # confirm the first, add a note then dismiss the second, go back, skip, quit
    result = CliRunner().invoke(main, ["review", str(out)], input="cnknown promo\ndbsq")
    assert result.exit_code == 0, result.output
    saved = Decisions.load(out).data
    assert (out / "review.db").is_file() and not (out / "review.json").exists()
    assert saved[ids[0]]["decision"] == "confirmed"
    assert saved[ids[1]] == {**saved[ids[1]], "decision": "dismissed", "note": "known promo"}
    assert ids[2] not in saved
    analyze(folder, out, "--force")  # re-run the batch: same text, same ids
    assert {f["id"] for f in final_results(out)[0]["findings"]} == set(ids)
    again = CliRunner().invoke(main, ["review", str(out)], input="q")
    assert "1 finding(s) to review" in again.output
    csv_text = CliRunner().invoke(main, ["report", str(out), "--format", "csv"]).stdout
    states = [row["review"] for row in csv.DictReader(io.StringIO(csv_text))]
    assert states == ["confirmed", "dismissed", "unreviewed"]
    sarif = json.loads(CliRunner().invoke(main, ["report", str(out), "--format", "sarif"]).stdout)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == 1 and suppressed[0]["suppressions"][0]["justification"] == "known promo"
    export = tmp_path / "decisions.csv"
    CliRunner().invoke(main, ["review", str(out), "--export", str(export)])
    assert [r["decision"] for r in csv.DictReader(export.open(encoding="utf-8"))] == ["confirmed", "dismissed"]


def test_one_ctrl_c_stops_a_batch_keeps_results_and_exits_130(tmp_path):
    corpus = make_corpus(tmp_path, posts=1500)
    out = tmp_path / "interrupted"
    cmd = [sys.executable, "-m", "finflag.cli", "analyze", str(corpus), "--out", str(out), "--no-summary",
           "--max-size", "1", "--jobs", "2", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "results").glob("*.json"))) < 50:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # one Ctrl-C: the terminal sends it to the whole process group
    sent = time.time()
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.time() - sent < 5
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("finflag: interrupted; finished results are kept in")
    kept = len(list((out / "results").glob("*.json")))
    assert 50 <= kept < 1510, "interrupted mid-run with the finished results on disk"
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["inputs"] == kept  # rebuilt from what finished


def test_review_without_a_terminal_says_so_and_exits_2(tmp_path):
    folder, out = one_post_report(tmp_path, "稳赚不赔！名额有限。\n")
    done = subprocess.run([sys.executable, "-m", "finflag.cli", "review", str(out)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, start_new_session=True)  # no controlling tty
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("finflag: error: finflag review needs a terminal")


def test_review_counts_outcomes_not_key_presses_and_puts_errors_first(tmp_path):
    folder, out = one_post_report(tmp_path, "名额有限，马上上车。跟着我们操作，稳赚不赔！\n")
    # an unknown key, confirm, go back and dismiss the same finding, quit: one decision, dismissed
    result = CliRunner().invoke(main, ["review", str(out)], input="xcbdq")
    assert result.exit_code == 0, result.output
    first_card = result.output.split("[1/")[1].split("\n")[0]
    assert "error" in first_card and "guaranteed_return" in first_card  # the error-level claim comes first
    assert "finflag: 0 confirmed, 1 dismissed, 0 with a note, 2 undecided of 3;" in result.output
    assert result.output.count("[1/3]") == 2  # shown, not reprinted for the unknown key, shown again after 'b'
    assert "unknown key 'x'" in result.output


def test_batch_progress_prints_log_lines_above_the_bar():
    from rich.console import Console

    from finflag.batch import BatchStats
    from finflag.cli.batchrun import BatchProgress

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    with BatchProgress(False, console) as progress:
        progress.update(BatchStats(total=10, done=8, skipped=8), 0.0)  # a resume: 8 unchanged
        first = progress._progress.tasks[0]
        assert first.completed == 8 and first.speed is None  # skipped inputs are not speed: no ETA of 0:01
        progress.log("summarising posts/a.txt (2,000 characters)")
        progress.update(BatchStats(total=10, done=9, skipped=8, findings=3), 5.0)
        progress.log("summarising posts/b.txt (1,000 characters)")
        progress.update(BatchStats(total=10, done=10, skipped=8, findings=4), 10.0)
    task = progress._progress.tasks[0]
    assert task.completed == 10 and task.total == 10
    lines = [line for line in re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())) if line.strip()]
    logs = [line for line in lines if "summarising" in line]
    assert [line.strip() for line in logs] == ["finflag: summarising posts/a.txt (2,000 characters)",
                                               "finflag: summarising posts/b.txt (1,000 characters)"]
    assert any("10/10" in line and "4 findings, 0 failed" in line for line in lines)


def test_review_filters_by_category_severity_and_path(tmp_path):
    folder = tmp_path / "posts"
    (folder / "tips").mkdir(parents=True)
    (folder / "tips" / "a.txt").write_text("稳赚不赔！名额有限，马上上车。\n", encoding="utf-8")
    (folder / "b.txt").write_text("这只股票必买！\n", encoding="utf-8")
    out = tmp_path / "report"
    analyze(folder, out)
    only_urgency = CliRunner().invoke(main, ["review", str(out), "--category", "urgency"], input="q")
    assert "2 finding(s) to review" in only_urgency.output and "guaranteed_return" not in only_urgency.output
    errors = CliRunner().invoke(main, ["review", str(out), "--min-severity", "error"], input="q")
    assert "1 finding(s) to review" in errors.output and "guaranteed_return" in errors.output
    by_path = CliRunner().invoke(main, ["review", str(out), "--path", "*/b.txt"], input="q")
    assert "1 finding(s) to review" in by_path.output and "hype" in by_path.output
