#!/usr/bin/env bats
# irt fleet, for real: three network namespaces, each with its own sshd
# on its own veth address, reached with a key made by the test, driven by
# the real ansible-playbook with the playbook irt ships; the inventory
# gives each host its own fixture root and host name, so the archives
# differ, and lists a fourth host that does not answer.  Run as root
# (namespaces); needs the static irt that scripts/test builds.

load helper
load fleet-hosts

setup_file() {
	export FLEET_DIR=$BATS_FILE_TMPDIR/fleet
	mkdir -p "$FLEET_DIR"
	chmod 755 "$BATS_FILE_TMPDIR" "$FLEET_DIR"
	local i
	for i in 1 2 3; do
		mkdir -p "$FLEET_DIR/roots/host$i/etc" "$FLEET_DIR/roots/host$i/var/log"
		echo "host$i" >"$FLEET_DIR/roots/host$i/etc/hostname"
		echo "ID=fixture" >"$FLEET_DIR/roots/host$i/etc/os-release"
		echo "Nov 27 10:0$i:00 host$i sshd[$i]: Accepted publickey for root" \
		    >"$FLEET_DIR/roots/host$i/var/log/auth.log"
	done
	# one host has a file the others do not
	echo 'ssh-ed25519 AAAAodd intruder' >"$FLEET_DIR/roots/host2/etc/odd_key"
	# and a cron entry the others lack, next to the crontab they share
	for i in 1 2 3; do
		echo '17 * * * * root cd / && run-parts /etc/cron.hourly' \
		    >"$FLEET_DIR/roots/host$i/etc/crontab"
	done
	mkdir -p "$FLEET_DIR/roots/host2/etc/cron.d"
	echo '* * * * * root /tmp/.x' >"$FLEET_DIR/roots/host2/etc/cron.d/odd"
	fleet_hosts_up 3
}

teardown_file() {
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
	# each run of ansible keeps its files to the test's folder
	export ANSIBLE_LOCAL_TEMP=$TMP/ansible-tmp ANSIBLE_RETRY_FILES_ENABLED=0
	INV=$FLEET_DIR/inventory
}

teardown() { teardown_common; }

commits() { git -C "$TMP/case" rev-list --count HEAD; }

@test "fleet needs an inventory and a static binary" {
	run irt fleet collect
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing -i INVENTORY"
	run irt fleet collect -i "$TMP/nosuch"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: cannot open inventory '$TMP/nosuch'"
	# a dynamic irt would load the libraries of the host it runs on
	run irt fleet collect -i "$INV" --binary "$(command -v ls)"
	[ "$status" -eq 1 ]
	assert_contains "$output" "is not statically linked"
}

@test "fleet collect stops at a broken inventory, with its name" {
	printf '[web\nhost1 ansible_host=\n' >"$TMP/broken.ini"
	before=$(commits)
	run irt fleet collect --binary "$BIN" -i "$TMP/broken.ini"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: no host in inventory '$TMP/broken.ini'"
	[ "$(commits)" -eq "$before" ]
}

@test "fleet collect brings three archives back with custody, and names the host that does not answer" {
	run --separate-stderr irt --json fleet collect --binary "$BIN" -i "$INV" \
	    --profile triage --forks 4
	echo "$stderr" >&2
	[ "$status" -eq 1 ]
	doc=$output
	# three imported and verified, each from its own host
	for i in 1 2 3; do
		[ "$(jq -r ".hosts[] | select(.host == \"host$i\") | .outcome" <<<"$doc")" = ok ]
		[ "$(jq -r ".hosts[] | select(.host == \"host$i\") | .verified" <<<"$doc")" = true ]
		[ "$(jq -r ".hosts[] | select(.host == \"host$i\") | .entries" <<<"$doc")" -gt 0 ]
	done
	[ "$(jq -r '[.hosts[].sha256] | unique | length' <<<"$doc")" -eq 4 ]
	# the fourth, with Ansible's reason
	[ "$(jq -r '.hosts[] | select(.host == "host4") | .outcome' <<<"$doc")" = unreachable ]
	jq -r '.hosts[] | select(.host == "host4") | .reason' <<<"$doc" |
	    grep -q 'Failed to connect to the host via ssh.*Connection refused'
	assert_contains "$stderr" "irt: host4: unreachable: reach the host: Failed to connect to the host via ssh"
	id=$(jq -r .id <<<"$doc")
	run_id=$(jq -r .run <<<"$doc")
	# the evidence: one record per host, both custody events, the route
	run irt --json evidence list
	[ "$(jq -s 'length' <<<"$output")" -eq 3 ]
	[ "$(jq -rs '[.[].host] | sort | join(",")' <<<"$output")" = host1,host2,host3 ]
	for i in 1 2 3; do
		ev=$(jq -r ".hosts[] | select(.host == \"host$i\") | .evidence" <<<"$doc")
		run irt evidence show "$ev"
		assert_contains "$output" "host         host$i"
		assert_contains "$output" "verified     yes"
		assert_contains "$output" "via          ansible/ssh (fleet $id, run $run_id)"
		assert_contains "$output" "collect  by Test Responder <responder@example.org>: collected on host$i"
		assert_contains "$output" "import   by Test Responder <responder@example.org>: received from host$i over ansible/ssh (fleet $id, run $run_id), verified"
		# the archive is where the record says, and it is what it says
		path=$(irt --json evidence show "$ev" | jq -r .path)
		[ "$(sha256sum <"$path" | cut -d' ' -f1)" = \
		    "$(jq -r ".hosts[] | select(.host == \"host$i\") | .sha256" <<<"$doc")" ]
		# the host's own name is in its archive
		tar -xzOf "$path" irt/host.json | jq -e ".hostname == \"host$i\"" >/dev/null
	done
	# the run of ansible-playbook and the action, each recorded
	git -C "$TMP/case" log --format=%B | grep -q '^Irt-Fleet-Action: fleet-collect$'
	git -C "$TMP/case" log --format=%B | grep -q "^Irt-Inventory-Sha256: $(sha256sum <"$INV" | cut -d' ' -f1)$"
	git -C "$TMP/case" log --format=%B | grep -q "^Irt-Fleet: $id$"
	rec=$(shard "$TMP/case/fleet" "$id" .record)
	grep -qx 'action = collect' "$rec"
	grep -qx 'hosts = 4' "$rec"
	grep -qx "run = $run_id" "$rec"
	# in the order ansible-playbook lists them: host4 wherever it is
	n=$(sed -n 's/^host\.\([0-9]*\)\.name = host4$/\1/p' "$rec")
	[ -n "$n" ]
	grep -qx "host.$n.outcome = unreachable" "$rec"
	grep -q "^host.$n.reason = reach the host: Failed to connect" "$rec"
	# the hosts of the case
	run irt host list
	for i in 1 2 3; do assert_contains "$output" "host$i"; done
	# nothing left on the hosts
	for i in 1 2 3; do
		[ -d "$FLEET_DIR/remote/host$i" ]
		[ -z "$(ls -A "$FLEET_DIR/remote/host$i")" ]
	done
	# one timeline of the three archives, each event with its host
	run --separate-stderr irt timeline -q --format jsonl
	[ "$status" -eq 0 ]
	for i in 1 2 3; do
		jq -r "select(.host == \"host$i\") | .message" <<<"$output" |
		    grep -q "Accepted publickey for root"
	done
	run --separate-stderr irt timeline -q --format jsonl --host host2
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ "$(jq -r .host <<<"$output" | sort -u)" = host2 ]
	# the odd host shows itself first in the stack
	run --separate-stderr irt stack cron --json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.hosts' <<<"$output")" -eq 3 ]
	[ "$(jq -r '.values[0].value' <<<"$output")" = "/etc/cron.d/odd: * * * * * root /tmp/.x" ]
	[ "$(jq -r '.values[0].hosts | join(",")' <<<"$output")" = host2 ]
	[ "$(jq -r '.values[-1].count' <<<"$output")" -eq 3 ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "fleet collect rejects an archive that names another host, and keeps it" {
	sed 's/^host2 \(.*\)$/host2 \1 irt_host_name=db02/' "$INV" >"$TMP/lying.ini"
	run --separate-stderr irt fleet collect --binary "$BIN" -i "$TMP/lying.ini" \
	    --limit host2
	echo "$stderr" >&2
	[ "$status" -eq 1 ]
	assert_contains "${lines[0]}" "HOST"
	assert_contains "$output" "host2                rejected"
	assert_contains "$stderr" "irt: host2: rejected: '"
	assert_contains "$stderr" "irt/host.json names host 'host2', not 'db02'"
	run irt evidence list
	[ -z "$output" ]
	# nothing imported, nothing lost: the archive is where it was fetched
	ls "$TMP"/case/evidence/fleet-*/host2/host2.tar.gz
	ls "$TMP"/case/evidence/fleet-*/host2/host2.tar.gz.sha256
}

@test "fleet collect: a host without room fails with the reason, the others go on" {
	sed 's/^host1 \(.*\)$/host1 \1 irt_min_free=1152921504606846976/' \
	    "$INV" >"$TMP/tight.ini"
	run --separate-stderr irt --json fleet collect --binary "$BIN" -i "$TMP/tight.ini" \
	    --limit 'host1:host3'
	echo "$stderr" >&2
	[ "$status" -eq 1 ]
	doc=$output
	[ "$(jq -r '.hosts[] | select(.host == "host1") | .outcome' <<<"$doc")" = failed ]
	assert_contains "$stderr" "irt: host1: failed: check free space: less than 1152921504606846976 bytes free in $FLEET_DIR/remote/host1/irt-"
	[ "$(jq -r '.hosts[] | select(.host == "host3") | .outcome' <<<"$doc")" = ok ]
	# host3's archive only; nothing left on host1
	run irt evidence list
	assert_contains "$output" "host3"
	assert_not_contains "$output" "host1"
	[ -z "$(ls -A "$FLEET_DIR/remote/host1")" ]
}

@test "fleet collect: a host where irt cannot run fails with the reason" {
	# host3's working folder on a file system mounted noexec, in the
	# mount namespace its sshd runs in
	pid=$(sed -n 3p "$FLEET_DIR/pids")
	mkdir -p "$TMP/noexec"
	nsenter -t "$pid" -m mount -t tmpfs -o noexec,size=64m tmpfs "$TMP/noexec"
	sed "s|^host3 \(.*\)irt_remote_dir=[^ ]*|host3 \1irt_remote_dir=$TMP/noexec|" \
	    "$INV" >"$TMP/noexec.ini"
	run --separate-stderr irt --json fleet collect --binary "$BIN" -i "$TMP/noexec.ini" \
	    --limit host3
	nsenter -t "$pid" -m umount "$TMP/noexec"
	echo "$stderr" >&2
	[ "$status" -eq 1 ]
	[ "$(jq -r '.hosts[] | select(.host == "host3") | .outcome' <<<"$output")" = failed ]
	grep -q '^irt: host3: failed: check that irt runs there: .*Permission denied' <<<"$stderr"
	run irt evidence list
	[ -z "$output" ]
}
