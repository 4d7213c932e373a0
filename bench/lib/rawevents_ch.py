"""Raw-event throughput into the ClickHouse store (bench/clickhouse.sh):
the pipeline of rawevents.py (vnt-evgen -> ring buffer -> vnt-agent --stdio
-> vnt dispatch) with --db clickhouse://..., rows counted by the server
after the run, beside the same rates into SQLite (rawevents.one_rate).

delivered/s = rows stored / (production time + the drain after the stop),
that is, until the dispatcher had handed the last batch to the server;
dispatch_rss_kb: the dispatcher's peak resident memory (its rusage)."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawevents  # noqa: E402


def ch(port, sql):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", data=sql.encode(), timeout=60) as r:
        return r.read().decode().strip()


def one_rate(vnt, agent, evgen, pkg, url, port, rate, secs, workdir, log):
    hosts = os.path.join(workdir, "hosts")
    with open(hosts, "w") as f:
        f.write(f"local stdio:{agent} --stdio\n")
    err = open(os.path.join(workdir, f"ch-{rate}.err"), "w+")
    d = subprocess.Popen([vnt, "dispatch", "--hosts", hosts, "--db", url, "--duration", "600", pkg],
                         stdout=subprocess.DEVNULL, stderr=err)
    try:
        for _ in range(300):
            err.seek(0)
            if "attached; tracing" in err.read() or d.poll() is not None:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("vnt dispatch did not start tracing")
        g = subprocess.run([evgen, str(rawevents.evgen_rate(rate)), str(secs)], capture_output=True, text=True,
                           timeout=secs + 60)
        calls, gen_secs = g.stdout.split()
        t_stop = time.monotonic()
        d.send_signal(2)
        rss = 0
        for _ in range(3000):   # up to 300 s, as before
            pid, status, ru = os.wait4(d.pid, os.WNOHANG)
            if pid:
                d.returncode = os.waitstatus_to_exitcode(status)
                rss = ru.ru_maxrss
                break
            time.sleep(0.01)
        else:
            raise RuntimeError("vnt dispatch did not stop")
        drain = time.monotonic() - t_stop
    finally:
        if d.poll() is None:
            d.kill()
            d.wait()
        err.seek(0)
        tail = err.read()[-2000:]
        err.close()
    db = url.split("/")[-1]
    run = ch(port, f"SELECT id FROM {db}.runs WHERE version = 1 ORDER BY started_ns DESC LIMIT 1")
    stored = int(ch(port, f"SELECT count() FROM {db}.events WHERE run_id = {run}"))
    sent, lost = (int(x) for x in ch(port, f"SELECT argMax(events, version), argMax(lost, version) FROM {db}.hosts"
                                           f" WHERE run_id = {run} GROUP BY id").split())
    calls, gen_secs = int(calls), float(gen_secs)
    r = {"offered_rate": rate, "calls": calls, "gen_secs": gen_secs, "drain_s": drain, "stored": stored,
         "agent_sent": sent, "lost": lost, "offered_per_s": calls * rawevents.PER_CALL / gen_secs,
         "dispatch_rc": d.returncode,
         "delivered_per_s": stored / (gen_secs + drain), "records_seen": stored + lost, "dispatch_rss_kb": rss}
    if d.returncode != 0:
        r["dispatch_err"] = tail
    log(f"   clickhouse: offered {rate or 'max'}/s -> {r['offered_per_s'] / 1e3:7.1f}k/s generated, "
        f"{stored} stored, {lost} lost, {r['delivered_per_s'] / 1e3:7.1f}k/s delivered (drain {drain:.2f}s), "
        f"dispatcher peak {rss / 1024:.0f} MB")
    return r


def measure(vnt, evgen, url, port, rates, secs, log):
    agent = os.path.join(os.path.dirname(vnt), "vnt-agent")
    work = tempfile.mkdtemp(prefix="vnt-bench-rawch-")
    src, pkg = os.path.join(work, "raw.vnt"), os.path.join(work, "raw.vntpkg")
    with open(src, "w") as f:
        f.write(rawevents.SCRIPT)
    r = subprocess.run([vnt, "compile", "-o", pkg, src], capture_output=True, text=True)
    if r.returncode:
        return {"error": "compile: " + r.stderr}
    out = {"secs": secs, "clickhouse": [], "sqlite": []}
    for rate in rates:
        out["clickhouse"].append(one_rate(vnt, agent, evgen, pkg, url, port, rate, secs, work, log))
        out["sqlite"].append(rawevents.one_rate(vnt, agent, evgen, pkg, rate, secs, work, log))
    subprocess.run(["rm", "-rf", work])
    return out


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]),
                             [int(x) for x in sys.argv[5].split(",")], float(sys.argv[6]),
                             lambda m: print(m, file=sys.stderr)), indent=1))
