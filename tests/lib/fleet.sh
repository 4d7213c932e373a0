# shellcheck shell=bash
# tests/lib/fleet.sh — many agents for one dispatcher: N vnt-agent processes
# in the root namespace, each on its own loopback port with TLS (one
# certificate naming agent1..agentN, signed by the test's CA), for the
# fleet tests (tests/hosts/fleet*.t) and the bench (bench/fleet.sh).
# Source after tests/hosts/lib.sh (PKI, T, VNT_AGENT, topo_on_exit).
#
#   fleet_certs N           $PKI: ca, client (hosts_certs) and fleet.crt/key
#   fleet_agents N [ARGS]   start agent1..agentN; waits until each listens;
#                           FLEET_PORT[k], FLEET_PID[k]. Returns 1 if one does not
#   fleet_hosts FILE FROM TO  a hosts file of agentFROM..agentTO
#   fleet_stop              stop them all (also on exit)
#   fleet_agent_pid K       the pid of agentK

declare -a FLEET_PORT=() FLEET_PID=()

fleet_certs() { # N
	local n=$1 san="" k
	hosts_certs || return 1
	for ((k = 1; k <= n; k++)); do san+="${san:+,}DNS:agent$k"; done
	(
		cd "$PKI" || exit 1
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout fleet.key -out fleet.csr -subj "/CN=fleet" &&
			printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san" >fleet.ext &&
			openssl x509 -req -in fleet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out fleet.crt -extfile fleet.ext
	) >>"$T/pki.log" 2>&1
}

_fleet_ports() { # N: N free loopback ports, one a line
	python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
}

fleet_agents() { # N [ARGS...]
	local n=$1 k i
	shift
	mapfile -t ports < <(_fleet_ports "$n")
	for ((k = 1; k <= n; k++)); do
		FLEET_PORT[k]=${ports[k - 1]}
		"$VNT_AGENT" --config /dev/null --listen "127.0.0.1:${FLEET_PORT[k]}" --name "agent$k" \
			--cert "$PKI/fleet.crt" --key "$PKI/fleet.key" --ca "$PKI/ca.crt" --timeout "${AGENT_TIMEOUT:-5}" "$@" \
			>"$T/fleet-agent$k.log" 2>&1 &
		FLEET_PID[k]=$!
	done
	for ((k = 1; k <= n; k++)); do
		for ((i = 0; i < 200; i++)); do
			grep -q "listening on" "$T/fleet-agent$k.log" 2>/dev/null && break
			kill -0 "${FLEET_PID[k]}" 2>/dev/null || break
			sleep 0.05
		done
		grep -q "listening on" "$T/fleet-agent$k.log" 2>/dev/null || {
			echo "# agent$k did not start:"
			sed 's/^/#   /' "$T/fleet-agent$k.log"
			return 1
		}
	done
}

fleet_hosts() { # FILE FROM TO
	local k
	: >"$1"
	for ((k = $2; k <= $3; k++)); do
		echo "agent$k 127.0.0.1:${FLEET_PORT[k]}" >>"$1"
	done
}

fleet_agent_pid() { echo "${FLEET_PID[$1]}"; }

fleet_stop() {
	local k
	for k in "${!FLEET_PID[@]}"; do kill -TERM "${FLEET_PID[k]}" 2>/dev/null; done
	for k in "${!FLEET_PID[@]}"; do wait "${FLEET_PID[k]}" 2>/dev/null; done
	FLEET_PID=()
}
topo_on_exit fleet_stop
