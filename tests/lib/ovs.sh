# shellcheck shell=bash
# tests/lib/ovs.sh — a private Open vSwitch for a test: its own database,
# run and log directory ($OVS_DIR), ovsdb-server and ovs-vswitchd started
# by hand (no ovs-ctl, no systemd, nothing in /var/run/openvswitch), the
# switch daemon in a network namespace of the test, the userspace
# datapath (this kernel has no openvswitch module).  Stopped on exit.
#
#   . tests/lib/ovs.sh          (after tests/lib/topo.sh or vm.sh)
#   ovs_start NS || exit 1      sets OVS_DIR, OVS_VSWITCHD_PID, OVS_DB_PID
#   ovs_vsctl add-br obr -- set bridge obr datapath_type=netdev
#   ovs_appctl dpif/show
#   ovs_threads                 "TID COMM" of ovs-vswitchd's threads
#   ovs_stop                    (also on exit)

: "${OVS_SCHEMA:=/usr/share/openvswitch/vswitch.ovsschema}"
OVS_DIR="" OVS_VSWITCHD_PID="" OVS_DB_PID="" OVS_NS=""

_ovs_err() { echo "ovs.sh: ERROR: $*" >&2; }

ovs_vsctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=20 "$@"; }
ovs_appctl() { ovs-appctl --target="$OVS_DIR/ovs-vswitchd.ctl" --timeout=20 "$@"; }

ovs_start() { # NS
	local ns=$1 i c
	for c in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl; do
		command -v "$c" >/dev/null || { _ovs_err "$c not found (apt-get install openvswitch-switch; scripts/install-deps.sh does)"; return 1; }
	done
	[[ -r $OVS_SCHEMA ]] || { _ovs_err "no OVS schema at $OVS_SCHEMA"; return 1; }
	OVS_NS=$ns
	OVS_DIR=${T:?}/ovs
	mkdir -p "$OVS_DIR" || return 1
	topo_on_exit ovs_stop
	ovsdb-tool create "$OVS_DIR/conf.db" "$OVS_SCHEMA" >"$OVS_DIR/ovsdb-tool.log" 2>&1 ||
		{ _ovs_err "ovsdb-tool create failed: $(cat "$OVS_DIR/ovsdb-tool.log")"; return 1; }
	# OVS_RUNDIR: where the daemons put their pid files, control sockets
	# and the datapath's own sockets.
	export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR
	ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" --unixctl="$OVS_DIR/ovsdb-server.ctl" \
		--pidfile="$OVS_DIR/ovsdb-server.pid" --log-file="$OVS_DIR/ovsdb-server.log" >/dev/null 2>&1 &
	OVS_DB_PID=$!
	for i in $(seq 1 100); do [[ -S $OVS_DIR/db.sock ]] && break; kill -0 "$OVS_DB_PID" 2>/dev/null || break; sleep 0.1; done
	[[ -S $OVS_DIR/db.sock ]] || { _ovs_err "ovsdb-server did not start: $(tail -n 5 "$OVS_DIR/ovsdb-server.log" 2>/dev/null)"; return 1; }
	ovs_vsctl --no-wait init || { _ovs_err "ovs-vsctl init failed"; return 1; }
	nsenter --net="/run/netns/$ns" -- ovs-vswitchd "unix:$OVS_DIR/db.sock" --unixctl="$OVS_DIR/ovs-vswitchd.ctl" \
		--pidfile="$OVS_DIR/ovs-vswitchd.pid" --log-file="$OVS_DIR/ovs-vswitchd.log" >/dev/null 2>&1 &
	OVS_VSWITCHD_PID=$!
	for i in $(seq 1 100); do [[ -S $OVS_DIR/ovs-vswitchd.ctl ]] && break; kill -0 "$OVS_VSWITCHD_PID" 2>/dev/null || break; sleep 0.1; done
	[[ -S $OVS_DIR/ovs-vswitchd.ctl ]] || { _ovs_err "ovs-vswitchd did not start: $(tail -n 5 "$OVS_DIR/ovs-vswitchd.log" 2>/dev/null)"; return 1; }
	echo "# ovs: ovsdb-server pid $OVS_DB_PID, ovs-vswitchd pid $OVS_VSWITCHD_PID in $ns ($(ovs-vswitchd --version | head -n 1)), state in $OVS_DIR"
}

ovs_threads() {
	local t
	for t in /proc/"$OVS_VSWITCHD_PID"/task/*; do
		echo "${t##*/} $(cat "$t/comm" 2>/dev/null)"
	done
}

ovs_stop() {
	local p i
	# --cleanup: the datapath's ports go too (the bridge's internal tap).
	[[ -n $OVS_VSWITCHD_PID ]] && kill -0 "$OVS_VSWITCHD_PID" 2>/dev/null &&
		ovs-appctl --target="$OVS_DIR/ovs-vswitchd.ctl" --timeout=10 exit --cleanup >/dev/null 2>&1
	for p in $OVS_VSWITCHD_PID $OVS_DB_PID; do
		kill -TERM "$p" 2>/dev/null || continue
		for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	OVS_VSWITCHD_PID="" OVS_DB_PID=""
}
