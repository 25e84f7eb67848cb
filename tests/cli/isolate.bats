#!/usr/bin/env bats
# irt isolate: run as root in network namespaces.  "host" is isolated;
# "responder" must keep talking to it, "other" must not, over IPv4 and
# IPv6.  Every namespace name is unique to the run and removed in
# teardown, with every process left in it.

load helper

LISTENER='
import socket, sys, threading
def serve(s):
    while True:
        c, _ = s.accept()
        c.sendall(b"hello\n")
        c.close()
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, int(sys.argv[1])))
    s.listen(16)
    socks.append(s)
    threading.Thread(target=serve, args=(s,), daemon=True).start()
open(sys.argv[2], "w").write("ready\n")
threading.Event().wait()
'

# ns NAME -> the unique name of a namespace of this test
ns() {
	echo "irt$$-${BATS_TEST_NUMBER}-$1"
}

in_ns() {
	local n
	n=$(ns "$1")
	shift
	ip netns exec "$n" "$@"
}

# connects ns ADDR PORT: succeeds when a TCP connection is made in 2 s
connects() {
	in_ns "$1" timeout 3 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
s.close()' "$2" "$3" 2>/dev/null
}

start_listener() {
	in_ns "$1" python3 -c "$LISTENER" 8080 "$TMP/ready-$1" \
	    </dev/null >/dev/null 2>&1 &
	local i
	for i in $(seq 50); do
		[ -f "$TMP/ready-$1" ] && return 0
		sleep 0.1
	done
	echo "listener in $1 did not start" >&2
	return 1
}

setup() {
	setup_common
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	ip netns add "$(ns probe)" 2>/dev/null || skip "no network namespaces"
	ip netns del "$(ns probe)"
	export IRT_RUNDIR="$TMP/run"
	local n
	for n in host responder other; do
		ip netns add "$(ns $n)"
		in_ns $n ip link set lo up
	done
	# veth pairs: host <-> responder, host <-> other
	ip link add "irt$$r0" netns "$(ns host)" type veth \
	    peer name "irt$$r1" netns "$(ns responder)"
	ip link add "irt$$o0" netns "$(ns host)" type veth \
	    peer name "irt$$o1" netns "$(ns other)"
	in_ns host ip addr add 10.98.1.1/24 dev "irt$$r0"
	in_ns host ip addr add fd98:1::1/64 dev "irt$$r0" nodad
	in_ns responder ip addr add 10.98.1.2/24 dev "irt$$r1"
	in_ns responder ip addr add fd98:1::2/64 dev "irt$$r1" nodad
	in_ns host ip addr add 10.98.2.1/24 dev "irt$$o0"
	in_ns host ip addr add fd98:2::1/64 dev "irt$$o0" nodad
	in_ns other ip addr add 10.98.2.2/24 dev "irt$$o1"
	in_ns other ip addr add fd98:2::2/64 dev "irt$$o1" nodad
	in_ns host ip link set "irt$$r0" up
	in_ns host ip link set "irt$$o0" up
	in_ns responder ip link set "irt$$r1" up
	in_ns other ip link set "irt$$o1" up
	for n in host responder other; do
		start_listener $n
	done
	# a table of someone else, with rules, that must stay untouched
	in_ns host nft -f - <<'NFT'
table inet keepme {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 9999 counter drop
		ip saddr 192.0.2.0/24 counter accept
	}
}
NFT
	in_ns host nft -s list ruleset >"$TMP/before.nft"
}

teardown() {
	local n pid
	for n in host responder other probe; do
		if ip netns list | grep -q "^$(ns $n)\b"; then
			for pid in $(ip netns pids "$(ns $n)"); do
				kill -9 "$pid" 2>/dev/null || true
			done
			ip netns del "$(ns $n)"
		fi
	done
	teardown_common
}

# Every path the test cares about: responder <-> host open, other <-> host
# closed, over both families.
assert_isolated() {
	connects responder 10.98.1.1 8080
	connects responder fd98:1::1 8080
	connects host 10.98.1.2 8080
	connects host fd98:1::2 8080
	run ! connects other 10.98.2.1 8080
	run ! connects other fd98:2::1 8080
	run ! connects host 10.98.2.2 8080
	run ! connects host fd98:2::2 8080
}

assert_open() {
	connects other 10.98.2.1 8080
	connects other fd98:2::1 8080
	connects host 10.98.2.2 8080
	connects host fd98:2::2 8080
}

table_present() {
	in_ns host nft list table inet irt_isolate >/dev/null 2>&1
}

@test "isolate plan: prints its own table, no blanket established rule" {
	run irt isolate plan --allow 10.98.1.2,fd98:1::2 --allow 10.9.0.7/16 \
	    --allow-port tcp/22 --dns 10.98.1.53
	[ "$status" -eq 0 ]
	assert_contains "$output" "table inet irt_isolate {"
	assert_contains "$output" "policy drop;"
	assert_contains "$output" "chain forward {"
	assert_contains "$output" "elements = { 10.98.1.2, 10.9.0.0/16 }"
	assert_contains "$output" "elements = { fd98:1::2 }"
	assert_contains "$output" "tcp dport { 22 }"
	assert_contains "$output" "ip daddr 10.98.1.53 udp dport 53"
	assert_contains "$output" 'iif "lo" accept'
	assert_not_contains "$output" "established"
	# the printed ruleset is valid nftables syntax
	printf '%s\n' "$output" | grep -v '^#' >"$TMP/plan.nft"
	in_ns host nft -c -f "$TMP/plan.nft"
	# names are resolved before anything is applied
	run irt isolate plan --allow localhost
	[ "$status" -eq 0 ]
	assert_contains "$output" "127.0.0.1"
}

@test "isolate: bad input is refused and nothing is applied" {
	run in_ns host "$IRT" isolate apply
	[ "$status" -eq 2 ]
	assert_contains "$output" "no address to allow"
	run in_ns host "$IRT" isolate apply --allow 10.98.1.300
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid address '10.98.1.300'"
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2/33
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid prefix length"
	run in_ns host "$IRT" isolate apply --allow no-such-host.invalid
	[ "$status" -eq 1 ]
	assert_contains "$output" "cannot resolve 'no-such-host.invalid'"
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2 --allow-port ssh
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid port 'ssh'"
	# not root
	run in_ns host setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env IRT_RUNDIR="$TMP/run" "$IRT" isolate apply --allow 10.98.1.2
	[ "$status" -eq 1 ]
	assert_contains "$output" "needs root"
	run ! table_present
	in_ns host nft -s list ruleset >"$TMP/after.nft"
	cmp "$TMP/before.nft" "$TMP/after.nft"
	assert_open
}

@test "isolate apply: responder in, other out, both families; lift restores" {
	assert_open
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2,fd98:1::2
	[ "$status" -eq 0 ]
	assert_contains "$output" "unless you run 'irt isolate confirm'"
	table_present
	assert_isolated
	# the table of someone else is still there with its rules
	in_ns host nft -s list table inet keepme >"$TMP/keep.nft"
	assert_contains "$(cat "$TMP/keep.nft")" "tcp dport 9999 counter drop"
	assert_contains "$(cat "$TMP/keep.nft")" "ip saddr 192.0.2.0/24"
	run in_ns host "$IRT" isolate status --json
	[ "$status" -eq 0 ]
	assert_contains "$output" '"isolated":true'
	assert_contains "$output" '"confirmed":false'
	assert_contains "$output" '"watchdog":true'
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["counters"]["in_allowed"]["packets"] > 0, d
assert d["counters"]["in_dropped"]["packets"] > 0, d'
	# a second apply is refused while the first is in force
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2
	[ "$status" -eq 1 ]
	assert_contains "$output" "exists already"
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 0 ]
	assert_contains "$output" "the ruleset is the one before apply"
	run ! table_present
	in_ns host nft -s list ruleset >"$TMP/after.nft"
	cmp "$TMP/before.nft" "$TMP/after.nft"
	assert_open
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 1 ]
	assert_contains "$output" "not isolated"
}

@test "isolate apply: without confirm the watchdog rolls back at the deadline" {
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2,fd98:1::2 \
	    --confirm-within 3
	[ "$status" -eq 0 ]
	deadline=$(in_ns host "$IRT" isolate status --json | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)["deadline"]
t = datetime.datetime.fromisoformat(d.replace("Z", "+00:00")[:26] + "+00:00")
print(t.timestamp())')
	table_present
	run ! connects other 10.98.2.1 8080
	# one second after the deadline, the table is gone
	python3 -c "import time; time.sleep(max(0, $deadline + 1 - time.time()))"
	run ! table_present
	in_ns host nft -s list ruleset >"$TMP/after.nft"
	cmp "$TMP/before.nft" "$TMP/after.nft"
	assert_open
	run in_ns host "$IRT" isolate status
	assert_contains "$output" "rolled back"
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 1 ]
	assert_contains "$output" "too late"
}

@test "isolate confirm: the isolation stays past the deadline until lift" {
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2,fd98:1::2 \
	    --confirm-within 2
	[ "$status" -eq 0 ]
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 0 ]
	assert_contains "$output" "confirmed"
	sleep 3
	table_present
	assert_isolated
	run in_ns host "$IRT" isolate status --json
	assert_contains "$output" '"confirmed":true'
	assert_contains "$output" '"watchdog":false'
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 0 ]
	run ! table_present
	in_ns host nft -s list ruleset >"$TMP/after.nft"
	cmp "$TMP/before.nft" "$TMP/after.nft"
	assert_open
}

@test "isolate --no-allow: total isolation" {
	run in_ns host "$IRT" isolate apply --no-allow --confirm-within 60
	[ "$status" -eq 0 ]
	run ! connects responder 10.98.1.1 8080
	run ! connects other fd98:2::1 8080
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 0 ]
	assert_open
}

@test "isolate verify: reports reach and blocked, exit 1 on a surprise" {
	in_ns host "$IRT" isolate apply --allow 10.98.1.2,fd98:1::2 \
	    --confirm-within 60 2>/dev/null
	# a generous timeout: under load IPv6 neighbour discovery takes time
	run in_ns host "$IRT" isolate verify --timeout 4 \
	    --reach 10.98.1.2:8080 --reach '[fd98:1::2]:8080' \
	    --blocked 10.98.2.2:8080 --blocked '[fd98:2::2]:8080'
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "reach   10.98.1.2:8080"
	run in_ns host "$IRT" isolate verify --timeout 1 --json \
	    --reach 10.98.2.2:8080
	[ "$status" -eq 1 ]
	assert_contains "$output" '"ok":false'
	run in_ns host "$IRT" isolate verify --reach nonsense
	[ "$status" -eq 2 ]
	in_ns host "$IRT" isolate lift 2>/dev/null
}

@test "isolate: every action is one commit in the case, verify accepts it" {
	make_case
	id=$(in_ns host "$IRT" isolate apply --allow 10.98.1.2,fd98:1::2 \
	    --confirm-within 30)
	[ -n "$id" ]
	in_ns host "$IRT" isolate confirm
	in_ns host "$IRT" isolate verify --timeout 1 --reach 10.98.1.2:8080 \
	    --blocked 10.98.2.2:8080 >/dev/null
	in_ns host "$IRT" isolate lift
	run irt case verify
	[ "$status" -eq 0 ]
	dir="$TMP/case/isolation/$id"
	[ -f "$dir/apply.record" ]
	[ -f "$dir/ruleset.nft" ]
	[ -f "$dir/confirm.record" ]
	[ -f "$dir/lift.record" ]
	cmp "$dir/before.nft" "$TMP/before.nft"
	assert_contains "$(cat "$dir/lift.record")" "restored = identical"
	sha=$(sha256sum "$dir/ruleset.nft" | cut -d' ' -f1)
	run git -C "$TMP/case" log --format='%(trailers:key=Irt-Action,valueonly)%(trailers:key=Irt-Ruleset-Sha256,valueonly)'
	assert_contains "$output" "isolate-apply
$sha"
	assert_contains "$output" "isolate-confirm"
	assert_contains "$output" "isolate-verify"
	assert_contains "$output" "isolate-lift"
}

@test "isolate: the watchdog's rollback is recorded in the case" {
	make_case
	id=$(in_ns host "$IRT" isolate apply --allow 10.98.1.2 \
	    --confirm-within 1)
	[ -n "$id" ]
	for i in $(seq 50); do
		git -C "$TMP/case" log -1 --format=%B |
		    grep -q isolate-rollback && break
		sleep 0.1
	done
	[ -f "$TMP/case/isolation/$id/rollback.record" ]
	run git -C "$TMP/case" log -1 --format=%B
	assert_contains "$output" "Irt-Action: isolate-rollback"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "isolate-linux-host checklist end to end, with the real isolation" {
	make_case
	# the step commands call irt itself
	export PATH="$(dirname "$IRT"):$PATH"
	h() { in_ns host "$IRT" "$@"; }
	h checklist start isolate-linux-host --host web1 >/dev/null
	h checklist done approve -m "approved by the incident lead by phone"
	h checklist do identify >/dev/null
	h checklist skip volatile --reason "memory already imaged by EDR"
	h checklist do firewall-state >/dev/null
	# the isolation needs the volatile evidence: refused, then forced
	run h checklist done isolate </dev/null
	[ "$status" -eq 1 ]
	id=$(h isolate apply --allow 10.98.1.2,fd98:1::2 --confirm-within 30)
	h checklist done isolate --force -m "isolation $id"
	h checklist do confirm
	h isolate verify --timeout 1 --reach 10.98.1.2:8080 \
	    --blocked 10.98.2.2:8080 >/dev/null
	h checklist done verify -m "responder reached, other blocked"
	assert_isolated
	h checklist skip accounts --reason "no local accounts in use"
	h checklist skip services --reason "no public service on web1"
	h checklist done notify -m "told the lead and the service desk"
	h isolate lift
	run h checklist status --json isolate
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["open"] == 0 and d["done"] == 7 and d["skipped"] == 3, d
s = {x["id"]: x for x in d["steps"]}
assert "volatile" in s["isolate"]["forced"], s
assert s["confirm"]["run_id"] and " " not in s["confirm"]["run_id"], s'
	run irt case verify
	[ "$status" -eq 0 ]
	run git -C "$TMP/case" log --reverse \
	    --format='%(trailers:key=Irt-Action,valueonly,separator=)|%(trailers:key=Irt-Step,valueonly,separator=)'
	assert_contains "$output" "checklist-start|
checklist-done|approve
run|identify
checklist-done|identify
checklist-skip|volatile
run|firewall-state
checklist-done|firewall-state
isolate-apply|
checklist-done|isolate
isolate-confirm|
run|confirm
checklist-done|confirm
isolate-verify|
checklist-done|verify"
	assert_contains "$output" "isolate-lift|"
	# the saved firewall state is the ruleset before the isolation
	run git -C "$TMP/case" log -1 --format='%(trailers:key=Irt-Run,valueonly)' \
	    --grep='Irt-Step: firewall-state' --grep='Irt-Action: run' --all-match
	run_id=$(printf '%s' "$output" | head -1)
	cmp "$TMP/case/$(shard runs "$run_id" /stdout)" <(in_ns host nft list ruleset)
}
