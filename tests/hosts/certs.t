#!/bin/bash
# vnt certs: a CA and certificates made with OpenSSL's library, accepted as
# they are by vnt-agent and vnt dispatch, and every bad input refused with
# a clear error and nothing left behind.
#   - `certs init` / `certs issue`: what the files hold (checked with the
#     openssl command: chain, subjectAltName, purposes, key modes)
#   - two agents (namespace hosts) with `vnt certs` certificates, a
#     dispatch with the dispatcher's: N datagrams, N events at each hop
#   - a host reached by its IP address: accepted when its certificate was
#     issued with --ip, refused when not; a certificate for another name
#     refused (hostname mismatch)
#   - bad input: an existing CA directory, a name that is not a DNS name,
#     a bad --ip, no CA, an existing certificate, a read-only directory,
#     a full file system half-way through: exit 1, a sentence, no files
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

N=50
PKI=$T/vpki    # lib.sh's agent_start and dispatch use $PKI/{ca,NAME,client}.*

# ---- the files ----
"$VNT" certs init "$PKI" >"$T/init.out" 2>&1 || { notok "certs: init" "$(cat "$T/init.out")"; exit 1; }
for n in host1 host2 client; do
	"$VNT" certs issue "$PKI" "$n" >>"$T/init.out" 2>&1 || { notok "certs: issue $n" "$(cat "$T/init.out")"; exit 1; }
done
sed 's/^/# /' "$T/init.out"
if need_openssl; then
	if openssl verify -CAfile "$PKI/ca.crt" "$PKI/host1.crt" "$PKI/host2.crt" "$PKI/client.crt" >"$T/verify.out" 2>&1; then
		ok "certs: openssl verifies the three certificates against ca.crt"
	else
		notok "certs: openssl verifies the three certificates against ca.crt" "$(tr '\n' ' ' <"$T/verify.out")"
	fi
	txt=$(openssl x509 -in "$PKI/host1.crt" -noout -text)
	if grep -q 'DNS:host1' <<<"$txt" && grep -q 'TLS Web Server Authentication, TLS Web Client Authentication' <<<"$txt" &&
		grep -q 'CA:FALSE' <<<"$txt"; then
		ok "certs: host1.crt names DNS:host1, serverAuth and clientAuth, CA:FALSE"
	else
		notok "certs: host1.crt names DNS:host1, serverAuth and clientAuth, CA:FALSE" "$txt"
	fi
	if openssl x509 -in "$PKI/ca.crt" -noout -text | grep -q 'CA:TRUE'; then
		ok "certs: ca.crt is a CA (CA:TRUE)"
	else
		notok "certs: ca.crt is a CA (CA:TRUE)" "$(openssl x509 -in "$PKI/ca.crt" -noout -text)"
	fi
fi
modes=$(stat -c '%n %a' "$PKI" "$PKI/ca.key" "$PKI/host1.key" "$PKI/ca.crt" | sed "s|$PKI|PKI|" | tr '\n' ' ')
check_eq "certs: modes (directory and keys private)" "$modes" "PKI 700 PKI/ca.key 600 PKI/host1.key 600 PKI/ca.crt 644 "

# ---- accepted by the agents and the dispatcher ----
topo_veth_pair || { notok "certs: topology" "topo_veth_pair failed"; exit 1; }
hosts_mgmt "$VP_NS_A" 1 && MGMT_IP_OF[host1]=$MGMT_IP && hosts_mgmt "$VP_NS_B" 2 && MGMT_IP_OF[host2]=$MGMT_IP ||
	{ notok "certs: management network" "veth"; exit 1; }
H1=${MGMT_IP_OF[host1]} H2=${MGMT_IP_OF[host2]}
agent_start host1 "$VP_NS_A" && agent_start host2 "$VP_NS_B" || { notok "certs: agents start" "see above"; exit 1; }
ok "certs: two agents start with vnt certs certificates"
cat >"$T/t.vnt" <<EOF
import "net"
trace t {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    events
}
EOF
"$VNT" compile -o "$T/t.vntpkg" "$T/t.vnt" 2>"$T/compile.err" || { notok "certs: compile" "$(cat "$T/compile.err")"; exit 1; }
printf 'host1 %s:7878 hops=tx\nhost2 %s:7878 hops=rx\n' "$H1" "$H2" >"$T/hosts"

"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" \
	--hosts "$T/hosts" --db "$T/run.db" --duration 60 "$T/t.vntpkg" >"$T/dispatch.out" 2>"$T/dispatch.err" &
dpid=$!
for _ in $(seq 1 600); do
	grep -q 'attached; tracing' "$T/dispatch.err" && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if grep -q '2 hops attached; tracing' "$T/dispatch.err"; then
	ok "certs: the dispatcher and both agents accept each other (2 hops attached)"
	send certs "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N"
	sleep 1 # raw records travel as they come; a margin for the last ones
else
	notok "certs: the dispatcher and both agents accept each other (2 hops attached)" "$(tr '\n' ' ' <"$T/dispatch.err")"
fi
kill -INT "$dpid" 2>/dev/null
wait "$dpid"
rc=$?
sed 's/^/# /' "$T/dispatch.out" "$T/dispatch.err"
check_eq "certs: dispatch exits 0" "$rc" 0
check_eq "certs: host1 ran tx and saw the $N datagrams" "$(grep -o '^host1: 1 hop attached (tx), [0-9]* events' "$T/dispatch.out")" \
	"host1: 1 hop attached (tx), $N events"
check_eq "certs: host2 ran rx and saw the $N datagrams" "$(grep -o '^host2: 1 hop attached (rx), [0-9]* events' "$T/dispatch.out")" \
	"host2: 1 hop attached (rx), $N events"

# ---- names: by IP address (--ip), and a certificate for another name ----
by_name() { # WANT-RC GREP NAME HOSTSPEC
	"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" --host "$4" \
		--db "$T/names.db" --duration 1 "$T/t.vntpkg" >"$T/names.out" 2>"$T/names.err"
	local rc=$?
	echo "# $3: exit $rc: $(grep -m2 'error' "$T/names.err")"
	if [[ $rc == "$1" ]] && grep -q -- "$2" "$T/names.out" "$T/names.err"; then
		ok "certs: $3"
	else
		notok "certs: $3" "rc $rc (want $1), no '$2' in: $(cat "$T/names.out" "$T/names.err" | tr '\n' ' ')"
	fi
}
agent_stop_all
"$VNT" certs issue "$PKI" "$H1" >/dev/null 2>"$T/ip.err" || notok "certs: issue for an IP address" "$(cat "$T/ip.err")"
mv "$PKI/$H1.crt" "$PKI/host1.crt" && mv "$PKI/$H1.key" "$PKI/host1.key" # agent_start uses NAME.crt
rm -f "$PKI/host2.crt" "$PKI/host2.key"
"$VNT" certs issue "$PKI" host2 --ip "$H2" >/dev/null 2>"$T/ip.err" || notok "certs: issue with --ip" "$(cat "$T/ip.err")"
agent_start host1 "$VP_NS_A" && agent_start host2 "$VP_NS_B" || { notok "certs: agents restart" "see above"; exit 1; }
by_name 0 "^$H2: 2 hops attached" "a host named by IP, its certificate issued with --ip: accepted" "$H2=$H2:7878"
by_name 0 "^$H1: 2 hops attached" "a host named by IP, its certificate issued for that IP: accepted" "$H1=$H1:7878"
by_name 1 "not accepted (hostname mismatch)" "host2's address with host1's name on the certificate: refused" "host2=$H1:7878"
"$VNT" certs issue "$PKI" host3 >/dev/null 2>&1
by_name 1 "not accepted (hostname mismatch)" "the certificate for host1 where host3 is expected: refused" "host3=$H1:7878"

# ---- bad input ----
# bad NAME WANT-RC MESSAGE CMD...: the exit status, the message, and the
# directory listing of $PKI unchanged.
bad() {
	local name=$1 want=$2 msg=$3 before after rc
	shift 3
	before=$(cd "$T" && find . -path ./cache -prune -o -print | sort | md5sum)
	"$@" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	after=$(cd "$T" && find . -path ./cache -prune -o -print | sort | md5sum)
	echo "# $name: exit $rc: $(head -1 "$T/bad.err")"
	if [[ $rc == "$want" ]] && grep -qF -- "$msg" "$T/bad.err" && [[ $before == "$after" ]]; then
		ok "certs: $name: exit $want, says so, no file made"
	else
		notok "certs: $name: exit $want, says so, no file made" \
			"rc $rc, files $([[ $before == "$after" ]] && echo unchanged || echo CHANGED): $(cat "$T/bad.err")"
	fi
}
: >"$T/bad.out"
: >"$T/bad.err"
sum_before=$(md5sum "$PKI"/* | md5sum)
bad "init on an existing directory" 1 "$PKI already exists; a CA directory is made new" "$VNT" certs init "$PKI"
mkdir "$T/empty"
bad "init on an existing empty directory" 1 "$T/empty already exists" "$VNT" certs init "$T/empty"
bad "a name that is not a DNS name" 1 "'bad_name' is not a valid DNS name or IP address" "$VNT" certs issue "$PKI" bad_name
bad "a label over 63 characters" 1 "is not a valid DNS name" "$VNT" certs issue "$PKI" "$(printf 'a%.0s' {1..64}).example"
bad "a label ending in '-'" 1 "'host-.example' is not a valid DNS name" "$VNT" certs issue "$PKI" host-.example
bad "a bad --ip" 1 "--ip '10.1.2' is not an IPv4 or IPv6 address" "$VNT" certs issue "$PKI" host4 --ip 10.1.2
bad "issue from a directory that is no CA" 1 "cannot read $T/empty/ca.crt: No such file or directory (make a CA directory first" \
	"$VNT" certs issue "$T/empty" host4
bad "issue over an existing certificate" 1 "$PKI/host1.crt already exists; remove" "$VNT" certs issue "$PKI" host1
bad "issue 'ca'" 1 "'ca' is the name of the CA's own files" "$VNT" certs issue "$PKI" ca
bad "usage: issue without a name" 2 "certs issue takes DIR NAME" "$VNT" certs issue "$PKI"
check_eq "certs: the CA directory's files unchanged by the refusals" "$(md5sum "$PKI"/* | md5sum)" "$sum_before"

# Unwritable and full file systems, in a mount namespace of their own.
# full: a 8 KiB tmpfs holds one PEM file in a page and fails on the second.
unshare -m bash -c '
	set -u
	T=$1 VNT=$2
	mkdir -p "$T/ro" "$T/full" "$T/full8"
	mount -t tmpfs -o ro none "$T/ro"
	"$VNT" certs init "$T/ro/pki"; echo "rc=$? ro init: $(ls -A "$T/ro" | tr "\n" " ")"
	mount -t tmpfs -o size=4k none "$T/full"
	"$VNT" certs init "$T/full/pki"; echo "rc=$? full init: $(ls -A "$T/full" | tr "\n" " ")"
	mount -t tmpfs -o size=8k none "$T/full8"
	"$VNT" certs init "$T/full8/pki" >/dev/null && echo "init8 ok"
	"$VNT" certs issue "$T/full8/pki" h1; echo "rc=$? full issue: $(ls -A "$T/full8/pki" | tr "\n" " ")"
	mount -o remount,ro "$T/full8"
	"$VNT" certs issue "$T/full8/pki" h2; echo "rc=$? ro issue: $(ls -A "$T/full8/pki" | tr "\n" " ")"
' _ "$T" "$VNT" >"$T/fs.out" 2>&1
sed 's/^/# /' "$T/fs.out"
fs_check() { # NAME RESULT-LINE MESSAGE
	if grep -qxF -- "$2" "$T/fs.out" && grep -qF -- "$3" "$T/fs.out"; then
		ok "certs: $1: exit 1, says so, nothing left"
	else
		notok "certs: $1: exit 1, says so, nothing left" "want '$2' and '$3' in: $(tr '\n' ' ' <"$T/fs.out")"
	fi
}
fs_check "init on a read-only file system" "rc=1 ro init: " "cannot create $T/ro/pki: Read-only file system"
fs_check "init on a file system that fills up" "rc=1 full init: " "cannot write $T/full/pki/ca.crt: No space left on device"
fs_check "issue on a file system that fills up" "rc=1 full issue: ca.crt ca.key " "cannot write $T/full8/pki/h1.key: No space left on device"
fs_check "issue on a read-only file system" "rc=1 ro issue: ca.crt ca.key " "cannot create $T/full8/pki/h2.key: Read-only file system"

exit 0
