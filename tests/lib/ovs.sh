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
#   ovs_topo                    two namespaces on veths into an OVS bridge in a
#                               third (the bridge topology of tests/lib/topo.sh
#                               with OVS for the Linux bridge): OV_NS_A, OV_NS_B,
#                               OV_NS_SW, OV_DEV_A, OV_DEV_B, OV_PORT1, OV_PORT2,
#                               OV_IP_A, OV_IP_B (10.87.0.1, .2); checksum
#                               offload off on every veth (OVS's AF_PACKET path)

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
	OVS_DIR=$(mktemp -d "${T:-/tmp}/vnt-ovs.XXXXXX") || return 1
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

ovs_topo() {
	_topo_begin ovs_topo || return 1
	OV_NS_A=$VT_ID-ova OV_NS_B=$VT_ID-ovb OV_NS_SW=$VT_ID-ovs
	OV_DEV_A=${VT_ID}oa OV_DEV_B=${VT_ID}ob OV_PORT1=${VT_ID}o1 OV_PORT2=${VT_ID}o2
	OV_IP_A=10.87.0.1 OV_IP_B=10.87.0.2
	export OV_NS_A OV_NS_B OV_NS_SW OV_DEV_A OV_DEV_B OV_PORT1 OV_PORT2 OV_IP_A OV_IP_B
	local x
	_topo_ns_add "$OV_NS_A" && _topo_ns_add "$OV_NS_B" && _topo_ns_add "$OV_NS_SW" &&
		_topo_veth "$OV_NS_A" "$OV_DEV_A" "$OV_NS_SW" "$OV_PORT1" &&
		_topo_veth "$OV_NS_B" "$OV_DEV_B" "$OV_NS_SW" "$OV_PORT2" &&
		_topo_addr "$OV_NS_A" "$OV_DEV_A" "$OV_IP_A/24" 02:87:00:00:00:01 &&
		_topo_addr "$OV_NS_B" "$OV_DEV_B" "$OV_IP_B/24" 02:87:00:00:00:02 &&
		_topo_neigh "$OV_NS_A" "$OV_DEV_A" "$OV_IP_B" 02:87:00:00:00:02 &&
		_topo_neigh "$OV_NS_B" "$OV_DEV_B" "$OV_IP_A" 02:87:00:00:00:01 &&
		ip -n "$OV_NS_SW" link set "$OV_PORT1" up && ip -n "$OV_NS_SW" link set "$OV_PORT2" up ||
		{ _topo_die "ovs_topo: setup failed"; return 1; }
	for x in "$OV_NS_A $OV_DEV_A" "$OV_NS_B $OV_DEV_B" "$OV_NS_SW $OV_PORT1" "$OV_NS_SW $OV_PORT2"; do
		# shellcheck disable=SC2086
		set -- $x
		topo_exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
	done
	ovs_start "$OV_NS_SW" >/dev/null &&
		ovs_vsctl add-br obr -- set bridge obr datapath_type=netdev -- add-port obr "$OV_PORT1" -- add-port obr "$OV_PORT2" ||
		{ _topo_die "ovs_topo: OVS did not start"; return 1; }
	_topo_ns_no_ipv6 "$OV_NS_A" && _topo_ns_no_ipv6 "$OV_NS_B" && _topo_ns_no_ipv6 "$OV_NS_SW"
	local i
	for i in 1 2 3 4 5; do
		topo_exec "$OV_NS_A" ping -c 1 -W 2 -q "$OV_IP_B" >/dev/null 2>&1 && return 0
	done
	_topo_die "ovs_topo: no ping across OVS"
}
