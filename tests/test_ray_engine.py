"""``analyze --engine ray`` on a real local Ray cluster: the same report folder as a local run, faults survived.

The cluster is started once for the module (2 CPUs, bound to this machine);
the Ray runs are driven from this process (it joined the cluster) except the
one whose driver is killed, which is a subprocess given the cluster's address.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli.main import main

from .test_batch import make_corpus

#: Eight short posts (greedy decoding on the 98 MB test model keeps them cheap) and two bad files:
#: enough model work that an actor killed after the first summary still has posts to redo.
POSTS = {
    "tip.txt": "跟着老师操作，稳赚不赔！名额有限，马上上车。加微信abc12345领取明日牛股。\n",
    "vip.txt": "加入我们的VIP群，每月只需199元。我们的会员上周已经获利45%。\n",
    "news.txt": "宁德时代一季度净利润同比增长7%，营收下降10%。\n",
    "byd.txt": "比亚迪10月销量同比增长12%，海外销量创新高。\n",
    "moutai.txt": "贵州茅台前三季度营收同比增长9%，净利润增长8%。\n",
    "index.txt": "上证指数收涨0.4%，深证成指跌0.3%，两市成交额1.2万亿元。\n",
    "gold.txt": "国际金价上涨1.5%，报每盎司2650美元。\n",
    "fed.txt": "美联储维持利率不变，市场预计12月降息的概率为60%。\n",
}
BAD = {"binary.txt": b"\x00\x01\x02binary\x00" * 20, "empty.txt": b""}
SUMMARY_ARGS = ["--max-words", "20", "--glob", "*.txt", "-q"]


def _ray():
    return pytest.importorskip("ray", reason="Ray is not installed: pip install 'finflag[ray]' (make test does)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``ray start --head --block`` on 127.0.0.1 with 2 CPUs; terminating it stops every process it started.

    The agents get fixed ports: with port 0 the raylet gives them a hard-coded 15 s to report
    theirs and dies on a busy machine (ray-project/ray#65983).
    """
    ray = _ray()
    port = _free_port()
    agent_ports = {flag: _free_port() for flag in ("--dashboard-agent-grpc-port", "--dashboard-agent-listen-port",
                                                    "--runtime-env-agent-port", "--metrics-export-port",
                                                    "--node-manager-port", "--object-manager-port")}
    log = (tmp_path_factory.mktemp("ray") / "head.log").open("w")
    # A throwaway cluster on the loopback address: no token (the drivers here, this process and
    # the subprocess below, would otherwise need the head's).
    saved = os.environ.get("RAY_AUTH_MODE")
    os.environ["RAY_AUTH_MODE"] = "disabled"
    head = subprocess.Popen([str(Path(sys.executable).with_name("ray")), "start", "--head", "--block",
                             "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2",
                             "--include-dashboard", "false", "--disable-usage-stats",
                             "--system-config", json.dumps({"worker_niceness": 0}),
                             *[str(x) for pair in agent_ports.items() for x in pair]],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.time() + 240
        while True:
            try:
                ray.init(address=address, logging_level="WARNING", log_to_driver=False)
                break
            except (ConnectionError, RuntimeError):
                if head.poll() is not None or time.time() > deadline:
                    pytest.fail(f"the Ray head did not start: {Path(log.name).read_text()[-2000:]}")
                time.sleep(2)
        yield address
    finally:
        ray.shutdown()
        head.terminate()
        head.wait(60)
        log.close()
        if saved is None:
            os.environ.pop("RAY_AUTH_MODE", None)
        else:
            os.environ["RAY_AUTH_MODE"] = saved


@pytest.fixture
def posts(tmp_path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for name, text in POSTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in BAD.items():
        (folder / name).write_bytes(data)
    return folder


def without_timings(result: dict) -> dict:
    result = json.loads(json.dumps(result))
    result.get("summary", {}).pop("timings", None)
    return result


def stored(out: Path) -> dict[str, dict]:
    return {f.name: without_timings(json.loads(f.read_text(encoding="utf-8"))) for f in (out / "results").glob("*.json")}


def jsonl(out: Path) -> list[dict]:
    return [without_timings(json.loads(line)) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def count_writes(monkeypatch) -> Counter:
    """Every result file the driver writes (the report folder's one writer, wrapped)."""
    import finflag.batch

    writes: Counter = Counter()
    real = finflag.batch.write_atomic

    def counting(path, text):
        writes[Path(path).name] += 1
        real(path, text)

    monkeypatch.setattr(finflag.batch, "write_atomic", counting)
    return writes


@pytest.mark.ray
def test_ray_run_matches_local_run_even_when_a_model_actor_is_killed(cluster, posts, tmp_path, smollm2_gguf,
                                                                      model_cache, count_writes):
    ray = _ray()
    from finflag.engines.ray import ACTOR_PREFIX

    local = CliRunner().invoke(main, ["analyze", str(posts), "--out", str(tmp_path / "local"),
                                      "--model", smollm2_gguf, *SUMMARY_ARGS])
    assert local.exit_code == 2, local.output  # the two bad files
    count_writes.clear()
    out = tmp_path / "ray"
    killed: list[int] = []

    finished = threading.Event()

    def kill_an_actor_after_the_first_summary() -> None:
        while not finished.is_set():
            done = [f for f in (out / "results").glob("*.json") if "summary" in f.read_text(encoding="utf-8")]
            names = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                     if a["name"].startswith(ACTOR_PREFIX)] if done else []
            if names:
                ray.kill(ray.get_actor(names[0]), no_restart=False)  # Ray restarts it and retries its calls
                killed.append(len(done))
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_an_actor_after_the_first_summary, daemon=True)
    killer.start()
    result = CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--engine", "ray",
                                       "--model", smollm2_gguf, *SUMMARY_ARGS])
    finished.set()
    killer.join(5)
    assert result.exit_code == 2, result.output
    assert killed and killed[0] < len(POSTS), "the actor must be killed mid-run"
    assert stored(out) == stored(tmp_path / "local")  # findings, summaries, errors: identical
    assert jsonl(out) == jsonl(tmp_path / "local")
    assert json.loads((out / "index.json").read_text()) == json.loads((tmp_path / "local" / "index.json").read_text())
    results = {name: n for name, n in count_writes.items() if name.endswith(".json") and name[0] != "."}
    per_post = {name: n for name, n in results.items() if name not in ("index.json", "inputs.json")}
    assert len(per_post) == len(POSTS) + len(BAD) and set(per_post.values()) == {1}  # nothing lost, nothing twice
    assert f"{len(POSTS)} analysed" in result.stderr and "2 failed" in result.stderr
    assert "posts per node: " in result.stderr and result.stderr.rstrip().endswith(f" {len(POSTS)}")


@pytest.mark.ray
def test_killed_driver_is_resumed_by_rerunning_and_writes_each_post_once(cluster, tmp_path, count_writes):
    corpus = make_corpus(tmp_path / "corpus", posts=200)
    args = ["analyze", str(corpus), "--out", None, "--no-summary", "--max-size", "1", "--glob", "*.txt",
            "--glob", "*.html"]
    reference = tmp_path / "reference"
    CliRunner().invoke(main, [reference if a is None else a for a in args] + ["--jobs", "2"])
    out = tmp_path / "killed"
    ray_args = [str(out) if a is None else a for a in args] + ["--engine", "ray", "--address", cluster, "-q"]
    proc = subprocess.Popen([sys.executable, "-m", "finflag.cli", *ray_args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((out / "results").glob("*.json"))) < 40 and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in (out / "results").glob("*.json")
              if "error" not in json.loads(f.read_text(encoding="utf-8"))}
    assert 0 < len(before) < 200, f"the kill must land mid-run ({len(before)} posts were done)"
    count_writes.clear()
    rerun = CliRunner().invoke(main, ray_args)
    assert rerun.exit_code == 2, rerun.output
    assert f"{200 - len(before)} analysed, {len(before)} unchanged (skipped), 10 failed" in rerun.stderr
    after = {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in (out / "results").glob("*.json")}
    assert all(after[name] == stamp for name, stamp in before.items())  # finished posts were not rewritten
    rewritten = {name for name, n in count_writes.items() if n and name in before}
    assert not rewritten and max(count_writes.values()) == 1
    assert jsonl(out) == jsonl(reference)
    assert json.loads((out / "index.json").read_text()) == json.loads((reference / "index.json").read_text())


def test_a_model_file_that_differs_from_the_driver_s_is_refused_before_loading(tmp_path):
    from finflag.summary.model import ModelError, expected_sha256, resolve, verified_model_path

    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    choice = resolve(str(model), "llama-cpp")
    expected = expected_sha256(choice)
    assert verified_model_path(choice, expected, "node a") == str(model)
    model.write_bytes(b"GGUF" + bytes(range(255)) * 4)  # another node's copy, damaged
    with pytest.raises(ModelError, match="on node a has SHA-256 .* expected"):
        verified_model_path(choice, expected, "node a")
    model.unlink()
    with pytest.raises(ModelError, match="no such GGUF file on node a"):
        verified_model_path(choice, expected, "node a")


def test_engine_ray_outside_batch_mode_is_a_usage_error(posts):
    result = CliRunner().invoke(main, ["analyze", str(posts / "tip.txt"), "--engine", "ray"])
    assert result.exit_code == 2 and "--engine ray is for batch runs" in result.output


def test_the_local_cluster_environment_reaches_the_processes_started_under_it_and_is_then_restored(monkeypatch):
    _ray()
    from finflag.engines.ray import LOCAL_CLUSTER_ENV, _environment

    name, value = next(iter(LOCAL_CLUSTER_ENV.items()))
    show = [sys.executable, "-c", f"import os; print(os.environ.get({name!r}))"]
    monkeypatch.setenv(name, "7")  # the user's own setting
    with _environment(LOCAL_CLUSTER_ENV):
        child = subprocess.run(show, capture_output=True, text=True, check=True)
    assert child.stdout.strip() == value and os.environ[name] == "7"
    monkeypatch.delenv(name)
    with _environment(LOCAL_CLUSTER_ENV):
        pass
    assert name not in os.environ
