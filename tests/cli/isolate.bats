#!/usr/bin/env bats
# irt isolate: run as root in network namespaces.  "host" is isolated;
# "responder" must keep talking to it, "other" must not, over IPv4 and
# IPv6.  The namespaces and their listener are set up once for the file,
# with names unique to the run, and removed at its end; each test starts
# from the same ruleset, and every process it starts is stopped by its
# pid in teardown.
#
# A probe that says "blocked" proves nothing alone (a dead listener or a
# typo does the same): every path asserted blocked is also asserted open
# before the isolation and after it ends, by the same probe.

bats_require_minimum_version 1.5.0

load helper

# One listener for every namespace (a Python start is dear on a loaded
# machine): TCP on 8080, 8081 and 53, UDP echo on 53, both families, in
# each namespace named after the ready file.
LISTENER='
import ctypes, os, socket, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
def serve(s):
    while True:
        c, _ = s.accept()
        c.sendall(b"hello\n")
        c.close()
def echo(s):
    while True:
        data, peer = s.recvfrom(512)
        s.sendto(data, peer)
for name in sys.argv[2:]:
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        for port in (8080, 8081, 53):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # sport_probe connects from these ports too
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, port))
            s.listen(16)
            threading.Thread(target=serve, args=(s,), daemon=True).start()
        u = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        u.bind((addr, 53))
        threading.Thread(target=echo, args=(u,), daemon=True).start()
open(sys.argv[1], "w").write("ready\n")
threading.Event().wait()
'

# ns NAME -> the unique name of a namespace of this run
ns() {
	echo "$IRT_NS-$1"
}

in_ns() {
	local n
	n=$(ns "$1")
	shift
	ip netns exec "$n" "$@"
}

# net_ns NS CMD...: as in_ns, but only in the network namespace (cheaper)
net_ns() {
	local n
	n=$(ns "$1")
	shift
	nsenter --net="/run/netns/$n" "$@"
}

# probe NS ADDR PORT [tcp|udp]: prints "open" when a TCP connection is
# made (or a UDP datagram echoed), "blocked" when nothing answers within
# 2 s or the kernel refuses to send, else what went wrong ("refused"...).
probe() {
	local out rc=0
	if [ "${4:-tcp}" = udp ]; then
		# head reads the whole datagram, where read takes a byte of it
		out=$(net_ns "$1" timeout 2 bash -c 'exec 3<>"/dev/udp/$1/$2" &&
		    echo ping >&3 && r=$(head -c 4 <&3) && [ "$r" = ping ]' \
		    _ "$2" "$3" 2>&1) || rc=$?
	else
		out=$(net_ns "$1" timeout 2 bash -c \
		    'exec 3<>"/dev/tcp/$1/$2"' _ "$2" "$3" 2>&1) || rc=$?
	fi
	case "$rc:$out" in
	0:*) echo open ;;
	124:*) echo blocked ;;
	*"Operation not permitted"*) echo blocked ;;
	*"Connection refused"*) echo refused ;;
	*) echo "error $rc: $out" ;;
	esac
}

# sport_probe NS SPORT ADDR PORT: like probe over TCP, but from the source
# port SPORT (a port a rule allows answers from); the 2 s are the
# connection's, not Python's start-up on a loaded machine
sport_probe() {
	net_ns "$1" timeout 60 python3 -S -c '
import socket, sys
sport, addr, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
s.settimeout(2)
try:
    s.connect((addr, port))
    print("open")
except socket.timeout:
    print("blocked")
except PermissionError:
    print("blocked")
except ConnectionRefusedError:
    print("refused")
' "$2" "$3" "$4" 2>&1
}

# expect STATE NS ADDR PORT[/udp] ...: the probes, run at once, must each
# end in STATE (open or blocked).
expect() {
	local i=0 n fail=0 got pids=() want=() what=()
	while [ $# -gt 0 ]; do
		case "$4" in
		*/udp) probe "$2" "$3" "${4%/udp}" udp >"$TMP/probe.$i" & ;;
		*) probe "$2" "$3" "$4" >"$TMP/probe.$i" & ;;
		esac
		pids[i]=$!
		want[i]=$1
		what[i]="$2 -> $3 port $4"
		i=$((i + 1))
		shift 4
	done
	for ((n = 0; n < i; n++)); do
		wait "${pids[n]}"
		got=$(cat "$TMP/probe.$n")
		if [ "$got" != "${want[n]}" ]; then
			echo "probe ${what[n]}: expected ${want[n]}, got $got" >&2
			fail=1
		fi
	done
	return $fail
}

# The paths of the isolation: responder <-> host, other <-> host, both
# families, both ways.
RESPONDER_PATHS=(responder 10.98.1.1 8080 responder fd98:1::1 8080
	host 10.98.1.2 8080 host fd98:1::2 8080)
OTHER_PATHS=(other 10.98.2.1 8080 other fd98:2::1 8080
	host 10.98.2.2 8080 host fd98:2::2 8080)

# each "open"/"blocked" word applies to the paths after it
expect_paths() {
	local state=$1 args=()
	shift
	while [ $# -gt 0 ]; do
		args+=("$state" "$1" "$2" "$3")
		shift 3
	done
	expect "${args[@]}"
}

assert_isolated() {
	local a=() b=() i
	for ((i = 0; i < ${#RESPONDER_PATHS[@]}; i += 3)); do
		a+=(open "${RESPONDER_PATHS[@]:i:3}")
	done
	for ((i = 0; i < ${#OTHER_PATHS[@]}; i += 3)); do
		b+=(blocked "${OTHER_PATHS[@]:i:3}")
	done
	expect "${a[@]}" "${b[@]}"
}

assert_open() {
	expect_paths open "${RESPONDER_PATHS[@]}" "${OTHER_PATHS[@]}"
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds
wait_for() {
	local end
	end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "gave up waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# now -> seconds since the epoch, with fractions
now() {
	date +%s.%N
}

# before T1 T2: T1 < T2 (fractional seconds)
before() {
	[ "$(echo "$1 < $2" | bc)" -eq 1 ]
}

# past T: the clock is past T
past() {
	before "$1" "$(now)"
}

# the watchdog of the isolation in force is gone
watchdog_gone() {
	[ "$(status_field watchdog)" = false ]
}

# other reaches host again
other_reaches_host() {
	[ "$(probe other 10.98.2.1 8080)" = open ]
}

# the JSON field NAME of a flat value, from stdin
json_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# status_field NAME: from 'irt isolate status --json' in host
status_field() {
	in_ns host "$IRT" isolate status --json 2>/dev/null | json_field "$1"
}

# deadline -> the deadline of the isolation in force, in epoch seconds
deadline() {
	date -u -d "$(status_field deadline)" +%s.%N
}

# Applies in host (arguments of apply), prints the id, and keeps the
# watchdog's pid for teardown.
apply() {
	local id pid
	id=$(in_ns host "$IRT" isolate apply "$@") || return 1
	pid=$(status_field watchdog_pid)
	[ -n "$pid" ] && [ "$pid" != 0 ] && echo "$pid" >>"$TMP/watchdogs"
	echo "$id"
}

start_listeners() {
	local f=$BATS_FILE_TMPDIR
	# from a subshell: not a job of the shell, which would report its end
	(
		python3 -S -c "$LISTENER" "$f/ready" "$(ns host)" \
		    "$(ns responder)" "$(ns other)" </dev/null >"$f/listener.log" 2>&1 &
		echo $! >>"$f/listeners"
	)
	wait_for 60 test -f "$f/ready" || {
		cat "$f/listener.log" >&2
		return 1
	}
}

table_present() {
	net_ns host nft list table inet irt_isolate >/dev/null 2>&1
}

table_gone() {
	if table_present; then
		echo "the table inet irt_isolate is still there" >&2
		return 1
	fi
}

ruleset_restored() {
	net_ns host nft -s list ruleset >"$TMP/after.nft"
	cmp "$TMP/before.nft" "$TMP/after.nft"
}

setup_file() {
	local f=$BATS_FILE_TMPDIR n
	export IRT_NS="irt$$"
	: >"$f/listeners"
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root" >"$f/skip"
		return 0
	fi
	if ! ip netns add "$(ns probe)" 2>/dev/null; then
		echo "no network namespaces" >"$f/skip"
		return 0
	fi
	ip netns del "$(ns probe)"
	for n in host responder other; do
		ip netns add "$(ns $n)"
		ip -n "$(ns $n)" link set lo up
	done
	# veth pairs: host <-> responder, host <-> other
	ip link add "${IRT_NS}r0" netns "$(ns host)" type veth \
	    peer name "${IRT_NS}r1" netns "$(ns responder)"
	ip link add "${IRT_NS}o0" netns "$(ns host)" type veth \
	    peer name "${IRT_NS}o1" netns "$(ns other)"
	ip -n "$(ns host)" -batch - <<EOF
addr add 10.98.1.1/24 dev ${IRT_NS}r0
addr add fd98:1::1/64 dev ${IRT_NS}r0 nodad
addr add 10.98.2.1/24 dev ${IRT_NS}o0
addr add fd98:2::1/64 dev ${IRT_NS}o0 nodad
link set ${IRT_NS}r0 up
link set ${IRT_NS}o0 up
EOF
	ip -n "$(ns responder)" -batch - <<EOF
addr add 10.98.1.2/24 dev ${IRT_NS}r1
addr add fd98:1::2/64 dev ${IRT_NS}r1 nodad
link set ${IRT_NS}r1 up
EOF
	ip -n "$(ns other)" -batch - <<EOF
addr add 10.98.2.2/24 dev ${IRT_NS}o1
addr add fd98:2::2/64 dev ${IRT_NS}o1 nodad
link set ${IRT_NS}o1 up
EOF
	start_listeners
	# a table of someone else, with rules, that must stay untouched
	net_ns host nft -f - <<'NFT'
table inet keepme {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 9999 counter drop
		ip saddr 192.0.2.0/24 counter accept
	}
}
NFT
	net_ns host nft -s list ruleset >"$f/before.nft"
}

teardown_file() {
	local f=$BATS_FILE_TMPDIR n pid
	for pid in $(cat "$f/listeners"); do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = python3 ]; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	for n in host responder other probe; do
		if ip netns list | grep -q "^$(ns $n)\b"; then
			# anything else still in a namespace of this run
			for pid in $(ip netns pids "$(ns $n)"); do
				kill -9 "$pid" 2>/dev/null || true
			done
			ip netns del "$(ns $n)"
		fi
		rm -rf "/etc/netns/$(ns $n)"
	done
}

setup() {
	setup_common
	if [ -f "$BATS_FILE_TMPDIR/skip" ]; then
		skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	fi
	export IRT_RUNDIR="$TMP/run"
	: >"$TMP/watchdogs"
	cp "$BATS_FILE_TMPDIR/before.nft" "$TMP/before.nft"
	# every test starts from the ruleset of the run's start
	ruleset_restored
}

teardown() {
	local pid
	# the watchdogs this test started, by pid
	for pid in $(cat "$TMP/watchdogs" 2>/dev/null); do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = irt-watchdog ]; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	# what a failed test may have left
	if [ ! -f "$BATS_FILE_TMPDIR/skip" ]; then
		net_ns host nft delete table inet irt_isolate 2>/dev/null || true
		rm -rf "/etc/netns/$(ns host)"
	fi
	teardown_common
}

@test "isolate plan: prints its own table, no blanket established rule" {
	run irt isolate plan --allow 10.98.1.2,fd98:1::2 --allow 10.9.0.7/16 \
	    --allow-port tcp/22 --dns 10.98.1.53
	[ "$status" -eq 0 ]
	assert_contains "$output" "table inet irt_isolate {"
	assert_contains "$output" "chain forward {"
	assert_contains "$output" "elements = { 10.98.1.2, 10.9.0.0/16 }"
	assert_contains "$output" "elements = { fd98:1::2 }"
	assert_contains "$output" "tcp dport { 22 }"
	assert_contains "$output" "ip daddr 10.98.1.53 udp dport 53"
	assert_contains "$output" 'iif "lo" accept'
	# the drops hang on the set that the kernel empties at the deadline
	assert_contains "$output" "set armed {"
	assert_contains "$output" 'meta nfproto @armed counter name "in_dropped" drop'
	assert_contains "$output" 'meta nfproto @armed counter name "fwd_dropped" drop'
	assert_not_contains "$output" "policy drop"
	# established only for the answers of allowed peers' ports
	run grep -c "established" <<<"$output"
	[ "$output" -gt 0 ]
	run grep "established" <<<"$(irt isolate plan --allow 10.98.1.2,fd98:1::2 \
	    --allow 10.9.0.7/16 --allow-port tcp/22 --dns 10.98.1.53)"
	for l in "${lines[@]}"; do
		[[ $l == *" sport "*"ct state established counter"*accept ]]
	done
	run irt isolate plan --allow 10.98.1.2,fd98:1::2 --allow 10.9.0.7/16 \
	    --allow-port tcp/22 --dns 10.98.1.53
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
	assert_contains "$output" "missing --allow ADDR[/LEN][,...] or --no-allow"
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
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2 \
	    --confirm-within 0
	[ "$status" -eq 2 ]
	assert_contains "$output" "--confirm-within: duration '0' is out of range (1 to 86400 seconds)"
	# not root
	run in_ns host setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env IRT_RUNDIR="$TMP/run" "$IRT" isolate apply --allow 10.98.1.2
	[ "$status" -eq 1 ]
	assert_contains "$output" "needs root"
	table_gone
	ruleset_restored
	assert_open
}

@test "isolate apply: responder in, other out, both families; lift restores" {
	assert_open
	run apply --allow 10.98.1.2,fd98:1::2
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
	assert_contains "$output" '"kernel_deadline":true'
	assert_contains "$output" '"problem":null'
	assert_contains "$output" '"nftables":"libnftables.so.1"'
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["counters"]["in_allowed"]["packets"] > 0, d
assert d["counters"]["in_dropped"]["packets"] > 0, d
assert d["counters"]["out_dropped"]["packets"] > 0, d'
	# a second apply is refused while the first is in force
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2
	[ "$status" -eq 1 ]
	assert_contains "$output" "exists already"
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 0 ]
	assert_contains "$output" "the ruleset is the one before apply"
	table_gone
	ruleset_restored
	assert_open
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 1 ]
	assert_contains "$output" "not isolated"
}

@test "isolate: the kernel rolls back at the deadline with the watchdog killed" {
	assert_open
	# 30 s: room for the probes below on a loaded machine
	apply --allow 10.98.1.2,fd98:1::2 --confirm-within 30 >/dev/null
	applied=$(date -u -d "$(status_field applied)" +%s.%N)
	deadline=$(deadline)
	# --confirm-within sets the deadline
	[ "$(echo "$deadline - $applied" | bc)" = 30.000000000 ]
	# the watchdog dies at once; nothing of irt runs any more
	pid=$(status_field watchdog_pid)
	[ "$pid" -gt 0 ]
	kill -KILL "$pid"
	wait_for 10 watchdog_gone
	assert_isolated
	# those probes were before the deadline, or they prove nothing
	before "$(now)" "$deadline"
	# reachable again once the deadline passes, not before
	wait_for 60 other_reaches_host
	reopened=$(now)
	before "$(echo "$deadline - 1" | bc)" "$reopened"
	assert_open
	# the table is left, blocking nothing; status says so and agrees
	table_present
	run --separate-stderr in_ns host "$IRT" isolate status
	[ "$status" -eq 0 ]
	assert_contains "$output" "isolated:   no"
	assert_contains "$output" "by the kernel (not confirmed)"
	run in_ns host "$IRT" isolate status --json
	[ "$status" -eq 0 ]
	assert_contains "$output" '"isolated":false'
	assert_contains "$output" '"table":true'
	assert_contains "$output" '"rolled_back":true'
	# confirm is too late, and tidies up what the watchdog did not
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 1 ]
	assert_contains "$output" "too late"
	table_gone
	ruleset_restored
	assert_open
}

@test "isolate confirm: the isolation stays past the deadline until lift" {
	assert_open
	# 20 s: room for the confirm on a loaded machine
	apply --allow 10.98.1.2,fd98:1::2 --confirm-within 20 >/dev/null
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 0 ]
	assert_contains "$output" "confirmed"
	run in_ns host nft list set inet irt_isolate armed
	assert_contains "$output" "elements = { ipv4, ipv6 }"
	deadline=$(deadline)
	wait_for 60 past "$(echo "$deadline + 1" | bc)"
	table_present
	assert_isolated
	run in_ns host "$IRT" isolate status --json
	[ "$status" -eq 0 ]
	assert_contains "$output" '"isolated":true'
	assert_contains "$output" '"confirmed":true'
	assert_contains "$output" '"watchdog":false'
	assert_contains "$output" '"kernel_deadline":false'
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 1 ]
	assert_contains "$output" "already confirmed"
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 0 ]
	table_gone
	ruleset_restored
	assert_open
}

@test "isolate status: exit 1 with one line when state and ruleset disagree" {
	# applied, then the table deleted behind irt's back
	apply --allow 10.98.1.2 --confirm-within 60 >/dev/null
	in_ns host nft delete table inet irt_isolate
	run --separate-stderr in_ns host "$IRT" isolate status
	[ "$status" -eq 1 ]
	assert_one_line "$stderr"
	assert_contains "$stderr" "is in force, but its table is gone"
	run in_ns host "$IRT" isolate status --json
	[ "$status" -eq 1 ]
	assert_contains "$output" '"problem":"isolation '
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 1 ]
	run in_ns host "$IRT" isolate status
	[ "$status" -eq 0 ]

	# the kernel's timeout taken off by hand: blocks with no deadline
	apply --allow 10.98.1.2 --confirm-within 20 >/dev/null
	kill -KILL "$(status_field watchdog_pid)"
	in_ns host nft 'flush set inet irt_isolate armed;
	    add element inet irt_isolate armed { ipv4, ipv6 }'
	run --separate-stderr in_ns host "$IRT" isolate status
	[ "$status" -eq 1 ]
	assert_one_line "$stderr"
	assert_contains "$stderr" "blocks with no deadline"
	# past the deadline, still blocking: said so
	deadline=$(deadline)
	wait_for 60 past "$deadline"
	expect blocked other 10.98.2.1 8080
	run --separate-stderr in_ns host "$IRT" isolate status
	[ "$status" -eq 1 ]
	assert_one_line "$stderr"
	assert_contains "$stderr" "was not confirmed by"
	assert_contains "$stderr" "but its table still blocks"
	# the deadline is the deadline: confirm refuses and rolls back
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 1 ]
	assert_contains "$output" "too late"
	table_gone
	expect open other 10.98.2.1 8080

	# confirmed, then the set emptied by hand: blocks nothing
	apply --allow 10.98.1.2 --confirm-within 60 >/dev/null
	in_ns host "$IRT" isolate confirm 2>/dev/null
	in_ns host nft flush set inet irt_isolate armed
	run --separate-stderr in_ns host "$IRT" isolate status
	[ "$status" -eq 1 ]
	assert_one_line "$stderr"
	assert_contains "$stderr" "is confirmed, but its table blocks nothing"
	in_ns host "$IRT" isolate lift 2>/dev/null

	# a table irt has no state of
	apply --allow 10.98.1.2 --confirm-within 60 >/dev/null
	run --separate-stderr env IRT_RUNDIR="$TMP/elsewhere" \
	    ip netns exec "$(ns host)" "$IRT" isolate status
	[ "$status" -eq 1 ]
	assert_one_line "$stderr"
	assert_contains "$stderr" "but irt has no state of it"
	in_ns host "$IRT" isolate lift 2>/dev/null

	# someone else's table of that name
	in_ns host nft add table inet irt_isolate
	run in_ns host "$IRT" isolate apply --allow 10.98.1.2
	[ "$status" -eq 1 ]
	assert_contains "$output" "exists already (not made by irt)"
	run --separate-stderr in_ns host "$IRT" isolate status
	[ "$status" -eq 1 ]
	assert_one_line "$stderr"
}

@test "isolate --no-allow: total isolation but loopback" {
	expect_paths open "${RESPONDER_PATHS[@]}" "${OTHER_PATHS[@]}" \
	    host 127.0.0.1 8080 host ::1 8080
	apply --no-allow --confirm-within 60 >/dev/null
	expect_paths blocked "${RESPONDER_PATHS[@]}" "${OTHER_PATHS[@]}"
	expect_paths open host 127.0.0.1 8080 host ::1 8080
	run in_ns host "$IRT" isolate status --json
	assert_contains "$output" '"allow":""'
	run in_ns host "$IRT" isolate lift
	[ "$status" -eq 0 ]
	expect_paths open "${RESPONDER_PATHS[@]}" "${OTHER_PATHS[@]}"
}

@test "isolate --allow-port: only those ports, both ways, both families" {
	expect_paths open \
	    responder 10.98.1.1 8081 responder fd98:1::1 8081 \
	    host 10.98.1.2 8081 host fd98:1::2 8081 \
	    responder 10.98.1.1 8080 responder fd98:1::1 8080 \
	    host 10.98.1.2 8080 host fd98:1::2 8080 \
	    responder 10.98.1.1 53/udp host fd98:1::2 53/udp \
	    responder 10.98.1.1 53 host fd98:1::2 53
	apply --allow 10.98.1.2,fd98:1::2 --allow-port tcp/8081 \
	    --allow-port udp/53 --confirm-within 60 >/dev/null
	# the responder's port 8081 on the host, and the host to the
	# responder's service on 8081; UDP 53 likewise; nothing else
	expect_paths open \
	    responder 10.98.1.1 8081 responder fd98:1::1 8081 \
	    host 10.98.1.2 8081 host fd98:1::2 8081 \
	    responder 10.98.1.1 53/udp host fd98:1::2 53/udp
	expect_paths blocked \
	    responder 10.98.1.1 8080 responder fd98:1::1 8080 \
	    host 10.98.1.2 8080 host fd98:1::2 8080 \
	    responder 10.98.1.1 53 host fd98:1::2 53 \
	    other 10.98.2.1 8081 host 10.98.2.2 8081
	# the allowed peer sending from its service's port reaches no
	# other port of the host
	[ "$(sport_probe responder 8081 10.98.1.1 8080)" = blocked ]
	[ "$(sport_probe responder 8081 fd98:1::1 8080)" = blocked ]
	in_ns host "$IRT" isolate lift 2>/dev/null
	expect_paths open \
	    responder 10.98.1.1 8080 responder fd98:1::1 8080 \
	    host 10.98.1.2 8080 host fd98:1::2 8080 \
	    responder 10.98.1.1 53 host fd98:1::2 53 \
	    other 10.98.2.1 8081 host 10.98.2.2 8081
	# the same probe reaches once lifted: it proves the block
	[ "$(sport_probe responder 8081 10.98.1.1 8080)" = open ]
}

@test "isolate --dns: only port 53 of the name servers" {
	expect open host 10.98.2.2 53 open host fd98:2::2 53 \
	    open host 10.98.2.2 53/udp open host fd98:2::2 53/udp \
	    open host 10.98.2.2 8080 open other 10.98.2.1 53
	[ "$(sport_probe other 53 10.98.2.1 8080)" = open ]
	apply --allow 10.98.1.2 --dns 10.98.2.2 --dns fd98:2::2 \
	    --confirm-within 60 >/dev/null
	expect open host 10.98.2.2 53 open host fd98:2::2 53 \
	    open host 10.98.2.2 53/udp open host fd98:2::2 53/udp \
	    blocked host 10.98.2.2 8080 blocked host fd98:2::2 8080 \
	    blocked other 10.98.2.1 53 blocked other 10.98.2.1 8080 \
	    open responder 10.98.1.1 8080
	# the name server sending from port 53 reaches nothing of the host
	[ "$(sport_probe other 53 10.98.2.1 8080)" = blocked ]
	[ "$(sport_probe other 53 fd98:2::1 8080)" = blocked ]
	in_ns host "$IRT" isolate lift 2>/dev/null
	expect open host 10.98.2.2 8080 open host fd98:2::2 8080 \
	    open other 10.98.2.1 53 open other 10.98.2.1 8080
}

@test "isolate --allow: prefixes and names, each family on its own" {
	# a name, resolved in the host's namespace (ip netns exec reads
	# /etc/netns/NAME/hosts there)
	mkdir -p "/etc/netns/$(ns host)"
	printf '10.98.1.2 responder.test\n' >"/etc/netns/$(ns host)/hosts"
	expect_paths open "${RESPONDER_PATHS[@]}"
	apply --allow responder.test --confirm-within 60 >/dev/null
	run in_ns host "$IRT" isolate status --json
	assert_contains "$output" '"allow":"10.98.1.2"'
	expect_paths open responder 10.98.1.1 8080 host 10.98.1.2 8080
	expect_paths blocked responder fd98:1::1 8080 host fd98:1::2 8080 \
	    other 10.98.2.1 8080
	in_ns host "$IRT" isolate lift 2>/dev/null
	# a prefix holds the whole subnet of the other side, not the
	# responder
	apply --allow 10.98.2.0/24 --confirm-within 60 >/dev/null
	expect_paths open other 10.98.2.1 8080 host 10.98.2.2 8080
	expect_paths blocked other fd98:2::1 8080 responder 10.98.1.1 8080
	in_ns host "$IRT" isolate lift 2>/dev/null
	expect_paths open "${RESPONDER_PATHS[@]}" "${OTHER_PATHS[@]}"
}

@test "isolate verify: reports reach and blocked, exit 1 on a surprise" {
	apply --allow 10.98.1.2,fd98:1::2 --confirm-within 60 >/dev/null
	# a generous timeout: under load IPv6 neighbour discovery takes time
	run in_ns host "$IRT" isolate verify --timeout 4 \
	    --reach 10.98.1.2:8080 --reach '[fd98:1::2]:8080' \
	    --blocked 10.98.2.2:8080 --blocked '[fd98:2::2]:8080'
	[ "$status" -eq 0 ]
	assert_contains "$output" "reach   10.98.1.2:8080"
	assert_contains "$output" "blocked 10.98.2.2:8080"
	assert_not_contains "$output" "FAILED"
	# --timeout is how long a blocked probe waits
	run in_ns host "$IRT" isolate verify --timeout 1 --json \
	    --reach 10.98.2.2:8080
	[ "$status" -eq 1 ]
	assert_contains "$output" '"ok":false'
	assert_contains "$output" '"detail":"no answer within 1s"'
	run in_ns host "$IRT" isolate verify --reach nonsense
	[ "$status" -eq 2 ]
	in_ns host "$IRT" isolate lift 2>/dev/null
	# lifted, the blocked probe reaches, and verify says it failed
	run in_ns host "$IRT" isolate verify --timeout 4 \
	    --blocked 10.98.2.2:8080
	[ "$status" -eq 1 ]
	assert_contains "$output" "FAILED"
}

@test "isolate: every action is one commit in the case, verify accepts it" {
	make_case
	id=$(apply --allow 10.98.1.2,fd98:1::2 --confirm-within 30)
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
	assert_contains "$(cat "$dir/apply.record")" "confirm-within = 30"
	sha=$(sha256sum "$dir/ruleset.nft" | cut -d' ' -f1)
	run git -C "$TMP/case" log --format='%(trailers:key=Irt-Action,valueonly)%(trailers:key=Irt-Ruleset-Sha256,valueonly)'
	assert_contains "$output" "isolate-apply
$sha"
	assert_contains "$output" "isolate-confirm"
	assert_contains "$output" "isolate-verify"
	assert_contains "$output" "isolate-lift"
}

@test "isolate: the watchdog removes the table and records the rollback" {
	make_case
	id=$(apply --allow 10.98.1.2,fd98:1::2 --confirm-within 20)
	[ -n "$id" ]
	expect blocked other 10.98.2.1 8080
	deadline=$(deadline)
	wait_for 60 table_gone
	past "$deadline"
	ruleset_restored
	assert_open
	has_rollback() {
		# the isolate actions; a host's state is recorded beside them
		git -C "$TMP/case" log --format=%B |
		    grep -m1 '^Irt-Action: isolate-' | grep -q isolate-rollback
	}
	wait_for 30 has_rollback
	[ -f "$TMP/case/isolation/$id/rollback.record" ]
	run cat "$TMP/case/isolation/$id/rollback.record"
	assert_contains "$output" "removed-by = watchdog"
	assert_contains "$output" "by = kernel: the timeout of the set 'armed'"
	run sh -c "git -C '$TMP/case' log --format=%B |
	    grep -m1 '^Irt-Action: isolate-'"
	assert_contains "$output" "Irt-Action: isolate-rollback"
	run in_ns host "$IRT" isolate status
	[ "$status" -eq 0 ]
	assert_contains "$output" "rolled back"
	run in_ns host "$IRT" isolate confirm
	[ "$status" -eq 1 ]
	assert_contains "$output" "too late"
	# the watchdog killed: the next apply records the rollback
	id=$(apply --allow 10.98.1.2 --confirm-within 20)
	kill -KILL "$(status_field watchdog_pid)"
	deadline=$(deadline)
	wait_for 60 other_reaches_host
	before "$(echo "$deadline - 1" | bc)" "$(now)"
	table_present
	id2=$(apply --allow 10.98.1.2 --confirm-within 60)
	run cat "$TMP/case/isolation/$id/rollback.record"
	assert_contains "$output" "removed-by = apply"
	# the isolate actions; a host's state is recorded beside them
	run sh -c "git -C '$TMP/case' log --format=%s | grep '^isolate: ' | head -2"
	assert_contains "$output" "isolate: apply $id2"
	assert_contains "$output" "isolate: rollback $id (not confirmed in time)"
	in_ns host "$IRT" isolate lift
	run irt case verify
	[ "$status" -eq 0 ]
}

# The host without libnftables for irt: a bind mount of /dev/null hides
# it from irt's loader; the nft command on PATH gets a copy of it
# through LD_LIBRARY_PATH, as a host whose nft does not need it would.
nolib_setup() {
	local lib real
	mkdir -p "$TMP/nftlib" "$TMP/bin"
	: >"$TMP/hide"
	for lib in $(ldconfig -p | awk '$1 == "libnftables.so.1" { print $NF }'); do
		real=$(readlink -f "$lib")
		cp "$real" "$TMP/nftlib/libnftables.so.1"
		echo "$real" >>"$TMP/hide"
	done
	[ -s "$TMP/hide" ]
	printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' \
	    "$TMP/nftlib" "$(command -v nft)" >"$TMP/bin/nft"
	chmod +x "$TMP/bin/nft"
}

# nolib CMD...: CMD in host, with libnftables hidden, PATH=PATH_NOLIB
nolib() {
	ip netns exec "$(ns host)" unshare -m sh -c '
		while read -r lib; do mount --bind /dev/null "$lib" || exit 1
		done <"$0"
		if [ -n "$NO_NFT" ]; then
			mount -t tmpfs tmpfs /usr/sbin || exit 1
			if [ -d /sbin ] && [ ! -L /sbin ]; then
				mount -t tmpfs tmpfs /sbin || exit 1
			fi
		fi
		PATH=$PATH_NOLIB exec "$@"' "$TMP/hide" "$@"
}

@test "isolate without libnftables: the nft command does the work" {
	nolib_setup
	export PATH_NOLIB="$TMP/bin:/usr/bin:/bin"
	# the library is really out of irt's reach in there
	run nolib python3 -c 'import ctypes; ctypes.CDLL("libnftables.so.1")'
	[ "$status" -ne 0 ]
	assert_open
	run nolib "$IRT" isolate apply --allow 10.98.1.2,fd98:1::2 \
	    --confirm-within 60
	[ "$status" -eq 0 ]
	status_field watchdog_pid >>"$TMP/watchdogs"
	assert_isolated
	run nolib "$IRT" isolate status --json
	[ "$status" -eq 0 ]
	assert_contains "$output" "\"nftables\":\"$TMP/bin/nft\""
	assert_contains "$output" '"kernel_deadline":true'
	assert_contains "$output" '"in_dropped":{"packets":'
	run nolib "$IRT" isolate confirm
	[ "$status" -eq 0 ]
	run nolib "$IRT" isolate status --json
	[ "$status" -eq 0 ]
	assert_contains "$output" '"kernel_deadline":false'
	assert_isolated
	run nolib "$IRT" isolate lift
	[ "$status" -eq 0 ]
	assert_contains "$output" "the ruleset is the one before apply"
	table_gone
	ruleset_restored
	assert_open
	# and the watchdog, with the command too
	nolib "$IRT" isolate apply --allow 10.98.1.2 --confirm-within 20 \
	    >"$TMP/id"
	status_field watchdog_pid >>"$TMP/watchdogs"
	wait_for 60 table_gone
	ruleset_restored
	# nothing of its input files is left behind
	run ls "$TMP/run"
	assert_not_contains "$output" ".nft-"
	# neither the library nor the command: one line, nothing changed
	export NO_NFT=1 PATH_NOLIB=/usr/bin:/bin
	run nolib "$IRT" isolate apply --allow 10.98.1.2
	unset NO_NFT
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "needs libnftables or the nft command, and finds neither"
	table_gone
	ruleset_restored
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
	assert_open
	id=$(apply --allow 10.98.1.2,fd98:1::2 --confirm-within 30)
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
	assert_open
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
	    --format='%(trailers:key=Irt-Action,valueonly,separator=)|%(trailers:key=Irt-Step,valueonly,separator=)|%(trailers:key=Irt-Host,valueonly,separator=)'
	# the host's states are recorded beside, in commits of their own
	# (Irt-Host), which the actions of this list do not count
	output=$(printf '%s\n' "$output" | grep '|$' | sed 's/|$//')
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
