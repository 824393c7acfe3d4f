"""Review app speed on a 10,000-post report folder: the index rendered server-side, and a decision's
round trip (POST -> saved in review.db -> answer), in process and over HTTP to a running `finflag serve`.

    python benchmarks/serve_speed.py [--posts 10000] [--decisions 200]

The folder is made by the real pipeline: `finflag analyze --no-summary` over posts generated from
the bundled samples (each with its own first line, so every finding id is its own); it is kept in
benchmarks/.data/ and reused. Targets: index <= 1 s, decision round trip <= 100 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from batch_speed import make_posts  # noqa: E402

from tests.servekit import serving  # noqa: E402  (`finflag serve` in a subprocess, as the browser test runs it)

INDEX_TARGET, DECISION_TARGET = 1.0, 0.100


def report_folder(posts: int) -> Path:
    """benchmarks/.data/serve-<posts>/report, analysed once with the real pipeline and reused."""
    root = HERE / ".data" / f"serve-{posts}"
    out = root / "report"
    if not (out / "index.json").is_file():
        shutil.rmtree(root, ignore_errors=True)
        make_posts(root / "posts", posts)
        print(f"analysing {posts} generated posts into {out} (once) ...", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "finflag.cli", "analyze", str(root / "posts"), "--out", str(out),
                        "--no-summary", "--jobs", "2", "-q"], check=False)
        print(f"  {time.perf_counter() - start:.0f} s")
    (out / "review.db").unlink(missing_ok=True)
    for extra in ("review.db-wal", "review.db-shm"):
        (out / extra).unlink(missing_ok=True)
    return out


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of this process (the in-process server's work included)."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def line(label: str, seconds: float, target: float, cpu: float | None = None) -> None:
    extra = f", CPU {cpu * 1000:.1f} ms = {cpu / target:.2f}x" if cpu is not None else ""
    print(f"{label:<56} {seconds * 1000:8.1f} ms  ({seconds / target:.2f}x the {target * 1000:.0f} ms target{extra})")


def decisions_to_make(client, count: int) -> list[tuple[str, str]]:
    """(post URL, finding id) pairs from the index and the first post pages, as a reviewer would reach them."""
    urls = re.findall(r'<a href="(/post/[^"]+)">', client.get("/").text)
    pairs: list[tuple[str, str]] = []
    for url in urls:
        pairs += [(url, fid) for fid in re.findall(r'<tr data-id="([0-9a-f]+)"', client.get(url).text)]
        if len(pairs) >= count:
            return pairs[:count]
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=200)
    args = parser.parse_args()
    from starlette.requests import Request
    from starlette.testclient import TestClient

    from finflag.serve.app import create_app, index, warm

    out = report_folder(args.posts)
    app = create_app(out)
    client = TestClient(app, base_url="http://127.0.0.1:8470")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall-clock times grow with it; "
          "CPU times much less)")
    cold = timed(lambda: warm(app), 1)
    page = client.get("/")
    rows = page.text.count('<tr data-name="')
    findings = int(re.search(r"of (\d+) findings reviewed", page.text).group(1))
    print(f"report folder: {rows} posts, {findings} findings; index page {len(page.content) / 1e6:.1f} MB")
    print(f"reading every result once, as `finflag serve` does before it listens: {cold[0]:.1f} s "
          f"(CPU {cold[1]:.1f} s)")
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": [], "app": app}
    wall, cpu = timed(lambda: index(Request(scope)), 5)
    line("index rendered server-side (the handler), median of 5", wall, INDEX_TARGET, cpu)
    wall, cpu = timed(lambda: client.get("/"), 5)
    line("index through the test client, median of 5", wall, INDEX_TARGET, cpu)
    wall, cpu = timed(lambda: client.get("/", params={"q": "微信", "sort": "-findings"}), 5)
    line("index, full-text search + sort, median of 5", wall, INDEX_TARGET, cpu)
    wall, cpu = timed(lambda: client.get("/", params={"category": "contact_funnel", "severity": "warning",
                                                     "review": "unreviewed"}), 5)
    line("index, category + severity + review filter, median of 5", wall, INDEX_TARGET, cpu)

    pairs = decisions_to_make(client, args.decisions)
    headers = {"X-Finflag-Review": "1"}
    times, cpus = [], []
    for n, (url, fid) in enumerate(pairs):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.post(url + "/decide", data={"finding": fid, "action": "confirm" if n % 2 else "dismiss"},
                               headers=headers)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200, response.text
    times.sort()
    line(f"decision round trip in process, median of {len(times)}", statistics.median(times), DECISION_TARGET,
         statistics.median(cpus))
    line("decision round trip in process, 95th percentile", times[int(len(times) * 0.95) - 1], DECISION_TARGET)
    wall, cpu = timed(lambda: client.get("/"), 3)
    line(f"index with {len(times)} decisions stored, median of 3", wall, INDEX_TARGET, cpu)

    # Over HTTP to a real `finflag serve` (uvicorn): what a keypress in the browser waits for.
    import httpx

    with serving(out) as (base, banner):
        print(banner[0].strip())  # how long `finflag serve` took to read the folder before listening
        with httpx.Client(base_url=base, timeout=30) as http:
            line("index over HTTP, first request", timed(lambda: http.get("/"), 1)[0], INDEX_TARGET)
            line("index over HTTP, median of 5", timed(lambda: http.get("/"), 5)[0], INDEX_TARGET)
            times = []
            for url, fid in pairs:
                start = time.perf_counter()
                response = http.post(url + "/decide", data={"finding": fid, "action": "note", "note": "已核实"},
                                     headers=headers)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
            times.sort()
            line(f"decision round trip over HTTP, median of {len(times)}", statistics.median(times), DECISION_TARGET)
            line("decision round trip over HTTP, 95th percentile", times[int(len(times) * 0.95) - 1],
                 DECISION_TARGET)


if __name__ == "__main__":
    main()
