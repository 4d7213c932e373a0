#!/usr/bin/env python3
"""vNetTracer benchmark driver: vnt against bpftrace and the kernel's floor.

Run through bench/run, which builds vnt, sets up the namespaces
(tests/lib/topo.sh), turns on kernel.bpf_stats_enabled and exports the
topology's names; this program does the measuring and the statistics.
See bench/README.md for what is measured and how.

Subcommands:
  main ARGS         run the benchmark (bench/run passes its options here)
  floor OBJ PROG..  load and attach the named programs (the empty floor, or a
                    hand-written bound), wait for SIGTERM; then print the
                    total of the object's hand_hist map if it has one
  report FILE       print the table of an existing results.json
Only the Python standard library is used (ctypes for libbpf in `floor`).
"""
import argparse
import ctypes
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import urllib.request
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawevents  # noqa: E402  (bench/lib/rawevents.py)
TOP = os.path.dirname(BENCH)

SPORT, DPORT = 40000, 11111

# Workloads: the .vnt and .bt files in bench/workloads/, the topology they
# run on, and what their outputs count (compared in the verification run).
WORKLOADS = [
    {"id": 1, "name": "1-count-dev", "topo": "veth",
     "title": "count by device, UDP 5-tuple filter, at device transmit (veth)"},
    {"id": 2, "name": "2-veth-latency", "topo": "veth", "hand": "hand-latency",
     "title": "latency veth transmit -> peer receive, log2 histogram (veth)"},
    {"id": 3, "name": "3-len-by-flow", "topo": "veth",
     "title": "log2 histogram of packet length by flow (veth)"},
    {"id": 4, "name": "4-bridge-path", "topo": "bridge", "hand": "hand-breakdown",
     "title": "four-hop path breakdown across a Linux bridge"},
    {"id": 5, "name": "5-vxlan-latency", "topo": "vxlan", "hand": "hand-latency",
     "title": "latency VM veth transmit -> far VM veth receive through VXLAN"},
    {"id": 6, "name": "6-ovs-path", "topo": "ovs", "hand": "hand-breakdown",
     "title": "four-hop path breakdown through Open vSwitch (userspace datapath)"},
]

# Floor programs (bench/floor/empty.bpf.c) per tracepoint and hook form.
FLOOR_PROGS = {
    "net_dev_start_xmit": {"btf": "floor_btf_xmit", "tp": "floor_tp_xmit"},
    "netif_receive_skb": {"btf": "floor_btf_recv", "tp": "floor_tp_recv"},
}

VARIANTS = ["vnt", "bpftrace", "floor", "untraced"]

# The hand-written lower bounds (bench/floor/hand-*.bpf.c) of the
# workloads that name one: their programs and hooks.
HAND_PROGS = {"hand_xmit": "net_dev_start_xmit", "hand_recv": "netif_receive_skb"}

# How often each hook fires per flood packet on each topology (the devices
# on the path; IPv6 is off and neighbours are static, so nothing else):
#   veth:   A xmit; B receive
#   bridge: vm1 xmit, port2 xmit; port1 receive, vm2 receive
#   vxlan:  vm1, vxlan1, underlay1, port2 xmit; port1, underlay2, vxlan2, vm2 receive
#   ovs:    as bridge (OVS reads port 1 and writes port 2 with AF_PACKET);
#           a packet OVS drops at its input under the flood fires only the
#           first two: the verification run's counts show how many
HOOK_EVENTS = {
    "veth": {"net_dev_start_xmit": 1, "netif_receive_skb": 1},
    "bridge": {"net_dev_start_xmit": 2, "netif_receive_skb": 2},
    "vxlan": {"net_dev_start_xmit": 4, "netif_receive_skb": 4},
    "ovs": {"net_dev_start_xmit": 2, "netif_receive_skb": 2},
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def env(name):
    v = os.environ.get(name)
    if not v:
        raise SystemExit(f"bench.py: ${name} is not set (run bench/run, not bench.py)")
    return v


def topo_params(topo):
    """The names and addresses a workload's scripts are rendered with."""
    if topo == "veth":
        p = {"NS_A": env("VP_NS_A"), "DEV_A": env("VP_DEV_A"), "NS_B": env("VP_NS_B"),
             "DEV_B": env("VP_DEV_B"), "SRC": env("VP_IP_A"), "DST": env("VP_IP_B")}
    elif topo == "bridge":
        p = {"NS_A": env("BR_NS_VM1"), "DEV_A": env("BR_DEV_VM1"), "NS_B": env("BR_NS_VM2"),
             "DEV_B": env("BR_DEV_VM2"), "NS_SW": env("BR_NS_SW"), "PORT1": env("BR_PORT1"),
             "PORT2": env("BR_PORT2"), "SRC": env("BR_IP_VM1"), "DST": env("BR_IP_VM2")}
    elif topo == "ovs":
        p = {"NS_A": env("OV_NS_A"), "DEV_A": env("OV_DEV_A"), "NS_B": env("OV_NS_B"),
             "DEV_B": env("OV_DEV_B"), "NS_SW": env("OV_NS_SW"), "PORT1": env("OV_PORT1"),
             "PORT2": env("OV_PORT2"), "SRC": env("OV_IP_A"), "DST": env("OV_IP_B")}
    elif topo == "vxlan":
        p = {"NS_A": env("VX_NS_VM1"), "DEV_A": env("VX_DEV_VM1"), "NS_B": env("VX_NS_VM2"),
             "DEV_B": env("VX_DEV_VM2"), "SRC": env("VX_IP_VM1"), "DST": env("VX_IP_VM2")}
    else:
        raise ValueError(topo)
    p["SPORT"], p["DPORT"] = str(SPORT), str(DPORT)
    # bpftrace reads the headers' fields with little-endian loads: the
    # network-order constants as such a load sees them.
    for k in ("SRC", "DST"):
        p[k + "_LE"] = hex(int.from_bytes(bytes(int(x) for x in p[k].split(".")), "little"))
    for k in ("SPORT", "DPORT"):
        v = int(p[k])
        p[k + "_LE"] = hex(((v & 0xff) << 8) | (v >> 8))
    return p


def render(src, dst, params):
    text = open(src).read()

    def sub(m):
        if m.group(1) not in params:
            raise SystemExit(f"bench.py: {src}: no value for @{m.group(1)}@")
        return params[m.group(1)]
    text = re.sub(r"@([A-Z][A-Z0-9_]*)@", sub, text)
    with open(dst, "w") as f:
        f.write(text)
    return text


def nsexec(ns):
    return ["nsenter", f"--net=/run/netns/{ns}", "--"]


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


# ---------------------------------------------------------------- kernel side

def bpftool_json(*args):
    r = run(["bpftool", "-j"] + list(args))
    if r.returncode != 0:
        raise RuntimeError(f"bpftool {' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout or "[]")


def owned_bpf(pid):
    """Program and map ids whose file descriptors process `pid` holds."""
    progs, maps = set(), set()
    base = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(base)
    except OSError:
        return progs, maps
    for fd in fds:
        try:
            target = os.readlink(f"{base}/{fd}")
            if not target.startswith("anon_inode:bpf"):
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = f.read()
        except OSError:
            continue
        m = re.search(r"^prog_id:\s*(\d+)", info, re.M)
        if m and "bpf-prog" in target:
            progs.add(int(m.group(1)))
        m = re.search(r"^map_id:\s*(\d+)", info, re.M)
        if m:
            maps.add(int(m.group(1)))
    return progs, maps


def prog_snapshot(ids):
    """run_time_ns / run_cnt (and sizes) of the given programs, by id."""
    if not ids:
        return {}
    out = {}
    for p in bpftool_json("prog", "show"):
        if p["id"] in ids:
            out[p["id"]] = {
                "name": p.get("name", "?"), "type": p.get("type", "?"),
                "run_time_ns": p.get("run_time_ns", 0), "run_cnt": p.get("run_cnt", 0),
                "insns": p.get("bytes_xlated", 0) // 8, "jited_bytes": p.get("bytes_jited", 0),
                "verified_insns": p.get("verified_insns"), "map_ids": p.get("map_ids", []),
            }
    return out


def stats_enabled():
    try:
        return open("/proc/sys/kernel/bpf_stats_enabled").read().strip() == "1"
    except OSError:
        return False


def map_memlock(map_ids):
    if not map_ids:
        return 0, []
    total, rows = 0, []
    for m in bpftool_json("map", "show"):
        if m["id"] in map_ids:
            b = m.get("bytes_memlock", 0)
            total += b
            rows.append({"id": m["id"], "name": m.get("name", ""), "type": m.get("type", ""),
                         "max_entries": m.get("max_entries", 0), "bytes_memlock": b})
    return total, rows


def xlated_profile(prog_id):
    """Instruction count and helper calls of a program (bpftool prog dump xlated)."""
    r = run(["bpftool", "prog", "dump", "xlated", "id", str(prog_id)])
    if r.returncode != 0:
        return None
    insns, calls = 0, {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\d+):\s*\((\w\w)\)\s*(.*)", line)
        if not m:
            continue
        insns += 1
        body = m.group(3)
        c = re.match(r"call (\S+)", body)
        if c:
            name = re.sub(r"#-?\d+$", "", c.group(1))
            calls[name] = calls.get(name, 0) + 1
    return {"insns_listed": insns, "calls": calls}


def foreign_net_progs(ours):
    """Programs of other processes on tracing/tracepoint hooks right now."""
    out = []
    try:
        for p in bpftool_json("prog", "show"):
            if p["id"] in ours:
                continue
            if p.get("type") in ("tracing", "tracepoint", "raw_tracepoint", "sched_cls", "xdp"):
                out.append(f'{p["id"]}:{p.get("name", "?")}')
    except RuntimeError:
        pass
    return out


# ---------------------------------------------------------------- tools

class Tool:
    """A tracer process: started, timed until attached, stopped."""

    def __init__(self, kind, cmd, logdir, label, envx=None, expect_probes=0):
        self.kind, self.cmd, self.label = kind, cmd, label
        self.logdir, self.expect_probes = logdir, expect_probes
        self.env = dict(os.environ)
        if envx:
            self.env.update(envx)
        self.p = None
        self.err_lines = []
        self.attached_at = None
        self.start_s = None
        self.attach_line = ""

    def _reader(self):
        with open(os.path.join(self.logdir, self.label + ".err"), "w") as f:
            for line in self.p.stderr:
                now = time.monotonic()
                f.write(line)
                self.err_lines.append(line)
                if self.attached_at is None and self.kind in ("vnt", "floor") and "attached" in line:
                    self.attached_at = now
                    self.attach_line = line.strip()

    def start(self, timeout=60.0):
        self.out = open(os.path.join(self.logdir, self.label + ".out"), "w")
        t0 = time.monotonic()
        self.p = subprocess.Popen(self.cmd, stdout=self.out, stderr=subprocess.PIPE, text=True,
                                  env=self.env)
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()
        deadline = t0 + timeout
        while True:
            if self.kind == "bpftrace":
                # bpftrace prints "Attaching N probes..." before it attaches:
                # wait until the kernel shows its N tracepoint attachments.
                try:
                    n = sum(1 for e in bpftool_json("perf", "show") if e.get("pid") == self.p.pid)
                except (RuntimeError, ValueError):
                    n = 0
                if n >= self.expect_probes:
                    self.attached_at = time.monotonic()
            if self.attached_at is not None:
                break
            if self.p.poll() is not None:
                self.t.join(2)
                raise RuntimeError(f"{self.label}: exited with {self.p.returncode} before attaching:\n"
                                   + "".join(self.err_lines[-20:]))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.label}: not attached after {timeout}s")
            time.sleep(0.002 if self.kind != "bpftrace" else 0.0)
        self.start_s = self.attached_at - t0
        self.start_cpu_s = self.cpu_s()
        self.progs, self.maps = owned_bpf(self.p.pid)
        return self.start_s

    def cpu_s(self):
        """CPU time of the process and its waited-for children (clang), s."""
        try:
            f = open(f"/proc/{self.p.pid}/stat").read().rsplit(")", 1)[1].split()
            return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def vmhwm_kb(self):
        try:
            for line in open(f"/proc/{self.p.pid}/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return None

    def stop(self):
        if self.p is None:
            return None
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM if self.kind == "floor" else signal.SIGINT)
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.t.join(5)
        self.out.close()
        return open(os.path.join(self.logdir, self.label + ".out")).read()


# ---------------------------------------------------------------- traffic

def flood(w, n):
    """Send n 64-byte UDP datagrams from A to B as fast as possible."""
    p = w["params"]
    tmp = tempfile.mkdtemp(prefix="vnt-bench-")
    ready = os.path.join(tmp, "ready")
    sink = subprocess.Popen(nsexec(p["NS_B"]) + [env("UDPSINK"), "--bind", p["DST"], "--port", p["DPORT"],
                                                  "--idle-ms", "300", "--start-timeout-ms", "15000",
                                                  "--ready-file", ready],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(400):
        if os.path.exists(ready) or sink.poll() is not None:
            break
        time.sleep(0.01)
    if not os.path.exists(ready):
        sink.kill()
        raise RuntimeError("udpsink did not start: " + sink.communicate()[1])
    gen = nsexec(p["NS_A"]) + [env("UDPGEN"), "--src", p["SRC"], "--sport", p["SPORT"],
                                "--dst", p["DST"], "--dport", p["DPORT"], "--count", str(n), "--size", "64"]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = run(gen)
    t1 = time.monotonic()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The sender's CPU time: the veth transmit, and the receive softirq that
    # veth runs in the sender's context, are charged to it (tick-sampled).
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    out, err = sink.communicate(timeout=60)
    shutil.rmtree(tmp, ignore_errors=True)
    if r.returncode != 0:
        raise RuntimeError("udpgen failed: " + r.stderr)
    sent = int(r.stdout.strip() or 0)
    received = int(out.strip() or 0)
    return {"sent": sent, "received": received, "secs": t1 - t0, "pps": sent / (t1 - t0),
            "cpu_s": cpu, "cpu_ns_per_packet": 1e9 * cpu / sent if sent else None}


def sockperf(w, secs):
    """sockperf ping-pong, 64-byte messages, A -> B on the workload's 5-tuple."""
    p = w["params"]
    srv = subprocess.Popen(nsexec(p["NS_B"]) + ["sockperf", "sr", "-i", p["DST"], "-p", p["DPORT"]],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            r = run(nsexec(p["NS_B"]) + ["ss", "-Hlun", f"sport = :{p['DPORT']}"])
            if r.stdout.strip():
                break
            time.sleep(0.01)
        r = run(nsexec(p["NS_A"]) + ["sockperf", "pp", "-i", p["DST"], "-p", p["DPORT"],
                                      "--client_ip", p["SRC"], "--client_port", p["SPORT"],
                                      "-m", "64", "-t", str(secs)], timeout=secs + 30)
    finally:
        srv.terminate()
        srv.wait()
    res = {}
    text = r.stdout + r.stderr
    for m in re.finditer(r"percentile\s+([\d.]+)\s*=\s*([\d.]+)", text):
        res["p" + m.group(1).rstrip("0").rstrip(".")] = float(m.group(2))
    m = re.search(r"avg-latency=([\d.]+)", text)
    if m:
        res["avg"] = float(m.group(1))
    m = re.search(r"ReceivedMessages=(\d+)", text)
    if m:
        res["messages"] = int(m.group(1))
    if "p50" not in res:
        raise RuntimeError("sockperf gave no percentiles:\n" + text[-2000:])
    return res


def tcp_stream(w, secs):
    """sockperf throughput over TCP, A -> B, 1400-byte messages: MB/s. The
    workloads' filters are UDP: this is what the hooks cost on traffic
    they run for and reject, the common case on a production host."""
    p = w["params"]
    port = str(int(p["DPORT"]) + 1)
    srv = subprocess.Popen(nsexec(p["NS_B"]) + ["sockperf", "sr", "--tcp", "-i", p["DST"], "-p", port],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if run(nsexec(p["NS_B"]) + ["ss", "-Hltn", f"sport = :{port}"]).stdout.strip():
                break
            time.sleep(0.01)
        r = run(nsexec(p["NS_A"]) + ["sockperf", "tp", "--tcp", "-i", p["DST"], "-p", port,
                                      "-m", "1400", "-t", str(secs)], timeout=secs + 30)
    finally:
        srv.terminate()
        srv.wait()
    m = re.search(r"BandWidth is ([\d.]+) MBps", r.stdout + r.stderr)
    if not m:
        raise RuntimeError("sockperf tp gave no bandwidth:\n" + (r.stdout + r.stderr)[-2000:])
    return {"MBps": float(m.group(1))}


# ---------------------------------------------------------------- outputs

def vnt_final(out):
    docs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    finals = [d for d in docs if d.get("type") == "final"]
    if not finals:
        raise RuntimeError("vnt printed no final snapshot")
    return finals[-1]


def bt_maps(out):
    maps = {}
    for l in out.splitlines():
        if not l.startswith("{"):
            continue
        d = json.loads(l)
        if d.get("type") in ("map", "hist", "stats"):
            maps.update(d["data"])
    return maps


def hist_total(v):
    if isinstance(v, list):
        return sum(b.get("count", 0) for b in v)
    if isinstance(v, dict):
        return sum(hist_total(x) for x in v.values())
    return 0


def counts_vnt(wid, out):
    d = vnt_final(out)
    aggs = d["aggregations"]
    rows = lambda i: aggs[i]["rows"]
    if wid == 1:
        return {"packets counted": sum(r["count"] for r in rows(0))}
    if wid in (2, 5):
        return {"latency samples": sum(r["count"] for r in rows(0))}
    if wid == 3:
        return {"length samples": sum(r["count"] for r in rows(0)), "flows": len(rows(0))}
    if wid in (4, 6):
        c = {"hop " + r["key"]["hop"]: r["count"] for r in rows(0)}
        for i, name in ((1, "seg vm1_tx->sw_in"), (2, "seg sw_in->sw_out"), (3, "seg sw_out->vm2_rx")):
            c[name + " samples"] = sum(r["count"] for r in rows(i))
        c["e2e samples"] = sum(r["count"] for r in rows(4))
        return c
    raise ValueError(wid)


def counts_bt(wid, out):
    m = bt_maps(out)
    if wid == 1:
        v = m.get("@count", {})
        return {"packets counted": sum(v.values()) if isinstance(v, dict) else v}
    if wid in (2, 5):
        return {"latency samples": hist_total(m.get("@lat", []))}
    if wid == 3:
        v = m.get("@len", {})
        return {"length samples": hist_total(v), "flows": len(v) if isinstance(v, dict) else 1}
    if wid in (4, 6):
        c = {"hop " + k: v for k, v in m.get("@hop", {}).items()}
        # avg() maps carry no count in bpftrace's output: the number of
        # segment samples is not printed. Compare what both print.
        c["e2e samples"] = hist_total(m.get("@e2e", []))
        return c
    raise ValueError(wid)


def compare_counts(a, b):
    keys = [k for k in a if k in b]
    return all(a[k] == b[k] for k in keys), keys


# ---------------------------------------------------------------- the run

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def prog_hook(name, hop_programs):
    """The tracepoint a program is attached to, from its name."""
    if name in hop_programs:                      # vnt: from the manifest
        return hop_programs[name]["target"]
    if name in HAND_PROGS:
        return HAND_PROGS[name]
    for hook, fl in FLOOR_PROGS.items():
        if name in fl.values() or hook.startswith(name):   # floor; bpftrace (name cut at 15)
            return hook
    return None


def prog_costs(before, after, n, w):
    """Per program: events, ns/event, events per flood packet."""
    out = []
    for pid, a in after.items():
        b = before.get(pid)
        if not b:
            continue
        dc = a["run_cnt"] - b["run_cnt"]
        dt = a["run_time_ns"] - b["run_time_ns"]
        # Events per flood packet from the topology; other sessions' packets
        # on these global tracepoints add events, counted as foreign.
        k = HOOK_EVENTS[w["topo"]].get(prog_hook(a["name"], w["hop_info"]), 0)
        out.append({"id": pid, "name": a["name"], "type": a["type"], "events": dc,
                    "run_time_ns": dt, "ns_per_event": dt / dc if dc else None,
                    "events_per_packet": k,
                    "foreign_events": (dc - k * n) if k else dc,
                    "insns": a["insns"], "jited_bytes": a["jited_bytes"],
                    "verified_insns": a["verified_insns"]})
    return sorted(out, key=lambda r: r["name"])


def per_packet(progs):
    """Sum over programs of ns/event x events per packet."""
    tot = 0.0
    for p in progs:
        if p["ns_per_event"] is not None and p["events_per_packet"]:
            tot += p["ns_per_event"] * p["events_per_packet"]
    return tot


def floor_per_packet(progs, kind):
    return per_packet([p for p in progs if p["name"].startswith(f"floor_{kind}_")])


def run_variant(w, variant, cfg, rnd, logdir):
    """One variant of one round: start, flood, sockperf, stop."""
    res = {"variant": variant, "round": rnd}
    tool = None
    lbl = f"w{w['id']}-r{rnd}-{variant}"
    if variant == "vnt":
        tool = Tool("vnt", [env("VNT"), "run", "-f", "json", w["vnt_file"]], logdir, lbl,
                    envx={"VNT_CACHE_DIR": cfg["cache"]})
    elif variant == "bpftrace":
        tool = Tool("bpftrace", ["bpftrace", "-f", "json", w["bt_file"]], logdir, lbl,
                    expect_probes=len(w["hooks"]))
    elif variant == "hand":
        tool = Tool("floor", [sys.executable, os.path.abspath(__file__), "floor", w["hand_obj"]] + list(HAND_PROGS),
                    logdir, lbl)
    elif variant == "floor":
        names = [FLOOR_PROGS[h][k] for h in w["hooks"] for k in ("btf", "tp")]
        tool = Tool("floor", [sys.executable, os.path.abspath(__file__), "floor", cfg["floor_obj"]] + names,
                    logdir, lbl)
    if tool:
        res["start_s"] = tool.start()
        res["start_cpu_s"] = tool.start_cpu_s
        if variant == "vnt":
            res["attach_line"] = tool.attach_line
    try:
        ids = tool.progs if tool else set()
        before = prog_snapshot(ids)
        f = flood(w, w["packets"])
        after = prog_snapshot(ids)
        res["flood"] = f
        if tool:
            res["progs"] = prog_costs(before, after, f["sent"], w)
            res["per_packet_ns"] = per_packet(res["progs"])
            exp = sum(p["events_per_packet"] * f["sent"] for p in res["progs"])
            res["foreign_event_share"] = (sum(max(p["foreign_events"], 0) for p in res["progs"]) / exp
                                          if exp else None)
            if variant == "floor":
                res["floor_btf_ns"] = floor_per_packet(res["progs"], "btf")
                res["floor_tp_ns"] = floor_per_packet(res["progs"], "tp")
        if cfg["sockperf_secs"] > 0 and variant != "hand":
            res["sockperf"] = sockperf(w, cfg["sockperf_secs"])
        if cfg["tcp_secs"] > 0 and variant != "hand":
            res["tcp"] = tcp_stream(w, cfg["tcp_secs"])
        if tool and variant in ("vnt", "bpftrace"):
            res["vmhwm_kb"] = tool.vmhwm_kb()
            res["map_bytes"], res["maps"] = map_memlock(tool.maps)
            if rnd == 0:
                res["xlated"] = {str(p): xlated_profile(p) for p in sorted(tool.progs)}
    finally:
        out = tool.stop() if tool else None
    if tool and variant in ("vnt", "bpftrace"):
        try:
            res["counts"] = (counts_vnt if variant == "vnt" else counts_bt)(w["id"], out)
        except Exception as e:  # noqa: BLE001 - report, do not abort the run
            res["counts_error"] = str(e)
    if variant == "hand":
        m = re.search(r"^hand_hist: (\d+)", out or "", re.M)
        res["hand_samples"] = int(m.group(1)) if m else None
    return res


def build_hand(w, logdir):
    """Compile the workload's hand-written lower bound for its devices and addresses."""
    p = w["params"]
    dev = {}
    # the two ends, and the bridge's ports where the topology has them
    for side, ns, name in (("A", "NS_A", "DEV_A"), ("B", "NS_B", "DEV_B"),
                           ("P1", "NS_SW", "PORT1"), ("P2", "NS_SW", "PORT2")):
        if ns not in p:
            continue
        ns, name = p[ns], p[name]
        link = json.loads(run(["ip", "-n", ns, "-j", "link", "show", name]).stdout or "[]")
        if not link:
            raise SystemExit(f"bench.py: no device {name} in {ns}")
        dev["HAND_IFINDEX_" + side] = link[0]["ifindex"]
        dev["HAND_NETNS_" + side] = os.stat(f"/run/netns/{ns}").st_ino
    src = os.path.join(BENCH, "floor", w["hand"] + ".bpf.c")
    obj = os.path.join(logdir, w["hand"] + ".bpf.o")
    defs = [f"-D{k}={v}" for k, v in dev.items()] + [
        f"-DHAND_SRC={p['SRC_LE']}U", f"-DHAND_DST={p['DST_LE']}U",
        f"-DHAND_SPORT={p['SPORT']}", f"-DHAND_DPORT={p['DPORT']}"]
    r = run(["clang", "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86",
             "-I", os.path.join(TOP, "bpf-templates"), "-I", TOP] + defs + ["-c", src, "-o", obj])
    if r.returncode != 0:
        raise SystemExit(f"bench.py: {src}: clang failed:\n{r.stderr}")
    return obj


def verify(w, cfg, logdir):
    """vnt and bpftrace attached together over the same packets: same counts?"""
    n = cfg["verify_packets"]
    v = Tool("vnt", [env("VNT"), "run", "-f", "json", w["vnt_file"]], logdir, f"w{w['id']}-verify-vnt",
             envx={"VNT_CACHE_DIR": cfg["cache"]})
    b = Tool("bpftrace", ["bpftrace", "-f", "json", w["bt_file"]], logdir, f"w{w['id']}-verify-bpftrace",
             expect_probes=len(w["hooks"]))
    v.start(timeout=120)
    try:
        b.start()
        try:
            f = flood(w, n)
        finally:
            bo = b.stop()
    finally:
        vo = v.stop()
    cv, cb = counts_vnt(w["id"], vo), counts_bt(w["id"], bo)
    same, keys = compare_counts(cv, cb)
    return {"sent": f["sent"], "received": f["received"], "vnt": cv, "bpftrace": cb,
            "compared": keys, "equal": same,
            "all_packets": all(cv[k] == f["sent"] for k in keys if k != "flows")}


def cold_start(w, cfg, logdir, rnd):
    cache = tempfile.mkdtemp(prefix="vnt-bench-cold-")
    try:
        t = Tool("vnt", [env("VNT"), "run", "-f", "json", w["vnt_file"]], logdir,
                 f"w{w['id']}-r{rnd}-cold", envx={"VNT_CACHE_DIR": cache})
        s = t.start(timeout=120)
        t.stop()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"start_s": s, "start_cpu_s": t.start_cpu_s, "attach_line": t.attach_line}


def _proc_kb(pid, pss=False):
    kb = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmHWM:", "VmRSS:")):
            kb[line.split(":")[0]] = int(line.split()[1])
    if pss:   # the process's share of the pages it shares (the library pages both processes map)
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                kb["Pss"] = int(line.split()[1])
    return kb


def agent_idle_rss(metrics=False):
    """Peak RSS of `vnt-agent --stdio` waiting for its dispatcher, kB (None: no agent).
    metrics: with --metrics on a free loopback port, the agent and its metrics
    server's process (runtime/agent/metrics.c) measured apart after one scrape,
    and their sum ("VmRSS", "VmHWM")."""
    agent = os.path.join(os.path.dirname(env("VNT")), "vnt-agent")
    if not os.access(agent, os.X_OK):
        return None
    args = [agent, "--stdio"]
    if metrics:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        args += ["--metrics", f"127.0.0.1:{port}"]
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        if not metrics:
            kb = _proc_kb(p.pid)
            return kb if p.poll() is None else None
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
        except OSError:
            return None
        time.sleep(0.2)
        kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
        if p.poll() is not None or len(kids) != 1:
            return None
        a, m = _proc_kb(p.pid, True), _proc_kb(int(kids[0]), True)
        return {"agent": a, "metrics_server": m, "VmRSS": a["VmRSS"] + m["VmRSS"],
                "VmHWM": a["VmHWM"] + m["VmHWM"], "Pss": a["Pss"] + m["Pss"]}
    except OSError:
        return None
    finally:
        p.stdin.close()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def manifest_hops(w):
    r = run([env("VNT"), "compile", "--manifest", w["vnt_file"]])
    try:
        return {h["prog"]: {"hop": h["name"], "kind": h["kind"], "target": h["target"]}
                for h in json.loads(r.stdout)["hops"]}
    except (ValueError, KeyError):
        return {}


def compile_timing(w):
    """vnt compile -v with an empty cache: generation and clang times."""
    cache = tempfile.mkdtemp(prefix="vnt-bench-cc-")
    try:
        r = run([env("VNT"), "compile", "-v", "-o", os.path.join(cache, "o.o"), w["vnt_file"]],
                env=dict(os.environ, VNT_CACHE_DIR=cache))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    m = re.search(r"generated in ([\d.]+)s, clang in ([\d.]+)s", r.stderr)
    return {"generate_s": float(m.group(1)), "clang_s": float(m.group(2))} if m else None


def summarize_workload(w, rounds):
    """Medians over the rounds."""
    by = {v: [r for r in rounds if r["variant"] == v] for v in VARIANTS + ["hand"]}
    s = {"noisy_cost": []}

    def clean(v):
        # Rounds whose programs saw under 2% of events from other sessions'
        # traffic; all rounds (and a note) if there is none.
        rs = [r for r in by[v] if (r.get("foreign_event_share") or 0) <= 0.02]
        if not rs:
            if v not in s["noisy_cost"]:
                s["noisy_cost"].append(v)
            return by[v]
        return rs
    s["foreign_event_share"] = {v: [round(r.get("foreign_event_share") or 0, 3) for r in by[v]]
                                for v in ("vnt", "bpftrace", "floor")}
    fl = clean("floor")
    s["floor_btf_ns"] = med([r.get("floor_btf_ns") for r in fl])
    s["floor_tp_ns"] = med([r.get("floor_tp_ns") for r in fl])
    s["vnt_ns"] = med([r.get("per_packet_ns") for r in clean("vnt")])
    s["bpftrace_ns"] = med([r.get("per_packet_ns") for r in clean("bpftrace")])
    if None not in (s["vnt_ns"], s["floor_btf_ns"], s["bpftrace_ns"], s["floor_tp_ns"]):
        s["vnt_marginal_ns"] = s["vnt_ns"] - s["floor_btf_ns"]
        s["bpftrace_marginal_ns"] = s["bpftrace_ns"] - s["floor_tp_ns"]
        s["marginal_ratio"] = (s["vnt_marginal_ns"] / s["bpftrace_marginal_ns"]
                               if s["bpftrace_marginal_ns"] > 0 else None)
        s["vnt_total_over_floor"] = s["vnt_ns"] / s["floor_btf_ns"] if s["floor_btf_ns"] else None
    if by["hand"]:
        s["hand_ns"] = med([r.get("per_packet_ns") for r in clean("hand")])
        s["hand_samples"] = [r.get("hand_samples") for r in by["hand"]]
        s["hand_sent"] = [r["flood"]["sent"] for r in by["hand"]]
        if s["hand_ns"] and s["vnt_ns"] and s["floor_btf_ns"]:
            s["hand_over_floor"] = s["hand_ns"] / s["floor_btf_ns"]
            s["vnt_over_hand"] = s["vnt_ns"] / s["hand_ns"]
    # Per program, medians of ns/event (programs are matched by name).
    progs = {}
    for v in ("vnt", "bpftrace", "floor", "hand"):
        names = {}
        for r in (clean(v) if by[v] else []):
            for p in r.get("progs", []):
                names.setdefault(p["name"], []).append(p)
        progs[v] = [{"name": n, "type": ps[0]["type"],
                     "ns_per_event": med([p["ns_per_event"] for p in ps]),
                     "events_per_packet": ps[0]["events_per_packet"],
                     "foreign_events_max": max(abs(p["foreign_events"]) for p in ps),
                     "insns": ps[0]["insns"], "jited_bytes": ps[0]["jited_bytes"],
                     "verified_insns": ps[0]["verified_insns"]}
                    for n, ps in sorted(names.items())]
    s["programs"] = progs
    # Throughput: per round, traced pps over the same round's untraced pps.
    unt = {r["round"]: r["flood"]["pps"] for r in by["untraced"]}
    s["pps"] = {v: med([r["flood"]["pps"] for r in by[v]]) for v in VARIANTS}
    s["cpu_ns_per_packet"] = {v: med([r["flood"].get("cpu_ns_per_packet") for r in by[v]]) for v in VARIANTS}
    ucpu = {r["round"]: r["flood"].get("cpu_ns_per_packet") for r in by["untraced"]}
    for v in ("vnt", "bpftrace", "floor"):
        s[f"cpu_ratio_{v}"] = med([r["flood"]["cpu_ns_per_packet"] / ucpu[r["round"]] for r in by[v]
                                   if ucpu.get(r["round"]) and r["flood"].get("cpu_ns_per_packet")])
    xv = s["cpu_ratio_vnt"] - 1 if s["cpu_ratio_vnt"] is not None else None
    xb = s["cpu_ratio_bpftrace"] - 1 if s["cpu_ratio_bpftrace"] is not None else None
    s["cpu_cost_vnt"], s["cpu_cost_bpftrace"] = xv, xb
    s["cpu_cost_ratio"] = xv / xb if (xv is not None and xb and xb > 0.005) else None
    for v in ("vnt", "bpftrace", "floor"):
        s[f"pps_ratio_{v}"] = med([r["flood"]["pps"] / unt[r["round"]] for r in by[v] if r["round"] in unt])
    cv = 1 - s["pps_ratio_vnt"] if s["pps_ratio_vnt"] is not None else None
    cb = 1 - s["pps_ratio_bpftrace"] if s["pps_ratio_bpftrace"] is not None else None
    s["tput_cost_vnt"], s["tput_cost_bpftrace"] = cv, cb
    s["tput_cost_ratio"] = cv / cb if (cv is not None and cb and cb > 0.005) else None
    tcp = {r["round"]: r["tcp"]["MBps"] for r in by["untraced"] if "tcp" in r}
    s["tcp_MBps"] = {v: med([r["tcp"]["MBps"] for r in by[v] if "tcp" in r]) for v in VARIANTS}
    for v in ("vnt", "bpftrace", "floor"):
        ratio = med([r["tcp"]["MBps"] / tcp[r["round"]] for r in by[v] if "tcp" in r and tcp.get(r["round"])])
        s[f"tcp_cost_{v}"] = 1 - ratio if ratio is not None else None
    # What the stream's MB/s can resolve: the spread of the untraced runs
    # and the "cost" of the empty programs, which have next to none.
    spread = (max(tcp.values()) - min(tcp.values())) / med(list(tcp.values())) if len(tcp) > 1 else 0.0
    fc = s.get("tcp_cost_floor")
    s["tcp_noise"] = max(spread, abs(fc) if fc is not None else 0.0) if tcp else None
    s["lost_in_flood"] = {v: max(r["flood"]["sent"] - r["flood"]["received"] for r in by[v]) for v in VARIANTS}
    # Latency.
    lat = {}
    for v in VARIANTS:
        sp = [r["sockperf"] for r in by[v] if "sockperf" in r]
        if sp:
            lat[v] = {q: med([x.get(q) for x in sp]) for q in ("p50", "p99", "p99.9")}
    s["latency_us"] = lat
    # Start and memory.
    s["start_cached_s"] = med([r.get("start_s") for r in by["vnt"]])
    s["start_bpftrace_s"] = med([r.get("start_s") for r in by["bpftrace"]])
    s["start_cached_cpu_s"] = med([r.get("start_cpu_s") for r in by["vnt"]])
    s["start_bpftrace_cpu_s"] = med([r.get("start_cpu_s") for r in by["bpftrace"]])
    s["vnt_vmhwm_kb"] = med([r.get("vmhwm_kb") for r in by["vnt"]])
    s["bpftrace_vmhwm_kb"] = med([r.get("vmhwm_kb") for r in by["bpftrace"]])
    s["vnt_map_bytes"] = med([r.get("map_bytes") for r in by["vnt"]])
    s["bpftrace_map_bytes"] = med([r.get("map_bytes") for r in by["bpftrace"]])
    return s


def _terminate(*_):
    raise SystemExit("bench.py: terminated")


def main(argv):
    ap = argparse.ArgumentParser(prog="bench/run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--packets", type=int, default=300000)
    ap.add_argument("--sockperf-secs", type=float, default=2)
    ap.add_argument("--verify-packets", type=int, default=20000)
    ap.add_argument("--workloads", default="1,2,3,4,5,6")
    ap.add_argument("--tcp-secs", type=float, default=2)
    ap.add_argument("--raw-secs", type=float, default=3)
    ap.add_argument("--raw-rates", default="100000,300000,1000000,2000000,0")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--results", default=os.path.join(BENCH, "results.json"))
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--floor-obj", required=True)
    a = ap.parse_args(argv)
    # A bench/run started in the background has SIGINT ignored, and ignored
    # signals stay ignored in children: the tracers must see SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    if a.quick:
        a.rounds, a.packets, a.sockperf_secs, a.verify_packets, a.tcp_secs = 1, 100000, 1, 10000, 1
        a.raw_secs = min(a.raw_secs, 2)
    sel = {int(x) for x in a.workloads.split(",") if x}
    cfg = {"packets": a.packets, "sockperf_secs": a.sockperf_secs, "verify_packets": a.verify_packets,
           "tcp_secs": a.tcp_secs,
           "floor_obj": a.floor_obj, "cache": tempfile.mkdtemp(prefix="vnt-bench-cache-")}
    if not stats_enabled():
        raise SystemExit("bench.py: kernel.bpf_stats_enabled is not 1")
    t_begin = time.monotonic()
    results = {"vnt_bench": 1, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "host": {"kernel": os.uname().release, "cpus": os.cpu_count(),
                        "loadavg_start": open("/proc/loadavg").read().split()[:3],
                        "bpftrace": run(["bpftrace", "--version"]).stdout.strip(),
                        "clang": run(["clang", "--version"]).stdout.splitlines()[0]},
               "vnt": {"commit": run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"]).stdout.strip(),
                       "uncommitted_changes": len([l for l in run(["git", "-C", TOP, "status", "--porcelain",
                                                                   "--untracked-files=no", "--", ".",
                                                                   ":!bench"]).stdout.splitlines()])},
               "config": {"rounds": a.rounds, "packets": a.packets, "payload_bytes": 64,
                          "sockperf_secs": a.sockperf_secs, "verify_packets": a.verify_packets,
                          "tcp_secs": a.tcp_secs, "raw_secs": a.raw_secs, "raw_rates": a.raw_rates,
                          "quick": a.quick},
               "foreign_bpf_programs_at_start": foreign_net_progs(set()),
               "vnt_agent_idle_kb": agent_idle_rss(),
               "vnt_agent_idle_metrics_kb": agent_idle_rss(metrics=True),
               "workloads": []}
    try:
        for wd in WORKLOADS:
            if wd["id"] not in sel:
                continue
            w = dict(wd)
            w["params"] = topo_params(w["topo"])
            wdir = os.path.join(a.logdir, w["name"])
            os.makedirs(wdir, exist_ok=True)
            w["vnt_file"] = os.path.join(wdir, w["name"] + ".vnt")
            w["bt_file"] = os.path.join(wdir, w["name"] + ".bt")
            render(os.path.join(BENCH, "workloads", w["name"] + ".vnt"), w["vnt_file"], w["params"])
            bt = render(os.path.join(BENCH, "workloads", w["name"] + ".bt"), w["bt_file"], w["params"])
            w["hooks"] = re.findall(r"^tracepoint:net:(\w+)", bt, re.M)
            # Bridge and VXLAN paths are slower: fewer packets, similar time.
            # OVS's userspace datapath forwards far fewer packets/s.
            w["packets"] = {"veth": a.packets, "bridge": a.packets * 2 // 3, "vxlan": a.packets // 3,
                            "ovs": a.packets // 6}[w["topo"]]
            log(f"== workload {w['name']}: {w['title']}")
            w["hop_info"] = manifest_hops(w)
            variants = list(VARIANTS)
            if w.get("hand"):
                w["hand_obj"] = build_hand(w, wdir)
                variants.append("hand")
            rec = {"id": w["id"], "name": w["name"], "title": w["title"], "topology": w["topo"],
                   "hand": w.get("hand"),
                   "hooks": w["hooks"], "hop_programs": w["hop_info"], "packets": w["packets"],
                   "compile": compile_timing(w)}
            rec["verify"] = verify(w, cfg, wdir)
            vv = rec["verify"]
            log(f"   verify: {vv['sent']} sent; vnt {vv['vnt']}; bpftrace {vv['bpftrace']} -> "
                f"{'SAME' if vv['equal'] else 'DIFFERENT'}")
            rounds, cold = [], []
            for r in range(a.rounds):
                cold.append(cold_start(w, cfg, wdir, r))
                order = variants[r % len(variants):] + variants[:r % len(variants)]
                for v in order:
                    res = run_variant(w, v, cfg, r, wdir)
                    rounds.append(res)
                    msg = f"   round {r + 1}/{a.rounds} {v:9s} {res['flood']['pps'] / 1000:7.1f} kpps"
                    if "per_packet_ns" in res:
                        msg += f"  {res['per_packet_ns']:7.1f} ns/packet"
                    if "sockperf" in res:
                        msg += f"  p50 {res['sockperf']['p50']:.2f}us p99.9 {res['sockperf'].get('p99.9', 0):.2f}us"
                    if "start_s" in res:
                        msg += f"  start {res['start_s'] * 1000:.0f}ms"
                    log(msg)
            rec["cold_starts"] = cold
            rec["rounds"] = rounds
            rec["summary"] = summarize_workload(w, rounds)
            rec["summary"]["start_cold_s"] = med([c["start_s"] for c in cold])
            rec["summary"]["start_cold_cpu_s"] = med([c["start_cpu_s"] for c in cold])
            rec["summary"]["clang_s"] = (rec["compile"] or {}).get("clang_s")
            results["workloads"].append(rec)
        if a.raw_secs > 0:
            results["raw_events"] = rawevents.measure(env("VNT"), env("VNT_EVGEN"),
                                                      [int(x) for x in a.raw_rates.split(",") if x],
                                                      a.raw_secs, log)
    finally:
        shutil.rmtree(cfg["cache"], ignore_errors=True)
        results["host"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        results["elapsed_s"] = round(time.monotonic() - t_begin, 1)
        with open(a.results, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
    report(results)
    log(f"results: {a.results}")


# ---------------------------------------------------------------- the table

def fmt(v, spec="{:.1f}", na="-"):
    return na if v is None else spec.format(v)


def verdict(ok):
    return "MET" if ok else "MISSED"


def pct(v):
    return fmt(v if v is None else 100 * v, "{:+.0f}%")


def report(res):
    P = print
    ws = res["workloads"]
    c = res["config"]
    unc = res["vnt"]["uncommitted_changes"]
    P(f"\nvNetTracer benchmark, {res['date']}: vnt {res['vnt']['commit']}"
      f"{f' (+{unc} uncommitted files)' if unc else ''}, Linux {res['host']['kernel']}, "
      f"{res['host']['cpus']} CPUs, {res['host']['bpftrace']}")
    floods = ", ".join("w%d %d" % (w["id"], w["packets"]) for w in ws)
    P(f"{c['rounds']} round(s) of vnt / bpftrace / floor / untraced in rotating order; UDP floods of "
      f"{c['payload_bytes']}-byte datagrams ({floods} packets); medians over the rounds.")
    P(f"Load average {' '.join(res['host']['loadavg_start'])} at start, "
      f"{' '.join(res['host'].get('loadavg_end', []))} at end, {res.get('elapsed_s', 0):.0f} s.")
    if res.get("foreign_bpf_programs_at_start"):
        P(f"Note: {len(res['foreign_bpf_programs_at_start'])} BPF programs of other processes were loaded at "
          f"start: other sessions share this machine, so wall-clock numbers (kpps, sockperf) are noisy.")

    P("\n1. Verification: vnt and bpftrace attached together over the same flood")
    for w in ws:
        v = w["verify"]
        keys = v["compared"]
        P(f"  w{w['id']} {w['name']:16s} {v['sent']} sent: "
          + ", ".join(f"{k} vnt {v['vnt'][k]} / bpftrace {v['bpftrace'][k]}" for k in keys)
          + f"  -> {'SAME' if v['equal'] else 'DIFFERENT'}"
          + ("" if v["all_packets"] else " (not every packet counted)"))
        extra = [k for k in v["vnt"] if k not in keys]
        if extra:
            P(f"  {'':20s} vnt only: " + ", ".join(f"{k} {v['vnt'][k]}" for k in extra))

    P("\n2. Cost per packet from the kernel's accounting (sum over programs of run_time_ns/run_cnt x events "
      "per packet), ns")
    P("   floor: an empty program on each hook the workload uses (BTF tracepoint for vnt, classic tracepoint "
      "for bpftrace)")
    P(f"  {'workload':20s} {'floor btf':>9s} {'floor tp':>9s} {'vnt':>8s} {'bpftrace':>9s} {'vnt-floor':>9s} "
      f"{'bt-floor':>9s} {'ratio':>6s} {'<=0.5x':>7s} {'vnt/floor':>9s} {'<=2x':>7s}")
    for w in ws:
        s = w["summary"]
        r, t = s.get("marginal_ratio"), s.get("vnt_total_over_floor")
        P(f"  w{w['id']} {w['name']:17s} {fmt(s['floor_btf_ns']):>9s} {fmt(s['floor_tp_ns']):>9s} "
          f"{fmt(s['vnt_ns']):>8s} {fmt(s['bpftrace_ns']):>9s} {fmt(s.get('vnt_marginal_ns')):>9s} "
          f"{fmt(s.get('bpftrace_marginal_ns')):>9s} {fmt(r, '{:.2f}'):>6s} "
          f"{verdict(r is not None and r <= 0.5):>7s} {fmt(t, '{:.2f}x'):>9s} "
          f"{verdict(t is not None and t <= 2):>7s}"
          + (f"  (noisy: {', '.join(s['noisy_cost'])})" if s.get("noisy_cost") else ""))
    for w in ws:
        s = w["summary"]
        if s.get("hand_ns") is None:
            continue
        lat, sent = s.get("hand_samples") or [], s.get("hand_sent") or []
        P(f"   w{w['id']} hand-written lower bound (bench/floor/{w.get('hand') or 'hand-latency'}.bpf.c): "
          f"{fmt(s['hand_ns'])} ns = {fmt(s.get('hand_over_floor'), '{:.2f}x')} the floor; "
          f"vnt = {fmt(s.get('vnt_over_hand'), '{:.2f}x')} it; samples in its histogram per round: "
          + ", ".join(f"{x if x is not None else '?'}/{n}" for x, n in zip(lat, sent)))
    P("   per program: ns/event x events per packet, xlated instructions")
    for w in ws:
        hop = {k: f'{h["hop"]} ({h["kind"]} {h["target"]})' for k, h in w.get("hop_programs", {}).items()}
        for v in ("vnt", "bpftrace", "floor", "hand"):
            for p in w["summary"]["programs"].get(v, []):
                P(f"   w{w['id']} {v:8s} {p['name']:16s} {fmt(p['ns_per_event']):>7s} ns x "
                  f"{p['events_per_packet']} {p['insns']:5d} insns  {hop.get(p['name'], '')}")
    P("   other sessions' packets on these global tracepoints, share of events per round: "
      + "; ".join(f"w{w['id']} " + " ".join(f"{v} {','.join(f'{x:.0%}' for x in xs)}"
                                           for v, xs in w["summary"]["foreign_event_share"].items())
                  for w in ws))

    P("\n3. Throughput of the UDP flood: kpps = sent / elapsed; CPU = sender's CPU time per packet "
      "(the veth receive softirq runs in its context)")
    P(f"  {'workload':20s} {'':9s} {'untraced':>9s} {'vnt':>8s} {'bpftrace':>9s} {'floor':>8s} "
      f"{'cost vnt':>8s} {'cost bt':>8s} {'<=0.5x':>7s}")
    for w in ws:
        s = w["summary"]
        pp, cp = s["pps"], s["cpu_ns_per_packet"]
        cv, cb = s["tput_cost_vnt"], s["tput_cost_bpftrace"]
        ok = cv is not None and cb is not None and cv <= 0.5 * max(cb, 0)
        P(f"  w{w['id']} {w['name']:17s} {'kpps':9s} "
          + "".join(f"{fmt(pp[v] and pp[v] / 1e3):>{n}s} " for v, n in
                    (("untraced", 9), ("vnt", 8), ("bpftrace", 9), ("floor", 8)))
          + f"{pct(cv):>8s} {pct(cb):>8s} {verdict(ok):>7s}")
        xv, xb = s["cpu_cost_vnt"], s["cpu_cost_bpftrace"]
        ok = xv is not None and xb is not None and xv <= 0.5 * max(xb, 0)
        P(f"  {'':20s} {'CPU ns/p':9s} "
          + "".join(f"{fmt(cp[v], '{:.0f}'):>{n}s} " for v, n in
                    (("untraced", 9), ("vnt", 8), ("bpftrace", 9), ("floor", 8)))
          + f"{pct(xv):>8s} {pct(xb):>8s} {verdict(ok):>7s}")
    P("   cost = 1 - traced/untraced kpps, or traced/untraced CPU - 1, against the same round's untraced run;")
    P("   the floor column has the empty programs of both forms attached at once.")
    P("   TCP stream (sockperf tp --tcp, 1400-byte messages; the filters are UDP, so every hook runs and "
      "rejects), MB/s and cost:")
    for w in ws:
        s = w["summary"]
        t = s.get("tcp_MBps") or {}
        cv, cb = s.get("tcp_cost_vnt"), s.get("tcp_cost_bpftrace")
        if not any(t.values()):
            continue
        ok = cv is not None and cb is not None and cv <= 0.5 * max(cb, 0)
        noise = s.get("tcp_noise")
        # a cost the measurement cannot tell from none is not a miss
        vd = verdict(ok) if ok or noise is None or cv is None or cv > noise else "noise"
        P(f"  w{w['id']} {w['name']:17s} {'MB/s':9s} "
          + "".join(f"{fmt(t.get(v), '{:.0f}'):>{n}s} " for v, n in
                    (("untraced", 9), ("vnt", 8), ("bpftrace", 9), ("floor", 8)))
          + f"{pct(cv):>8s} {pct(cb):>8s} {vd:>7s}"
          + (f"  (noise +-{noise * 100:.0f}%)" if noise is not None else ""))

    P("   noise: the larger of the untraced runs' spread and the empty programs' cost; a vnt cost within it "
      "is reported as noise, not as a miss.")
    P("\n4. Latency: sockperf ping-pong, 64-byte messages on the traced 5-tuple, us (RTT/2)")
    P(f"  {'workload':20s} {'':9s} {'p50':>7s} {'p99':>8s} {'p99.9':>8s}")
    for w in ws:
        for v in ("untraced", "vnt", "bpftrace"):
            l = w["summary"]["latency_us"].get(v)
            if l:
                P(f"  w{w['id']} {w['name']:17s} {v:9s} {fmt(l['p50'], '{:.2f}'):>7s} "
                  f"{fmt(l['p99'], '{:.2f}'):>8s} {fmt(l['p99.9'], '{:.2f}'):>8s}")

    P("\n5. Start: launch to attached, s (vnt: its 'attached' line; bpftrace: all its tracepoints attached, "
      "polled with bpftool perf)")
    P(f"  {'workload':20s} {'vnt cold':>9s} {'(clang)':>8s} {'vnt cached':>10s} {'bpftrace':>9s} "
      f"{'cold<=bt':>8s} {'cached<0.1s':>11s}   CPU s: {'cold':>5s} {'cached':>6s} {'bpftrace':>8s}")
    for w in ws:
        s = w["summary"]
        P(f"  w{w['id']} {w['name']:17s} {fmt(s['start_cold_s'], '{:.3f}'):>9s} "
          f"{fmt(s.get('clang_s'), '{:.3f}'):>8s} {fmt(s['start_cached_s'], '{:.3f}'):>10s} "
          f"{fmt(s['start_bpftrace_s'], '{:.3f}'):>9s} "
          f"{verdict(None not in (s['start_cold_s'], s['start_bpftrace_s']) and s['start_cold_s'] <= s['start_bpftrace_s']):>8s} "
          f"{verdict(s['start_cached_s'] is not None and s['start_cached_s'] < 0.1):>11s}"
          f"          {fmt(s.get('start_cold_cpu_s'), '{:.2f}'):>5s} {fmt(s.get('start_cached_cpu_s'), '{:.2f}'):>6s} "
          f"{fmt(s.get('start_bpftrace_cpu_s'), '{:.2f}'):>8s}")

    P("\n6. Memory: peak RSS (VmHWM) of the tracer process; BPF maps (bytes_memlock)")
    P(f"  {'workload':20s} {'vnt run':>9s} {'bpftrace':>9s} {'vnt maps':>9s} {'bt maps':>9s}")
    for w in ws:
        s = w["summary"]
        mb = lambda kb: fmt(kb and kb / 1024, "{:.1f}M")
        kb = lambda b: fmt(b and b / 1024, "{:.0f}K")
        P(f"  w{w['id']} {w['name']:17s} {mb(s['vnt_vmhwm_kb']):>9s} {mb(s['bpftrace_vmhwm_kb']):>9s} "
          f"{kb(s['vnt_map_bytes']):>9s} {kb(s['bpftrace_map_bytes']):>9s}")
    ag = res.get("vnt_agent_idle_kb")
    if ag:
        P(f"  vnt-agent idle (--stdio, no dispatcher message yet): RSS {ag['VmRSS'] / 1024:.1f}M, "
          f"peak {ag['VmHWM'] / 1024:.1f}M -> target < 10M {verdict(ag['VmHWM'] < 10 * 1024)}")
    else:
        P("  vnt-agent idle RSS: n/a (not implemented)")
    am = res.get("vnt_agent_idle_metrics_kb")
    if am:
        P(f"  vnt-agent idle with --metrics (after a scrape): agent RSS {am['agent']['VmRSS'] / 1024:.1f}M + metrics "
          f"server {am['metrics_server']['VmRSS'] / 1024:.1f}M = {am['VmRSS'] / 1024:.1f}M, peaks "
          f"{am['VmHWM'] / 1024:.1f}M (PSS, shared pages counted once: {am['Pss'] / 1024:.1f}M) -> target < 10M "
          f"{verdict(am['VmHWM'] < 10 * 1024)}")
    else:
        P("  vnt-agent idle RSS with --metrics: n/a")
    rawevents.report(res.get("raw_events"), P, verdict)
    P("\nbpftrace keys packets by skb address (recycled at once, changes when an skb is copied); vnt by a "
      "fingerprint of\nfields no hop rewrites. Kernel accounting counts only program run time: the classic "
      "tracepoints bpftrace uses\nalso fill a trace record before calling it, which only the throughput and "
      "CPU columns see.")


# ---------------------------------------------------------------- floor loader

def floor(argv):
    """Load OBJ with libbpf (ctypes), attach the named programs, wait for SIGTERM/SIGINT."""
    obj_path, want = argv[0], set(argv[1:])
    lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
    vp = ctypes.c_void_p
    lib.bpf_object__open_file.restype = vp
    lib.bpf_object__open_file.argtypes = [ctypes.c_char_p, vp]
    lib.bpf_object__next_program.restype = vp
    lib.bpf_object__next_program.argtypes = [vp, vp]
    lib.bpf_program__name.restype = ctypes.c_char_p
    lib.bpf_program__name.argtypes = [vp]
    lib.bpf_program__set_autoload.argtypes = [vp, ctypes.c_bool]
    lib.bpf_object__load.argtypes = [vp]
    lib.bpf_program__attach.restype = vp
    lib.bpf_program__attach.argtypes = [vp]
    obj = lib.bpf_object__open_file(obj_path.encode(), None)
    if not obj:
        raise SystemExit(f"floor: cannot open {obj_path}")
    progs = []
    p = lib.bpf_object__next_program(obj, None)
    while p:
        name = lib.bpf_program__name(p).decode()
        if name in want:
            progs.append((name, p))
        else:
            lib.bpf_program__set_autoload(p, False)
        p = lib.bpf_object__next_program(obj, p)
    if {n for n, _ in progs} != want:
        raise SystemExit(f"floor: programs not in {obj_path}: {want - {n for n, _ in progs}}")
    if lib.bpf_object__load(obj) != 0:
        raise SystemExit(f"floor: load failed (errno {ctypes.get_errno()})")
    links = []
    for name, p in progs:
        link = lib.bpf_program__attach(p)
        if not link:
            raise SystemExit(f"floor: cannot attach {name} (errno {ctypes.get_errno()})")
        links.append(link)
    done = threading.Event()
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: done.set())
    print(f"floor: {len(links)} programs attached", file=sys.stderr, flush=True)
    while not done.is_set():
        done.wait(1)
    print_map_total(lib, obj, "hand_hist")


def print_map_total(lib, obj, name):
    """Print the sum of a per-CPU histogram map's slots (key 0), if obj has it."""
    vp = ctypes.c_void_p
    lib.bpf_object__find_map_by_name.restype = vp
    lib.bpf_object__find_map_by_name.argtypes = [vp, ctypes.c_char_p]
    lib.bpf_map__value_size.restype = ctypes.c_uint32
    lib.bpf_map__value_size.argtypes = [vp]
    lib.bpf_map__lookup_elem.argtypes = [vp, vp, ctypes.c_size_t, vp, ctypes.c_size_t, ctypes.c_uint64]
    m = lib.bpf_object__find_map_by_name(obj, name.encode())
    if not m:
        return
    ncpu = lib.libbpf_num_possible_cpus()
    vsz = (lib.bpf_map__value_size(m) + 7) // 8 * 8
    key = ctypes.c_uint32(0)
    buf = (ctypes.c_uint64 * (vsz // 8 * ncpu))()
    if lib.bpf_map__lookup_elem(m, ctypes.byref(key), 4, buf, ctypes.sizeof(buf), 0) != 0:
        print(f"{name}: lookup failed (errno {ctypes.get_errno()})", flush=True)
        return
    print(f"{name}: {sum(buf)}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "main":
        main(rest)
    elif cmd == "floor":
        floor(rest)
    elif cmd == "report":
        report(json.load(open(rest[0] if rest else os.path.join(BENCH, "results.json"))))
    else:
        raise SystemExit(__doc__)
