#!/usr/bin/env python3
"""Benchmarks, side by side on this machine, in one run.

1. ssp-conformance vs Schemathesis against the same release sandbox (same spec, same
   case budget per operation, positive and negative cases, all checks each tool has):
   requests per second, wall time, peak memory, ratios.
2. ssp-conformance's request rate vs wrk (keep-alive, same concurrency) on the same
   operation: the sandbox's cheapest read operation with inputs to generate
   (GET /webhookconfig; GET /processes, about as cheap, has no inputs).
3. The sandbox vs Prism's mock of the same spec: wrk throughput and p99 latency on
   GET /processes and GET /municipalities.
4. A full default `ssp-conformance run` (embedded sandbox): wall time, peak memory.
5. Clean build and test time of the workspace, and the rebuild after a one-line spec
   change.

Every figure is the median of several runs with min and max; every comparison is a
ratio of runs made in alternation (A B A B ...). Requests are counted by the sandbox
itself (GET /sandbox/stats), so both tools are measured the same way.

Run through bench/run.sh, which installs the peers and builds the release binaries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PEERS = BENCH / ".peers"
RELEASE = ROOT / "target" / "release"
SPEC = ROOT / "spec" / "openapi.yaml"
SUBSCRIPTION_KEY = "bench-subscription-key-0001"
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:\d+")


# --------------------------------------------------------------------------- helpers

def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A free loopback port for peers that cannot listen on port 0 and report it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A background server whose base URL is read from its output (or given)."""

    def __init__(self, argv: list[str], url: str | None = None, ready_path: str = "/", headers=None,
                 timeout: float = 60.0):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        self.url = url
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited early:\n{self.output()}")
            if self.url is None:
                found = URL_PATTERN.search(self.output())
                if found:
                    self.url = found.group(0)
            if self.url is not None and http_ok(self.url + ready_path, headers or {}):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{argv[0]} did not come up in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def http(method: str, url: str, headers: dict, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def http_ok(url: str, headers: dict) -> bool:
    try:
        status, _ = http("GET", url, headers)
        return status < 500
    except OSError:
        return False


def timed(argv: list[str], env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Runs a command under /usr/bin/time: wall seconds, peak RSS (MiB), exit code."""
    with tempfile.NamedTemporaryFile(mode="r") as out:
        started = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out.name, *argv], cwd=cwd,
                              env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        wall = time.monotonic() - started
        fields = out.read().strip().splitlines()[-1].split()
        return {"wall": wall, "rss_mib": int(fields[1]) / 1024, "code": proc.returncode,
                "stdout": proc.stdout, "stderr": proc.stderr}


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s: dict, unit: str = "", digits: int = 1) -> str:
    return f"{s['median']:.{digits}f}{unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f}, n={s['n']})"


# --------------------------------------------------------------------------- sandbox

def sandbox(db: Path | None = None) -> Process:
    argv = [str(RELEASE / "ssp-sandbox"), "--listen", "127.0.0.1:0", "--subscription-key", SUBSCRIPTION_KEY,
            "--loopback-webhooks-only", "--max-attempts", "2", "--initial-backoff-ms", "100",
            "--webhook-timeout-ms", "1000"]
    if db:
        argv += ["--db", str(db)]
    return Process(argv, ready_path="/processes", headers={"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY})


def register_vendor(url: str) -> str:
    status, body = http("POST", url + "/vendorregistration", {"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY},
                        {"providerName": "Bench AG", "plz": "5000", "place": "Aarau",
                         "email": "bench@example.com"})
    if status != 200:
        raise RuntimeError(f"vendor registration failed: {status} {body[:200]!r}")
    return json.loads(body)["apikey"]


def requests_served(url: str) -> int:
    """Portal API requests the sandbox has answered (the control API is not counted)."""
    status, body = http("GET", url + "/sandbox/stats", {"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY})
    if status != 200:
        raise RuntimeError(f"GET /sandbox/stats answered {status}")
    return int(json.loads(body)["portalRequests"])


# --------------------------------------------------------------------------- wrk

def wrk(url: str, headers: dict, connections: int, seconds: int) -> dict:
    argv = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run(argv + [url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"wrk saw {non2xx.group(1)} non-2xx answers from {url}:\n{out}")
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale}


# --------------------------------------------------------------------------- experiments

def suite_argv(url: str, apikey: str, cases: int, concurrency: int) -> list[str]:
    return [str(RELEASE / "ssp-conformance"), "run", "--base-url", url, "--subscription-key", SUBSCRIPTION_KEY,
            "--api-key", apikey, "--control-url", url + "/sandbox", "--cases", str(cases), "--seed", "1",
            "--concurrency", str(concurrency), "--progress", "quiet"]


SCHEMATHESIS_CONFIG = ROOT / "scripts" / "schemathesis" / "schemathesis.toml"


def schemathesis_argv(url: str, apikey: str, cases: int, concurrency: int) -> list[str]:
    """Schemathesis as scripts/schemathesis.sh runs it (its config file and hooks: the
    subscription key, a vendor apikey that follows regenerateApiKey), with the case budget."""
    return [str(PEERS / "venv" / "bin" / "st"), "--config-file", str(SCHEMATHESIS_CONFIG), "run", str(SPEC),
            "--url", url, "--max-examples", str(cases), "--phases", "examples,coverage,fuzzing,stateful",
            "--checks", "all", "--mode", "all", "--seed", "1", "--workers", str(concurrency), "--no-color"]


def schemathesis_env(url: str) -> dict:
    return {"SSP_BASE_URL": url, "SSP_SUBSCRIPTION_KEY": SUBSCRIPTION_KEY, "SCHEMATHESIS_HOOKS": "hooks",
            "PYTHONPATH": str(ROOT / "scripts" / "schemathesis")}


def one_tool_run(kind: str, cases: int, concurrency: int) -> dict:
    """A fresh sandbox, a fresh vendor, one run of one tool; requests counted by the sandbox."""
    with sandbox() as server:
        apikey = register_vendor(server.url)
        before = requests_served(server.url)
        if kind == "suite":
            result = timed(suite_argv(server.url, apikey, cases, concurrency))
        else:
            with tempfile.TemporaryDirectory(prefix="ssp-bench-st-") as cwd:  # its example database
                result = timed(schemathesis_argv(server.url, apikey, cases, concurrency),
                               env=schemathesis_env(server.url), cwd=Path(cwd))
        after = requests_served(server.url)
    result["requests"] = after - before
    result["rps"] = result["requests"] / result["wall"]
    if kind == "suite" and result["code"] != 0:
        raise RuntimeError(f"ssp-conformance failed against the sandbox:\n{result['stdout'][-3000:]}{result['stderr'][-2000:]}")
    return result


def experiment_suite_vs_schemathesis(rounds: int, cases: int, concurrency: int) -> dict:
    runs = {"suite": [], "schemathesis": []}
    for i in range(rounds):
        for kind in ("suite", "schemathesis"):  # alternate A B A B
            r = one_tool_run(kind, cases, concurrency)
            log(f"round {i + 1}: {kind:12} {r['requests']:6} requests {r['wall']:6.2f} s "
                f"{r['rps']:8.0f} req/s {r['rss_mib']:6.1f} MiB (exit {r['code']})")
            runs[kind].append(r)
    pairs = list(zip(runs["suite"], runs["schemathesis"]))
    return {
        "cases": cases, "concurrency": concurrency,
        "suite": {k: summary([r[k] for r in runs["suite"]]) for k in ("rps", "wall", "rss_mib", "requests")},
        "schemathesis": {k: summary([r[k] for r in runs["schemathesis"]]) for k in ("rps", "wall", "rss_mib", "requests")},
        "rps_ratio": summary([a["rps"] / b["rps"] for a, b in pairs]),
        "rss_ratio": summary([b["rss_mib"] / a["rss_mib"] for a, b in pairs]),
        "schemathesis_exit": sorted({r["code"] for r in runs["schemathesis"]}),
    }


# The operation of experiment 2: the sandbox's cheapest read operation that has
# inputs to generate (wrk measures GET /processes at about the same rate, but it has
# no parameters, so the suite sends it only its boundary and key cases).
SAME_OPERATION = ("listWebhookConfigurations", "/webhookconfig")
# One thread per connection, as wrk runs with -t 2 -c 2 (on the whole suite's mix of
# operations, one thread is faster on two cores: bench/NOTES.md).
SAME_OPERATION_ARGS = ["--operations", SAME_OPERATION[0], "--threads", "2"]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def suite_on_one_operation(cases: int, concurrency: int) -> dict:
    """The suite restricted to SAME_OPERATION against a fresh sandbox: its rate, and
    the sandbox's CPU per request it answered."""
    with sandbox() as server:
        apikey = register_vendor(server.url)
        before, cpu = requests_served(server.url), cpu_seconds(server.proc.pid)
        argv = suite_argv(server.url, apikey, cases, concurrency) + SAME_OPERATION_ARGS
        result = timed(argv)
        n = requests_served(server.url) - before
        server_us = (cpu_seconds(server.proc.pid) - cpu) / n * 1e6
    if result["code"] != 0:
        raise RuntimeError(f"ssp-conformance failed against the sandbox:\n{result['stdout'][-3000:]}{result['stderr'][-2000:]}")
    return {"rps": n / result["wall"], "requests": n, "wall": result["wall"], "server_us": server_us}


def wrk_on(path: str, concurrency: int, seconds: int) -> dict:
    """wrk with both keys on one path of a fresh sandbox, and the sandbox's CPU per request."""
    with sandbox() as server:
        apikey = register_vendor(server.url)
        before, cpu = requests_served(server.url), cpu_seconds(server.proc.pid)
        result = wrk(server.url + path, {"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY,
                                         "Authorization": f"Bearer {apikey}"}, concurrency, seconds)
        n = requests_served(server.url) - before
        result["server_us"] = (cpu_seconds(server.proc.pid) - cpu) / n * 1e6
    return result


def experiment_suite_vs_wrk(rounds: int, cases: int, concurrency: int, seconds: int) -> dict:
    suite, same, processes = [], [], []
    for i in range(rounds):  # alternate A B C A B C
        suite.append(suite_on_one_operation(cases, concurrency))
        same.append(wrk_on(SAME_OPERATION[1], concurrency, seconds))
        processes.append(wrk_on("/processes", concurrency, seconds))
        log(f"round {i + 1}: suite on {SAME_OPERATION[0]} {suite[-1]['rps']:8.0f} req/s "
            f"({suite[-1]['requests']} requests, sandbox {suite[-1]['server_us']:.1f} µs CPU each), "
            f"wrk GET {SAME_OPERATION[1]} {same[-1]['rps']:8.0f} req/s (sandbox {same[-1]['server_us']:.1f} µs each), "
            f"wrk GET /processes {processes[-1]['rps']:8.0f} req/s")
    return {
        "operation": SAME_OPERATION[0], "path": SAME_OPERATION[1], "cases": cases, "concurrency": concurrency,
        "suite_rps": summary([r["rps"] for r in suite]),
        "suite_requests": summary([r["requests"] for r in suite]),
        "suite_server_us": summary([r["server_us"] for r in suite]),
        "wrk_rps": summary([r["rps"] for r in same]),
        "wrk_server_us": summary([r["server_us"] for r in same]),
        "wrk_processes_rps": summary([r["rps"] for r in processes]),
        "ratio": summary([a["rps"] / b["rps"] for a, b in zip(suite, same)]),
    }


def experiment_sandbox_vs_prism(rounds: int, connections: int, seconds: int) -> dict:
    prism_bin = PEERS / "node" / "node_modules" / ".bin" / "prism"
    out = {}
    with sandbox() as server:
        apikey = register_vendor(server.url)
        port = free_port()
        with Process([str(prism_bin), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
                     url=f"http://127.0.0.1:{port}", ready_path="/processes",
                     headers={"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY}) as prism:
            headers = {"Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY, "Authorization": f"Bearer {apikey}"}
            for path in ("/processes", "/municipalities"):
                ours, theirs = [], []
                for i in range(rounds):
                    ours.append(wrk(server.url + path, headers, connections, seconds))
                    theirs.append(wrk(prism.url + path, headers, connections, seconds))
                    log(f"{path} round {i + 1}: sandbox {ours[-1]['rps']:8.0f} req/s p99 {ours[-1]['p99_ms']:.2f} ms; "
                        f"prism {theirs[-1]['rps']:8.0f} req/s p99 {theirs[-1]['p99_ms']:.2f} ms")
                out[path] = {
                    "sandbox_rps": summary([r["rps"] for r in ours]),
                    "sandbox_p99_ms": summary([r["p99_ms"] for r in ours]),
                    "prism_rps": summary([r["rps"] for r in theirs]),
                    "prism_p99_ms": summary([r["p99_ms"] for r in theirs]),
                    "ratio": summary([a["rps"] / b["rps"] for a, b in zip(ours, theirs)]),
                }
    out["connections"] = connections
    return out


def experiment_default_run(rounds: int) -> dict:
    runs = []
    for i in range(rounds):
        r = timed([str(RELEASE / "ssp-conformance"), "run"])
        if r["code"] != 0:
            raise RuntimeError(f"the default run failed:\n{r['stdout'][-3000:]}{r['stderr'][-2000:]}")
        log(f"default run {i + 1}: {r['wall']:.2f} s, {r['rss_mib']:.1f} MiB")
        runs.append(r)
    return {"wall": summary([r["wall"] for r in runs]), "rss_mib": summary([r["rss_mib"] for r in runs])}


def experiment_build(clean: bool) -> dict:
    out = {}
    if clean:
        with tempfile.TemporaryDirectory(prefix="ssp-bench-target-") as target:
            env = {"CARGO_TARGET_DIR": target}
            r = timed(["cargo", "build", "--workspace", "--locked", "--all-targets"], env)
            out["clean_build_s"] = r["wall"]
            r = timed(["cargo", "test", "--workspace", "--locked"], env)
            out["test_after_build_s"] = r["wall"]
            out["test_passed"] = r["code"] == 0
            log(f"clean build {out['clean_build_s']:.0f} s, then tests {out['test_after_build_s']:.0f} s")
    original = SPEC.read_text()
    try:
        timed(["cargo", "build", "--workspace", "--locked"])  # warm
        SPEC.write_text(original.replace("summary: List processes", "summary: List the processes", 1))
        r = timed(["cargo", "build", "--workspace", "--locked"])
        out["rebuild_after_spec_change_s"] = r["wall"]
        log(f"rebuild after a one-line spec change: {r['wall']:.1f} s")
    finally:
        SPEC.write_text(original)
        timed(["cargo", "build", "--workspace", "--locked"])
    return out


# --------------------------------------------------------------------------- report

def machine() -> dict:
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {"cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "cpu": model.group(1).strip() if model else platform.processor(), "kernel": platform.release()}


def plot(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = []
    if "suite_vs_schemathesis" in results:
        e = results["suite_vs_schemathesis"]
        c = e["concurrency"]
        bars += [(f"ssp-conformance\nwhole suite, c={c}", e["suite"]["rps"]),
                 (f"Schemathesis\nwhole spec, c={c}", e["schemathesis"]["rps"])]
    if "suite_vs_wrk" in results:
        e = results["suite_vs_wrk"]
        c = e["concurrency"]
        bars += [(f"ssp-conformance\nGET {e['path']}\nc={c}", e["suite_rps"]),
                 (f"wrk\nGET {e['path']}\nc={c}", e["wrk_rps"])]
    if "sandbox_vs_prism" in results:
        e = results["sandbox_vs_prism"]
        c = e["connections"]
        bars += [(f"ssp-sandbox\n(wrk /processes, c={c})", e["/processes"]["sandbox_rps"]),
                 (f"Prism mock\n(wrk /processes, c={c})", e["/processes"]["prism_rps"])]
    fig, ax = plt.subplots(figsize=(10, 5))
    names = [b[0] for b in bars]
    medians = [b[1]["median"] for b in bars]
    errors = [[b[1]["median"] - b[1]["min"] for b in bars], [b[1]["max"] - b[1]["median"] for b in bars]]
    ax.bar(names, medians, yerr=errors, capsize=4, color=["#2b6cb0", "#c05621", "#63b3ed", "#4a5568", "#2f855a", "#805ad5"][:len(bars)])
    ax.set_yscale("log")
    ax.set_ylabel("requests per second (log scale, median, min–max)")
    ax.set_title(f"Requests per second on this machine ({results['machine']['cores']} cores), {results['date']}")
    for i, m in enumerate(medians):
        ax.text(i, m, f"{m:,.0f}", ha="center", va="bottom", fontsize=9)
    plt.xticks(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_markdown(results: dict, commands: list[str], path: Path) -> None:
    m = results["machine"]
    lines = [
        "# Benchmark results", "",
        f"Run on {results['date']} by `bench/run.sh{' --quick' if results['quick'] else ''}`, "
        f"on {m['cores']} cores, {m['memory_gib']} GiB ({m['cpu']}, Linux {m['kernel']}).",
        "Each figure: median (min–max, n runs). Ratios are medians of per-pair ratios of runs made in alternation.",
        "", f"![requests per second](requests-per-second{'-quick' if results['quick'] else ''}.png)", "",
    ]
    if "suite_vs_schemathesis" in results:
        e = results["suite_vs_schemathesis"]
        lines += [
            f"## 1. ssp-conformance vs Schemathesis (same release sandbox, {e['cases']} cases per operation, "
            f"concurrency {e['concurrency']})", "",
            "| tool | requests | wall time | requests/s | peak memory |", "|---|---|---|---|---|",
            f"| ssp-conformance | {fmt(e['suite']['requests'], '', 0)} | {fmt(e['suite']['wall'], ' s', 2)} | "
            f"{fmt(e['suite']['rps'], '', 0)} | {fmt(e['suite']['rss_mib'], ' MiB')} |",
            f"| Schemathesis | {fmt(e['schemathesis']['requests'], '', 0)} | {fmt(e['schemathesis']['wall'], ' s', 2)} | "
            f"{fmt(e['schemathesis']['rps'], '', 0)} | {fmt(e['schemathesis']['rss_mib'], ' MiB')} |",
            "", f"- requests/s ratio (suite / Schemathesis): **{fmt(e['rps_ratio'], '×')}** (target ≥ 30×)",
            f"- peak memory ratio (Schemathesis / suite): **{fmt(e['rss_ratio'], '×')}** (target ≥ 3×)",
            f"- Schemathesis exit codes seen: {e['schemathesis_exit']}", "",
        ]
    if "suite_vs_wrk" in results:
        e = results["suite_vs_wrk"]
        full = results.get("suite_vs_schemathesis", {}).get("suite", {}).get("rps")
        lines += [
            f"## 2. ssp-conformance vs the loopback limit (wrk, keep-alive, {e['concurrency']} connections, "
            f"GET {e['path']})", "",
            f"The same operation for both: the suite with `--operations {e['operation']} --cases {e['cases']} --threads 2` "
            f"(its positive, negative, boundary and key cases; {fmt(e['suite_requests'], ' requests', 0)}), "
            f"wrk with one valid request.", "",
            "| client | requests/s | sandbox CPU per request |", "|---|---|---|",
            f"| ssp-conformance | {fmt(e['suite_rps'], '', 0)} | {fmt(e['suite_server_us'], ' µs')} |",
            f"| wrk | {fmt(e['wrk_rps'], '', 0)} | {fmt(e['wrk_server_us'], ' µs')} |",
            "", f"- ratio suite / wrk: **{fmt(e['ratio'], '', 2)}** (target ≥ 0.5)",
            f"- for comparison, wrk on GET /processes: {fmt(e['wrk_processes_rps'], ' req/s', 0)}"
            + (f"; the whole suite (experiment 1) reached {fmt(full, ' req/s', 0)}, "
               f"{full['median'] / e['wrk_processes_rps']['median']:.2f} of it" if full else ""), "",
        ]
    if "sandbox_vs_prism" in results:
        e = results["sandbox_vs_prism"]
        lines += [f"## 3. ssp-sandbox vs Prism mock (wrk, {e['connections']} connections)", "",
                  "| operation | sandbox req/s | sandbox p99 | Prism req/s | Prism p99 | ratio |", "|---|---|---|---|---|---|"]
        for op in ("/processes", "/municipalities"):
            r = e[op]
            lines.append(f"| GET {op} | {fmt(r['sandbox_rps'], '', 0)} | {fmt(r['sandbox_p99_ms'], ' ms', 2)} | "
                         f"{fmt(r['prism_rps'], '', 0)} | {fmt(r['prism_p99_ms'], ' ms', 2)} | **{fmt(r['ratio'], '×')}** |")
        lines += ["", "Targets: ratio ≥ 10×, sandbox p99 < 5 ms.", ""]
    if "default_run" in results:
        e = results["default_run"]
        lines += ["## 4. Full default run (`ssp-conformance run`, embedded sandbox)", "",
                  f"- wall time: **{fmt(e['wall'], ' s', 2)}** (target < 5 s)", f"- peak memory: {fmt(e['rss_mib'], ' MiB')}", ""]
    if "build" in results:
        e = results["build"]
        lines += ["## 5. Build", ""]
        if "clean_build_s" in e:
            lines += [f"- clean build of the workspace (all targets): {e['clean_build_s']:.0f} s",
                      f"- then `cargo test --workspace --locked`: {e['test_after_build_s']:.0f} s (passed: {e['test_passed']})"]
        lines += [f"- rebuild after a one-line spec change: {e['rebuild_after_spec_change_s']:.1f} s", ""]
    lines += ["## Commands", "", "```sh", *commands, "```", ""]
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short round of each, no clean build")
    parser.add_argument("--only", type=int, action="append", choices=range(1, 6), metavar="N",
                        help="run only experiment N (repeatable); prints the figures, writes no files")
    args = parser.parse_args()
    quick = args.quick
    rounds = 1 if quick else 5
    cases = 10 if quick else 50
    concurrency = 2
    seconds = 2 if quick else 5
    wanted = set(args.only or range(1, 6))
    results = {"date": dt.date.today().isoformat(), "machine": machine(), "quick": quick}
    if 1 in wanted:
        results["suite_vs_schemathesis"] = experiment_suite_vs_schemathesis(rounds if not quick else 1, cases, concurrency)
    if 2 in wanted:
        results["suite_vs_wrk"] = experiment_suite_vs_wrk(rounds, 500 if quick else 5000, concurrency, seconds)
    if 3 in wanted:
        results["sandbox_vs_prism"] = experiment_sandbox_vs_prism(rounds, 16, seconds)
    if 4 in wanted:
        results["default_run"] = experiment_default_run(rounds)
    if 5 in wanted:
        results["build"] = experiment_build(clean=not quick)
    if args.only:
        print(json.dumps(results, indent=2))
        return 0
    commands = [
        " ".join(suite_argv("$URL", "$APIKEY", cases, concurrency)).replace(str(ROOT) + "/", ""),
        " ".join(schemathesis_argv("$URL", "$APIKEY", cases, concurrency)).replace(str(ROOT) + "/", ""),
        " ".join(suite_argv("$URL", "$APIKEY", 500 if quick else 5000, concurrency)
                 + SAME_OPERATION_ARGS).replace(str(ROOT) + "/", ""),
        f"wrk -t 2 -c {concurrency} -d {seconds}s --latency -H 'Ocp-Apim-Subscription-Key: …' "
        f"-H 'Authorization: Bearer …' $URL{SAME_OPERATION[1]} (and $URL/processes)",
        f"prism mock -h 127.0.0.1 -p $PORT spec/openapi.yaml; wrk -t 2 -c 16 -d {seconds}s --latency … /processes, /municipalities",
        "target/release/ssp-conformance run",
        "CARGO_TARGET_DIR=$(mktemp -d) cargo build --workspace --locked --all-targets; cargo test --workspace --locked",
    ]
    suffix = "-quick" if quick else ""
    (BENCH / f"results{suffix}.json").write_text(json.dumps(results, indent=2))
    plot(results, BENCH / f"requests-per-second{suffix}.png")
    write_markdown(results, commands, BENCH / f"RESULTS{suffix}.md")
    print((BENCH / f"RESULTS{suffix}.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
