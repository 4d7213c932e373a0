# shellcheck shell=bash
# tests/lib/prometheus.sh — a real Prometheus server (Debian's, from
# scripts/install-deps.sh) for one test: on loopback, on a free port, with
# its configuration and TSDB under the test's scratch directory, scraping
# the given targets every second, always stopped when the test exits.
# No systemd, no /var/lib/prometheus.
#
#   need_prometheus         skip (return 1) when prometheus or curl is missing
#   free_port               a TCP port nobody listens on, on 127.0.0.1
#   prom_start TARGET...    start it scraping HOST:PORT targets (/metrics every 1 s);
#                           waits (at most $PROM_START_WAIT s, default 60) until it
#                           is ready. Sets PROM_PORT, PROM_PID, PROM_DIR.
#   prom_wait_up TARGET [S] wait until its last scrape of TARGET succeeded
#   prom_query EXPR [TIME]  an instant PromQL query over the HTTP API; prints the
#                           result as JSON (the API's data.result), at TIME
#                           (seconds since the epoch) if given
#   prom_stop               SIGTERM, SIGKILL after 10 s; also on exit
#
# Source after tests/integration/lib.sh (or set T and define skip).

: "${PROM_START_WAIT:=60}"
PROM_PID="" PROM_PORT="" PROM_DIR=""
PROM_SCRAPE_S=1

need_prometheus() {
	if ! command -v prometheus >/dev/null || ! command -v curl >/dev/null; then
		skip "$(basename "$0"): Prometheus" "prometheus or curl is not installed (scripts/install-deps.sh installs them)"
		return 1
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

prom_start() { # TARGET...
	local i t targets=""
	need_prometheus || return 1
	PROM_DIR=$T/prometheus
	mkdir -p "$PROM_DIR/data" || return 1
	PROM_PORT=$(free_port)
	for t in "$@"; do targets+="${targets:+, }'$t'"; done
	cat >"$PROM_DIR/prometheus.yml" <<YML
global:
  scrape_interval: ${PROM_SCRAPE_S}s
  scrape_timeout: ${PROM_SCRAPE_S}s
  evaluation_interval: ${PROM_SCRAPE_S}s
scrape_configs:
  - job_name: vnt
    static_configs:
      - targets: [$targets]
YML
	setsid prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.retention.time=1h \
		>"$PROM_DIR/log" 2>&1 &
	PROM_PID=$!
	if [[ -z ${_PROM_TRAP:-} ]]; then
		topo_on_exit prom_stop 2>/dev/null || trap prom_stop EXIT
		_PROM_TRAP=1
	fi
	for ((i = 0; i < PROM_START_WAIT * 5; i++)); do
		curl -sf --max-time 2 "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && return 0
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "# prometheus did not get ready on 127.0.0.1:$PROM_PORT:"
	tail -n 20 "$PROM_DIR/log" | sed 's/^/#   /'
	prom_stop
	return 1
}

prom_wait_up() { # TARGET [SECS]
	local i up
	for ((i = 0; i < ${2:-30} * 5; i++)); do
		up=$(curl -s --max-time 2 "http://127.0.0.1:$PROM_PORT/api/v1/targets" |
			python3 -c 'import json,sys
d=json.load(sys.stdin)
print(" ".join(t["health"] for t in d["data"]["activeTargets"] if t["labels"]["instance"]==sys.argv[1]))' "$1" 2>/dev/null)
		[[ $up == up ]] && return 0
		sleep 0.2
	done
	echo "# prometheus never scraped $1 successfully:"
	curl -s --max-time 2 "http://127.0.0.1:$PROM_PORT/api/v1/targets" | head -c 1000 | sed 's/^/#   /'
	echo
	return 1
}

prom_query() { # EXPR [TIME]
	local args=(--data-urlencode "query=$1")
	[[ -n ${2:-} ]] && args+=(--data-urlencode "time=$2")
	curl -s --max-time 10 "http://127.0.0.1:$PROM_PORT/api/v1/query" "${args[@]}" |
		python3 -c 'import json,sys
d=json.load(sys.stdin)
if d.get("status")!="success": sys.exit("query failed: %r" % d)
print(json.dumps(d["data"]["result"]))'
}

prom_stop() {
	[[ -n $PROM_PID ]] || return 0
	local i
	kill -TERM "$PROM_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=""
}
