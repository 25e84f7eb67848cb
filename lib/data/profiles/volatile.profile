# irt volatile profile: live data only, for the minute before isolation.
# Format: irt-profile(5).
description Live data only: processes, sockets, network state, logins, kernel
live processes.jsonl builtin=processes
live hidden.jsonl builtin=hidden
live sockets.jsonl builtin=sockets
live date.txt timeout=5 -- date -u +%Y-%m-%dT%H:%M:%S.%NZ
live uptime.txt timeout=5 -- uptime
live ss-anp.txt timeout=15 -- ss -anp
live ip-addr.txt timeout=10 -- ip addr show
live ip-route.txt timeout=10 -- ip route show table all
live ip-neigh.txt timeout=10 -- ip neigh show
live nft-ruleset.txt timeout=15 -- nft list ruleset
live iptables-save.txt timeout=15 -- iptables-save
live who-a.txt timeout=10 -- who -a
live lsmod.txt timeout=10 -- lsmod
live tainted.txt timeout=5 -- cat /proc/sys/kernel/tainted
live kernel.jsonl builtin=kernel
live self-maps.jsonl builtin=self-maps
live cmdline.txt timeout=5 -- cat /proc/cmdline
live bpftool-prog.json timeout=30 -- bpftool prog show --json
live ss-0bp.txt timeout=15 -- ss -0bp
live sysctl-a.txt timeout=30 -- sysctl -a
live auditctl-l.txt timeout=15 -- auditctl -l
live mounts.txt timeout=5 -- cat /proc/mounts
live dmesg.txt timeout=15 -- dmesg -T
