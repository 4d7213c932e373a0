# shellcheck shell=bash
# tests/hosts/lib.sh — helpers for the multi-host tests (tests/hosts/*.t):
# "hosts" are network namespaces, each with its own vnt-agent listening on
# a management address that the dispatcher, in the root namespace, reaches
# over a veth pair.  Source after `set -uo pipefail`; sources
# tests/integration/lib.sh (ok/notok/skip, py, send, bpf_ids_*, topo.sh).
#
#   need_openssl                skip (return 1) when the openssl command is missing
#   hosts_certs                 make $T/pki: a CA, agent certificates
#                               (host1..host3: DNS name and management IP),
#                               a client certificate, and a second CA with
#                               a client certificate of its own (untrusted)
#   hosts_mgmt NS IDX           veth pair root <-> NS: $MGMT_NET.IDX.1 (root side)
#                               and $MGMT_NET.IDX.2 (in NS); sets MGMT_IP.  MGMT_NET
#                               is 10.X with X from the run's VT_ID, so that runs
#                               side by side do not share routes; the agents'
#                               certificates name them host1..host3 (DNS), which
#                               is what the dispatcher checks
#   agent_start NAME NS [ARGS]  start vnt-agent in NS on MGMT_IP_<NAME>:7878
#                               (TLS, the test's PKI, --timeout $AGENT_TIMEOUT);
#                               waits until it listens; AGENT_PID[NAME]
#   hosts_pair NAME             two hosts on a veth pair, each with its agent:
#                               host1 in $VP_NS_A, host2 in $VP_NS_B; $T/NAME.vntpkg
#                               traces UDP to port 11111 (tx at A's transmit on
#                               host1, rx at B's receive on host2; count by hop,
#                               events); $T/hosts says which host runs which hop.
#                               A failure is reported and ends the test.
#   hosts_pair_net NAME         its first half: topology, certificates, management
#                               network, no agent (start them with your own args)
#   hosts_pair_pkg NAME         its second half: $T/NAME.vnt, .vntpkg and $T/hosts
#   agent_pids NAME             the agent's pid and its children's (one per connection)
#   agent_bpf_ids NAME          `prog ID`/`link ID` lines of every BPF object they hold
#   dispatch ARGS...            run `vnt dispatch` with the client certificate;
#                               stdout $T/dispatch.out, stderr $T/dispatch.err; DISPATCH_RC
#   db_counts DB                python: per-hop event counts of the last run, as JSON

. "${VNT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/integration/lib.sh"

: "${VNT_AGENT:=$VNT_TOP/vnt-agent}"
: "${AGENT_TIMEOUT:=5}"
PKI=$T/pki
declare -A AGENT_PID=() MGMT_IP_OF=()

need_openssl() { # the certificates are made with the openssl command
	command -v openssl >/dev/null && return 0
	skip "$(basename "$0"): TLS tests" "the openssl command is not installed (apt-get install openssl)"
	return 1
}

hosts_certs() {
	mkdir -p "$PKI" || return 1
	(
		cd "$PKI" || exit 1
		ca() { # NAME
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
				-keyout "$1.key" -out "$1.crt" -subj "/CN=$1" \
				-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
		}
		leaf() { # NAME CA SAN EKU
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" &&
				printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$3" "$4" >"$1.ext" &&
				openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
					-out "$1.crt" -extfile "$1.ext"
		}
		ca ca && ca otherca &&
			leaf host1 ca "DNS:host1" serverAuth &&
			leaf host2 ca "DNS:host2" serverAuth &&
			leaf host3 ca "DNS:host3" serverAuth &&
			leaf client ca "DNS:dispatcher" clientAuth &&
			leaf rogue otherca "DNS:dispatcher" clientAuth
	) >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; return 1; }
}

hosts_mgmt() { # NS IDX
	local ns=$1 i=$2 r=${VT_ID}m$2 n=${VT_ID}n$2
	: "${MGMT_NET:=10.$((100 + 16#${VT_ID: -2} % 100))}"
	ip link add "$r" type veth peer name "$n" netns "$ns" || return 1
	topo_on_exit "ip link del $r 2>/dev/null"
	ip addr add "$MGMT_NET.$i.1/30" dev "$r" && ip link set "$r" up &&
		ip -n "$ns" addr add "$MGMT_NET.$i.2/30" dev "$n" && ip -n "$ns" link set "$n" up &&
		ip -n "$ns" link set lo up || return 1
	MGMT_IP=$MGMT_NET.$i.2
}

_listening() { # NAME IP: how many times the agent's log says it listens
	local n
	n=$(grep -c "listening on $2:7878" "$T/agent-$1.log" 2>/dev/null)
	echo "${n:-0}"
}

agent_start() { # NAME NS [ARGS...]
	local name=$1 ns=$2 i
	shift 2
	local ip=${MGMT_IP_OF[$name]} before
	# The log is appended to across restarts: wait for one more
	# "listening" line than there was, not for any.
	before=$(_listening "$name" "$ip")
	# nsenter execs the agent: $! is the agent itself (not a subshell)
	nsenter --net="/run/netns/$ns" -- "$VNT_AGENT" --config /dev/null --listen "$ip:7878" --name "$name" \
		--cert "$PKI/$name.crt" --key "$PKI/$name.key" --ca "$PKI/ca.crt" --timeout "$AGENT_TIMEOUT" "$@" \
		>>"$T/agent-$name.log" 2>&1 &
	AGENT_PID[$name]=$!
	for i in $(seq 1 100); do
		(($(_listening "$name" "$ip") > before)) && return 0
		kill -0 "${AGENT_PID[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "# agent $name did not start:"
	sed 's/^/#   /' "$T/agent-$name.log"
	return 1
}

agent_stop_all() {
	local n
	for n in "${!AGENT_PID[@]}"; do
		kill -TERM "${AGENT_PID[$n]}" 2>/dev/null
	done
	for n in "${!AGENT_PID[@]}"; do
		wait "${AGENT_PID[$n]}" 2>/dev/null
		unset "AGENT_PID[$n]"
	done
}
topo_on_exit agent_stop_all

hosts_pair() { # NAME
	hosts_pair_net "$1"
	agent_start host1 "$VP_NS_A" && agent_start host2 "$VP_NS_B" || { notok "$1: agents start" "see above"; exit 1; }
	hosts_pair_pkg "$1"
}

hosts_pair_net() { # NAME: hosts_pair without the agents and the package
	local n=$1
	topo_veth_pair || { notok "$n: topology" "topo_veth_pair failed"; exit 1; }
	need_openssl || exit 0
	hosts_certs || { notok "$n: certificates" "openssl failed"; exit 1; }
	hosts_mgmt "$VP_NS_A" 1 && MGMT_IP_OF[host1]=$MGMT_IP && hosts_mgmt "$VP_NS_B" 2 && MGMT_IP_OF[host2]=$MGMT_IP ||
		{ notok "$n: management network" "veth"; exit 1; }
}

hosts_pair_pkg() { # NAME: hosts_pair's script, package and hosts file
	local n=$1
	cat >"$T/$n.vnt" <<EOF
import "net"
trace t {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    events
}
EOF
	"$VNT" compile -o "$T/$n.vntpkg" "$T/$n.vnt" 2>"$T/compile.err" || { notok "$n: compile" "$(cat "$T/compile.err")"; exit 1; }
	printf 'host1 %s:7878 hops=tx\nhost2 %s:7878 hops=rx\n' "${MGMT_IP_OF[host1]}" "${MGMT_IP_OF[host2]}" >"$T/hosts"
}

agent_pids() { # NAME
	local p=${AGENT_PID[$1]:-}
	[[ -n $p ]] || return 0
	echo "$p"
	pgrep -P "$p" 2>/dev/null
}

agent_bpf_ids() { # NAME
	local p
	for p in $(agent_pids "$1"); do
		bpf_ids_of "$p"
	done | sort -u
}

dispatch() {
	"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" "$@" \
		>"$T/dispatch.out" 2>"$T/dispatch.err"
	DISPATCH_RC=$?
}

db_counts() { # DB: {"hop": count} of the last run's raw events
	py '
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run = db.execute("select max(id) from runs").fetchone()[0]
print(json.dumps(dict(db.execute("select hop, count(*) from events where run_id = ? group by hop", (run,)).fetchall())))
' "$1"
}

# store_checks DB N: the run's raw events in the store (python's sqlite3,
# schema of doc/collector.md): N per hop, each hop from its own host,
# every packet joined across hosts by fingerprint, latencies sane once
# each host's clock offset is applied.
store_checks() {
	py '
import sqlite3, sys
N = int(sys.argv[2])
db = sqlite3.connect(sys.argv[1])
def check(name, good, why=""):
    print(("ok hosts: %s" % name) if good else ("not ok hosts: %s: %s" % (name, why)))
run = db.execute("select max(id) from runs").fetchone()[0]
hosts = {hid: (name, off, unc) for hid, name, off, unc in
         db.execute("select id, name, clock_offset_ns, clock_uncertainty_ns from hosts where run_id = ?", (run,))}
for hid, (name, off, unc) in sorted(hosts.items()):
    print("# %s: clock offset %+.1f us +/- %.1f us" % (name, off / 1e3, unc / 1e3))
check("store: three hosts with clock offsets", sorted(h[0] for h in hosts.values()) == ["host1", "host2", "host3"], repr(hosts))
check("store: uncertainties are >= 0 and < 50 ms", all(0 <= h[2] < 50e6 for h in hosts.values()), repr(hosts))
hops = dict(db.execute("select id, name from hops where run_id = ?", (run,)).fetchall())
rows = db.execute("select host_id, hop, fp, ts_ns from events where run_id = ?", (run,)).fetchall()
count, where = {}, {}
for hid, hop, fp, ts in rows:
    name = hops.get(hop, str(hop))
    count[name] = count.get(name, 0) + 1
    where.setdefault(name, set()).add(hosts[hid][0])
for h in ("vm1_tx", "under_tx", "under_rx", "vm2_rx"):
    check("store: %d events at %s" % (N, h), count.get(h) == N, "got %r" % count.get(h))
want_host = {"vm1_tx": "host1", "under_tx": "host1", "under_rx": "host2", "vm2_rx": "host3"}
check("store: each hop reported by its own host", all(where.get(h) == {w} for h, w in want_host.items()), repr(where))
path = {}
for hid, hop, fp, ts in rows:
    path.setdefault(fp, {})[hops.get(hop)] = ts + hosts[hid][1]
order = ["vm1_tx", "under_tx", "under_rx", "vm2_rx"]
full = [p for p in path.values() if all(h in p for h in order)]
check("cross-host: all %d packets joined by fingerprint at the 4 hops" % N, len(full) == N,
      "%d joined of %d fingerprints" % (len(full), len(path)))
slack = max(h[2] for h in hosts.values()) * 2
bad = []
for a, b in zip(order, order[1:]):
    lat = [p[b] - p[a] for p in full]
    if not lat:
        bad.append("%s->%s: none" % (a, b))
        continue
    print("# %s -> %s: min %.1f us, max %.1f us" % (a, b, min(lat) / 1e3, max(lat) / 1e3))
    # Between two hosts the offset estimate is good to its uncertainty.
    if not (min(lat) > -slack and max(lat) < 1e9):
        bad.append("%s->%s: [%d, %d] ns" % (a, b, min(lat), max(lat)))
check("cross-host: per-segment latencies sane with offsets applied (> -uncertainty, < 1 s)", not bad, "; ".join(bad))
e2e = [p["vm2_rx"] - p["vm1_tx"] for p in full] or [0]
check("cross-host: end-to-end latency positive and < 1 s", min(e2e) > 0 and max(e2e) < 1e9, "min %r max %r" % (min(e2e), max(e2e)))
snaps = db.execute("select count(*) from snapshots where run_id = ?", (run,)).fetchone()[0]
check("store: snapshots from the agents", snaps >= 3, "%d" % snaps)
' "$1" "$2"
}
