#!/usr/bin/env bats
# irt fleet isolate, for real: three network namespaces, each with its own
# sshd on its own veth address and a TCP listener on port 8080, isolated
# by the real ansible-playbook with the playbook irt ships, and a fourth
# inventory host that does not answer.  The root namespace holds two
# addresses on each link: .1, the one Ansible connects from (the SSH path
# irt always allows), and .3, an outsider.  Run as root (namespaces,
# nftables); needs the static irt that scripts/test builds.
#
# A probe that says "blocked" proves nothing alone: every path asserted
# blocked is asserted open before the isolation and after it ends.

load helper
load fleet-hosts

# One listener for the three namespaces (a Python start is dear on a
# loaded machine): a one-line HTTP answer on port 8080 of each.
LISTENER='
import ctypes, os, socket, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
def serve(s):
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(5)
            c.recv(4096)
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n")
        except OSError:
            pass
        c.close()
for name in sys.argv[2:]:
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 8080))
    s.listen(16)
    threading.Thread(target=serve, args=(s,), daemon=True).start()
open(sys.argv[1], "w").write("ready\n")
threading.Event().wait()
'

setup_file() {
	export FLEET_DIR=$BATS_FILE_TMPDIR/fleet
	# our own octet and names: fleet.bats takes 200-249 and f$$
	export FLEET_NET=$((150 + $$ % 50)) FLEET_TAG=i$$
	mkdir -p "$FLEET_DIR"
	chmod 755 "$BATS_FILE_TMPDIR" "$FLEET_DIR"
	fleet_hosts_up 3
	local i l ns=()
	# each host keeps its isolation state in a folder of the test
	for i in 1 2 3; do
		sed -i "s|^host$i ansible_host=.*$|& irt_rundir=$FLEET_DIR/run/host$i|" \
		    "$FLEET_DIR/inventory"
	done
	# the outsider's address next to the responder's, on each link
	i=0
	while read -r l; do
		i=$((i + 1))
		ip addr add "10.$FLEET_NET.$i.3/24" dev "$l"
	done <"$FLEET_DIR/links"
	mapfile -t ns <"$FLEET_DIR/namespaces"
	python3 -S -c "$LISTENER" "$FLEET_DIR/listening" "${ns[@]}" \
	    >/dev/null 2>"$FLEET_DIR/listener.log" 3>&- &
	echo $! >>"$FLEET_DIR/pids"
	i=0
	until [ -s "$FLEET_DIR/listening" ]; do
		i=$((i + 1))
		if [ "$i" -gt 600 ] || ! kill -0 "$(tail -n1 "$FLEET_DIR/pids")"; then
			cat "$FLEET_DIR/listener.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

teardown_file() {
	local ns p
	# a watchdog of irt isolate left by a test that failed half-way
	while read -r ns; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null || true
		done
	done <"$FLEET_DIR/namespaces"
	fleet_hosts_down
}

setup() {
	setup_common
	BIN=${IRT_STATIC_BIN:-$IRT_SRC/build-static/cmd/irt}
	if [ ! -x "$BIN" ]; then
		echo "no static irt at '$BIN': scripts/test builds it" \
		    "(meson setup build-static -Dstatic=enabled)" >&2
		return 1
	fi
	make_case
	export ANSIBLE_LOCAL_TEMP=$TMP/ansible-tmp ANSIBLE_RETRY_FILES_ENABLED=0
	INV=$FLEET_DIR/inventory
	NET=$FLEET_NET
}

teardown() { teardown_common; }

commits() { git -C "$TMP/case" rev-list --count HEAD; }

ns_of() { sed -n "${1}p" "$FLEET_DIR/namespaces"; }

# probe SRC DST: port 8080 of DST from the address SRC of the root
# namespace: open, blocked (nothing answers within 2 s), or what failed
probe() {
	local out rc=0
	out=$(curl -s --interface "$1" --connect-timeout 2 -m 10 \
	    "http://$2:8080/" 2>&1) || rc=$?
	case "$rc:$out" in
	0:hello) echo open ;;
	28:*) echo blocked ;;
	*) echo "error $rc: $out" ;;
	esac
}

# ssh_from SRC I: whether host I lets an SSH session in from SRC
ssh_from() {
	ssh -q -i "$FLEET_DIR/ssh/id" -o BatchMode=yes -b "$1" \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    -o ConnectTimeout=3 "root@10.$NET.$2.2" true
}

# has_table I: whether irt's table is in the ruleset of host I
has_table() {
	ip netns exec "$(ns_of "$1")" nft list table inet irt_isolate >/dev/null 2>&1
}

host_field() {
	jq -r ".hosts[] | select(.host == \"$2\") | .$3" <<<"$1"
}

@test "fleet isolate: usage, bad addresses and a case with nothing isolated" {
	run irt fleet isolate -i "$INV" --binary "$BIN"
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing --confirm-within SECONDS"
	run irt fleet isolate confirm -i "$INV" --binary "$BIN" --allow 192.0.2.1
	[ "$status" -eq 2 ]
	assert_contains "$output" "--allow and --confirm-within are for isolating, not confirm"
	before=$(commits)
	run irt fleet isolate -i "$INV" --binary "$BIN" --confirm-within 60 \
	    --allow 'not an address!'
	[ "$status" -eq 2 ]
	assert_contains "$output" "not an address!"
	# nothing isolated in this case: nothing to confirm, lift or ask
	for verb in confirm lift status; do
		run irt fleet isolate "$verb" -i "$INV" --binary "$BIN"
		[ "$status" -eq 1 ]
		assert_contains "$output" "irt: no host of inventory '$INV' is isolated"
	done
	[ "$(commits)" -eq "$before" ]
	# and no stage is left behind
	[ -z "$(ls -A "$TMP/case/evidence" 2>/dev/null | grep '^fleet-' || true)" ]
	for i in 1 2 3; do ! has_table "$i" || false; done
}

@test "fleet isolate: a broken state in the case is named, nothing runs" {
	mkdir -p "$TMP/case/fleet-isolation"
	printf 'host = host1\nstate = half-open\nfleet = x\ntime = 2026-11-27T10:00:00Z\n' \
	    >"$TMP/case/fleet-isolation/host1.state"
	git -C "$TMP/case" add fleet-isolation
	git -C "$TMP/case" commit -q -m 'a hand-made state'
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "fleet-isolation/host1.state: invalid state 'half-open'"
	run irt fleet isolate lift -i "$INV" --binary "$BIN"
	[ "$status" -eq 1 ]
	assert_contains "$output" "fleet-isolation/host1.state: invalid state 'half-open'"
}

@test "fleet isolate applies on three hosts but for the SSH path, confirm keeps it, lift ends it" {
	for i in 1 2 3; do
		[ "$(probe "10.$NET.$i.3" "10.$NET.$i.2")" = open ]
		ssh_from "10.$NET.$i.3" "$i"
	done
	run --separate-stderr irt --json fleet isolate --binary "$BIN" -i "$INV" \
	    --confirm-within 3600 --allow 192.0.2.7 --forks 4
	echo "$stderr" >&2
	[ "$status" -eq 1 ]
	doc=$output
	[ "$(jq -r .action <<<"$doc")" = isolate ]
	for i in 1 2 3; do
		[ "$(host_field "$doc" "host$i" outcome)" = applied ]
		[ "$(host_field "$doc" "host$i" state)" = applied ]
		# the SSH path Ansible came in by, and the one asked for
		[ "$(host_field "$doc" "host$i" allow)" = "192.0.2.7,10.$NET.$i.1" ]
		[ "$(host_field "$doc" "host$i" isolation)" != null ]
		[ "$(host_field "$doc" "host$i" deadline)" != null ]
	done
	# the host that does not answer, with Ansible's reason, exit 1
	[ "$(host_field "$doc" host4 outcome)" = unreachable ]
	[ "$(host_field "$doc" host4 state)" = null ]
	assert_contains "$stderr" "irt: host4: unreachable: reach the host: Failed to connect to the host via ssh"
	id=$(jq -r .id <<<"$doc")
	# in each namespace: irt's table, armed, with both addresses
	for i in 1 2 3; do
		rules=$(ip netns exec "$(ns_of "$i")" nft list ruleset)
		assert_contains "$rules" "table inet irt_isolate"
		assert_contains "$rules" "10.$NET.$i.1"
		assert_contains "$rules" "192.0.2.7"
		# the outsider is cut off, the responder's SSH path is not
		[ "$(probe "10.$NET.$i.3" "10.$NET.$i.2")" = blocked ]
		run ! ssh_from "10.$NET.$i.3" "$i"
		ssh_from "10.$NET.$i.1" "$i"
	done
	# the case: one commit for the action, a state per isolated host
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: fleet-isolate'
	git -C "$TMP/case" log -1 --format=%B | grep -qx "Irt-Fleet: $id"
	[ "$(git -C "$TMP/case" show --name-only --format= HEAD | grep -c '^fleet-isolation/')" -eq 3 ]
	rec=$(shard "$TMP/case/fleet" "$id" .record)
	grep -qx 'action = isolate' "$rec"
	grep -qx 'hosts = 4' "$rec"
	grep -qx "inventory_sha256 = $(sha256sum <"$INV" | cut -d' ' -f1)" "$rec"
	for i in 1 2 3; do
		grep -qx 'state = applied' "$TMP/case/fleet-isolation/host$i.state"
		grep -qx "fleet = $id" "$TMP/case/fleet-isolation/host$i.state"
	done
	[ ! -e "$TMP/case/fleet-isolation/host4.state" ]

	# confirm: only the isolated hosts, so host4 is not asked
	run --separate-stderr irt --json fleet isolate confirm -i "$INV" --binary "$BIN"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(jq -r '.hosts | length' <<<"$output")" -eq 3 ]
	[ "$(jq -r '[.hosts[].outcome] | unique | join(",")' <<<"$output")" = confirmed ]
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: fleet-isolate-confirm'
	for i in 1 2 3; do
		grep -qx 'state = confirmed' "$TMP/case/fleet-isolation/host$i.state"
		[ "$(probe "10.$NET.$i.3" "10.$NET.$i.2")" = blocked ]
	done
	# status: the table, read on each host
	run --separate-stderr irt fleet isolate status -i "$INV" --binary "$BIN"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	assert_contains "${lines[0]}" "HOST"
	for i in 1 2 3; do
		assert_contains "$output" "host$i                confirmed"
	done

	# lift: the table is gone and the probes answer again
	run --separate-stderr irt --json fleet isolate lift -i "$INV" --binary "$BIN"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.hosts[].outcome] | unique | join(",")' <<<"$output")" = lifted ]
	for i in 1 2 3; do
		run ! has_table "$i"
		run ip netns exec "$(ns_of "$i")" nft list ruleset
		assert_not_contains "$output" "irt_isolate"
		[ "$(probe "10.$NET.$i.3" "10.$NET.$i.2")" = open ]
		ssh_from "10.$NET.$i.3" "$i"
		grep -qx 'state = lifted' "$TMP/case/fleet-isolation/host$i.state"
		# nothing left of irt on the host
		[ -z "$(ls -A "$FLEET_DIR/remote/host$i")" ]
	done
	run irt fleet isolate lift -i "$INV" --binary "$BIN"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: no host of inventory '$INV' is isolated in this case"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "fleet isolate: unconfirmed, each host rolls itself back" {
	run --separate-stderr irt --json fleet isolate --binary "$BIN" -i "$INV" \
	    --limit 'host1:host2:host3' --confirm-within 90
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.hosts[].outcome] | unique | join(",")' <<<"$output")" = applied ]
	[ "$(jq -r '.hosts | length' <<<"$output")" -eq 3 ]
	# (90 s: the status read after apply must come before the deadline
	# on a loaded machine)
	# nobody confirms: the kernel ends each, the watchdog removes the table
	n=0
	while has_table 1 || has_table 2 || has_table 3; do
		n=$((n + 1))
		[ "$n" -lt 2400 ]
		sleep 0.25
	done
	for i in 1 2 3; do
		[ "$(probe "10.$NET.$i.3" "10.$NET.$i.2")" = open ]
	done
	# status learns it from each host and the case keeps it
	run --separate-stderr irt --json fleet isolate status -i "$INV" --binary "$BIN"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.hosts[].outcome] | unique | join(",")' <<<"$output")" = rolled-back ]
	for i in 1 2 3; do
		grep -qx 'state = rolled-back' "$TMP/case/fleet-isolation/host$i.state"
	done
	# too late to confirm
	run irt fleet isolate confirm -i "$INV" --binary "$BIN"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: no host of inventory '$INV' is isolated and unconfirmed in this case"
	# lift clears what is left on each host
	run --separate-stderr irt --json fleet isolate lift -i "$INV" --binary "$BIN"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.hosts[].outcome] | unique | join(",")' <<<"$output")" = lifted ]
	run irt case verify
	[ "$status" -eq 0 ]
}
