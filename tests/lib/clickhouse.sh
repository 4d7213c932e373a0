# shellcheck shell=bash
# tests/lib/clickhouse.sh — a real clickhouse-server (Debian's 18.16, from
# scripts/install-deps.sh) for one test: on loopback, on free ports, with
# its data, logs and configuration under the test's scratch directory, and
# always stopped when the test exits (trap). No systemd, no /var/lib.
#
#   ch_start [NAME [PORT]]  start a server (again, with NAME's data, on PORT: a
#                       restart after ch_kill); waits (at most $CH_START_WAIT s, default
#                       60) until `SELECT 1` answers over HTTP. Sets CH_PORT
#                       (HTTP), CH_PID, CH_URL (clickhouse://127.0.0.1:PORT/vnt_test;
#                       the database is created by the store when missing) and
#                       CH_DIR. Returns 1 with the server's log on failure.
#   ch_stop             stop it (SIGTERM, then SIGKILL after 10 s); also on exit
#   ch_kill             SIGKILL it (a server dying mid-run)
#   ch_query SQL        run SQL over HTTP (curl), print the answer (TSV)
#   need_clickhouse     skip (return 1) when clickhouse-server or curl is missing
#
# Source after tests/integration/lib.sh (or set T and define skip).

: "${CH_START_WAIT:=60}"
CH_PID="" CH_PORT="" CH_URL="" CH_DIR=""

need_clickhouse() {
	local bin
	bin=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
	if [[ ! -x $bin ]] || ! command -v curl >/dev/null; then
		skip "$(basename "$0"): ClickHouse" "clickhouse-server or curl is not installed (scripts/install-deps.sh installs them)"
		return 1
	fi
	CH_BIN=$bin
}

# A TCP port nobody listens on (the kernel picks it; a race with another
# process taking it in between is possible but the start then fails clearly).
_ch_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

ch_start() { # [NAME [PORT]]
	local name=${1:-ch} i
	need_clickhouse || return 1
	CH_DIR=$T/$name
	mkdir -p "$CH_DIR/data" "$CH_DIR/tmp" "$CH_DIR/user_files" "$CH_DIR/format_schemas" || return 1
	CH_PORT=${2:-$(_ch_free_port)}
	local tcp inter
	tcp=$(_ch_free_port)
	inter=$(_ch_free_port)
	# The smallest configuration 18.16 starts with: its own ports and paths,
	# small caches (the machine is shared), one default user without password.
	cat >"$CH_DIR/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$CH_DIR/server.log</log><errorlog>$CH_DIR/server.err.log</errorlog><size>10M</size><count>1</count></logger>
    <http_port>$CH_PORT</http_port>
    <tcp_port>$tcp</tcp_port>
    <interserver_http_port>$inter</interserver_http_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>256</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>64</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>$CH_DIR/data/</path>
    <tmp_path>$CH_DIR/tmp/</tmp_path>
    <user_files_path>$CH_DIR/user_files/</user_files_path>
    <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
    <users_config>$CH_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mlock_executable>false</mlock_executable>
</yandex>
EOF
	cat >"$CH_DIR/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage><log_queries>0</log_queries></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
	# setsid: the server is not in the test's process group (a Ctrl-C of
	# the test reaches the test, whose trap stops the server in order).
	setsid "$CH_BIN" --config-file="$CH_DIR/config.xml" >"$CH_DIR/stdout.log" 2>&1 &
	CH_PID=$!
	CH_URL="clickhouse://127.0.0.1:$CH_PORT/vnt_test"
	if [[ -z ${_CH_TRAP:-} ]]; then
		topo_on_exit ch_stop 2>/dev/null || trap ch_stop EXIT
		_CH_TRAP=1
	fi
	for ((i = 0; i < CH_START_WAIT * 5; i++)); do
		[[ $(curl -s --max-time 2 "http://127.0.0.1:$CH_PORT/?query=SELECT%201" 2>/dev/null) == 1 ]] && return 0
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "# clickhouse-server did not answer on 127.0.0.1:$CH_PORT:"
	tail -n 20 "$CH_DIR/server.err.log" "$CH_DIR/stdout.log" 2>/dev/null | sed 's/^/#   /'
	ch_stop
	return 1
}

ch_stop() {
	[[ -n $CH_PID ]] || return 0
	local i
	kill -TERM "$CH_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_PID=""
}

ch_kill() {
	[[ -n $CH_PID ]] || return 0
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_PID=""
}

ch_query() { # SQL
	curl -s --max-time 60 --data-binary "$1" "http://127.0.0.1:$CH_PORT/"
}
