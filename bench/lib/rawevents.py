"""Raw-event throughput: records per second from the ring buffer to the
collector's store, and the loss, at rising offered rates.

The producer is `vnt-evgen RATE SECS` (bench/tools/evgen.c): getppid()
RATE times a second. A trace with one hop on the sys_enter BTF tracepoint,
filtered on the generator's command name, with `events`, turns every call
into one ring-buffer record; the whole pipeline then runs as in production:
`vnt dispatch` with a local agent over stdio (`vnt-agent --stdio`: ring
buffer -> agent -> frames -> dispatcher -> SQLite store). Records that the
ring buffer had no room for are counted by the kernel (the agent reports
them as lost); the store's rows are counted after the run.

delivered/s = rows stored / (production time + the drain after the stop),
that is, until the dispatcher had stored the last record."""
import json
import os
import sqlite3
import subprocess
import tempfile
import time

# Records per system call of the generator: four hops on the same hook (one
# program) each send a record. The benchmark measures the pipeline behind
# the ring buffer; with one record per call the generator's own system
# calls, on the same 2 cores, capped what it could offer (660-930k/s).
PER_CALL = 4
SCRIPT = """\
# Raw-event benchmark: %d records per getppid() of vnt-evgen.
trace raw {
    where comm "vnt-evgen"
%s    events
}
""" % (PER_CALL, "".join('    hop call%d = tp_btf("sys_enter")\n' % i for i in range(PER_CALL)))


def evgen_rate(rate):
    """The generator's calls/s for `rate` records/s offered (0: flat out)."""
    return rate // PER_CALL if rate else 0


def _last_run(db):
    c = sqlite3.connect(db)
    try:
        run = c.execute("select max(id) from runs").fetchone()[0]
        status, events, lost = c.execute("select status, events, lost from hosts where run_id = ?",
                                         (run,)).fetchone()
        stored = c.execute("select count(*) from events where run_id = ?", (run,)).fetchone()[0]
        return {"host_status": status, "agent_sent": events, "lost": lost, "stored": stored}
    finally:
        c.close()


def one_rate(vnt, agent, evgen, pkg, rate, secs, workdir, log):
    """One dispatch with the generator at `rate` calls/s (0: flat out)."""
    db = os.path.join(workdir, f"raw-{rate}.db")
    hosts = os.path.join(workdir, "hosts")
    with open(hosts, "w") as f:
        f.write(f"local stdio:{agent} --stdio\n")
    err = open(os.path.join(workdir, f"raw-{rate}.err"), "w+")
    d = subprocess.Popen([vnt, "dispatch", "--hosts", hosts, "--db", db, "--duration", "600", pkg],
                         stdout=subprocess.DEVNULL, stderr=err)
    try:
        for _ in range(300):
            err.seek(0)
            if "attached; tracing" in err.read() or d.poll() is not None:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("vnt dispatch did not start tracing")
        g = subprocess.run([evgen, str(evgen_rate(rate)), str(secs)], capture_output=True, text=True, timeout=secs + 60)
        calls, gen_secs = g.stdout.split()
        t_stop = time.monotonic()
        d.send_signal(2)
        d.wait(timeout=120)
        drain = time.monotonic() - t_stop
    finally:
        if d.poll() is None:
            d.kill()
            d.wait()
        err.seek(0)
        tail = err.read()[-2000:]
        err.close()
    r = _last_run(db)
    calls, gen_secs = int(calls), float(gen_secs)
    r.update({"offered_rate": rate, "calls": calls, "gen_secs": gen_secs, "drain_s": drain,
              "offered_per_s": calls * PER_CALL / gen_secs, "dispatch_rc": d.returncode})
    r["delivered_per_s"] = r["stored"] / (gen_secs + drain)
    r["records_seen"] = r["stored"] + r["lost"]
    if d.returncode != 0:
        r["dispatch_err"] = tail
    os.unlink(db)
    for ext in ("-wal", "-shm"):
        if os.path.exists(db + ext):
            os.unlink(db + ext)
    log(f"   raw events: offered {rate or 'max'}/s -> {r['offered_per_s'] / 1e3:7.1f}k/s generated, "
        f"{r['stored']} stored, {r['lost']} lost, {r['delivered_per_s'] / 1e3:7.1f}k/s delivered "
        f"(drain after stop {drain:.2f}s)")
    return r


def measure(vnt, evgen, rates, secs, log):
    agent = os.path.join(os.path.dirname(vnt), "vnt-agent")
    if not (os.access(agent, os.X_OK) and os.access(evgen, os.X_OK)):
        return {"error": "vnt-agent or vnt-evgen missing"}
    work = tempfile.mkdtemp(prefix="vnt-bench-raw-")
    src, pkg = os.path.join(work, "raw.vnt"), os.path.join(work, "raw.vntpkg")
    with open(src, "w") as f:
        f.write(SCRIPT)
    r = subprocess.run([vnt, "compile", "-o", pkg, src], capture_output=True, text=True)
    if r.returncode:
        return {"error": "compile: " + r.stderr}
    log(f"== raw-event throughput: ring buffer -> vnt-agent (stdio) -> vnt dispatch -> SQLite, {secs}s per rate")
    out = {"secs": secs, "rates": []}
    for rate in rates:
        try:
            out["rates"].append(one_rate(vnt, agent, evgen, pkg, rate, secs, work, log))
        except (RuntimeError, subprocess.SubprocessError, ValueError, OSError) as e:
            out["rates"].append({"offered_rate": rate, "error": str(e)})
    subprocess.run(["rm", "-rf", work])
    return out


def report(raw, P, verdict):
    P("\n7. Raw-event throughput: ring buffer -> vnt-agent --stdio -> vnt dispatch -> SQLite store "
      "(one record per getppid() of vnt-evgen)")
    if not raw or raw.get("error"):
        P(f"   n/a ({(raw or {}).get('error', 'not run: --raw-secs 0')})")
        return
    P(f"  {'offered':>9s} {'generated/s':>12s} {'stored':>9s} {'lost':>9s} {'loss':>6s} {'delivered/s':>12s} "
      f"{'drain':>6s}")
    best, at300 = 0, None
    for r in raw["rates"]:
        if r.get("error"):
            P(f"  {r['offered_rate'] or 'max':>9} error: {r['error']}")
            continue
        seen = r["records_seen"] or 1
        P(f"  {r['offered_rate'] or 'max':>9} {r['offered_per_s'] / 1e3:11.1f}k {r['stored']:9d} {r['lost']:9d} "
          f"{100 * r['lost'] / seen:5.1f}% {r['delivered_per_s'] / 1e3:11.1f}k {r['drain_s']:5.2f}s")
        best = max(best, r["delivered_per_s"])
        if r["offered_rate"] == 300000:
            at300 = r["lost"]
    P(f"   best delivered: {best / 1e3:.0f}k records/s -> target >= 1M/s {verdict(best >= 1e6)}; "
      f"lost at 300k/s: {'n/a' if at300 is None else at300} -> target 0 {verdict(at300 == 0)}")
    P("   the generator, the agent and the dispatcher share the machine's CPUs with the kernel's tracing.")


if __name__ == "__main__":
    import sys
    print(json.dumps(measure(sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")],
                             float(sys.argv[4]), print), indent=1))
