# Hosts for the fleet tests: network namespaces, each with its own sshd
# on its own veth address, reached with a key made for the test.
# fleet_hosts_up N makes them under $FLEET_DIR: addresses 10.$NET.I.2,
# (NET is $FLEET_NET when set, and the names of the namespaces and links
# carry $FLEET_TAG when set, so that two files of tests never meet),
# names hostI, and an inventory $FLEET_DIR/inventory in which each host
# has its own fixture root ($FLEET_DIR/roots/hostI, made by the caller)
# and working folder ($FLEET_DIR/remote/hostI)
# and one more host that does not answer.  What it starts is written
# down in $FLEET_DIR (pids, namespaces, links), so that
# fleet_hosts_down, in another shell of bats, stops every sshd by pid,
# then every process left in the namespaces (sshd's sessions), and
# deletes the namespaces and links.

fleet_hosts_up() {
	local n=$1 i ns tag
	tag=${FLEET_TAG:-f$$}
	: >"$FLEET_DIR/pids"
	: >"$FLEET_DIR/namespaces"
	: >"$FLEET_DIR/links"
	# a second octet of our own, so that runs in parallel do not meet
	NET=${FLEET_NET:-$((200 + $$ % 50))}
	mkdir -p "$FLEET_DIR/ssh" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/ssh/id" </dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/ssh/host_key" </dev/null
	cp "$FLEET_DIR/ssh/id.pub" "$FLEET_DIR/ssh/authorized_keys"
	cat >"$FLEET_DIR/ssh/sshd_config" <<-CONF
		HostKey $FLEET_DIR/ssh/host_key
		AuthorizedKeysFile $FLEET_DIR/ssh/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		StrictModes no
		UsePAM no
		Subsystem sftp internal-sftp
		ClientAliveInterval 10
		ClientAliveCountMax 3
	CONF
	{
		echo "[hosts]"
		for ((i = 1; i <= n; i++)); do
			# the hosts share this file system: a folder each
			echo "host$i ansible_host=10.$NET.$i.2 irt_root=$FLEET_DIR/roots/host$i" \
			    "irt_remote_dir=$FLEET_DIR/remote/host$i"
		done
		# nothing listens there: the connection is refused
		echo "host$((n + 1)) ansible_host=10.$NET.1.2 ansible_port=2"
		echo "[hosts:vars]"
		echo "ansible_user=root"
		echo "ansible_ssh_private_key_file=$FLEET_DIR/ssh/id"
		echo "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10'"
		echo "ansible_become_method=su"
		echo "ansible_python_interpreter=/usr/bin/python3"
		echo "irt_min_free=1048576"
		echo "irt_poll=1"
	} >"$FLEET_DIR/inventory"
	for ((i = 1; i <= n; i++)); do
		ns=irt$tag-$i
		ip netns add "$ns"
		echo "$ns" >>"$FLEET_DIR/namespaces"
		ip link add "v$tag$i" type veth peer name "p$tag$i"
		echo "v$tag$i" >>"$FLEET_DIR/links"
		ip link set "p$tag$i" netns "$ns"
		ip addr add "10.$NET.$i.1/24" dev "v$tag$i"
		ip link set "v$tag$i" up
		ip -n "$ns" addr add "10.$NET.$i.2/24" dev "p$tag$i"
		ip -n "$ns" link set "p$tag$i" up
		ip -n "$ns" link set lo up
		ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$FLEET_DIR/ssh/sshd_config" \
		    -o "ListenAddress=10.$NET.$i.2" -o "PidFile=none" \
		    >/dev/null 2>"$FLEET_DIR/ssh/sshd$i.log" 3>&- &
		echo $! >>"$FLEET_DIR/pids"
	done
	# each sshd answers before the test goes on
	for ((i = 1; i <= n; i++)); do
		fleet_wait_ssh "10.$NET.$i.2"
	done
}

fleet_wait_ssh() {
	local tries=0
	until ssh -q -i "$FLEET_DIR/ssh/id" -o BatchMode=yes \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    -o ConnectTimeout=2 "root@$1" true 2>/dev/null; do
		tries=$((tries + 1))
		if [ "$tries" -gt 100 ]; then
			echo "sshd at $1 does not answer" >&2
			return 1
		fi
		sleep 0.1
	done
}

fleet_hosts_down() {
	local p ns l
	while read -r p; do
		kill "$p" 2>/dev/null || true
		# not a child of this shell: wait until it is gone
		while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
	done <"$FLEET_DIR/pids"
	while read -r ns; do
		# the sessions sshd forked for Ansible, left in the namespace
		# (their listener is gone, their client may never say bye)
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null || true
			for _ in $(seq 100); do
				kill -0 "$p" 2>/dev/null || break
				sleep 0.05
			done
			kill -9 "$p" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done <"$FLEET_DIR/namespaces"
	while read -r l; do
		ip link del "$l" 2>/dev/null || true
	done <"$FLEET_DIR/links"
	: >"$FLEET_DIR/pids"
	: >"$FLEET_DIR/namespaces"
}
