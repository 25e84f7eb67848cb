# irt triage profile: the default of irt collect.
# Format: irt-profile(5).
description Triage of a live Linux host: identity, processes, sockets, network, logs, configuration, persistence, user traces
max-size 100M
exclude /etc/shadow
exclude /etc/shadow-
exclude /etc/gshadow
exclude /etc/gshadow-
exclude /etc/security/opasswd

# Live response first: it is the most volatile.
live processes.jsonl builtin=processes
live hidden.jsonl builtin=hidden
live sockets.jsonl builtin=sockets
live date.txt timeout=5 -- date -u +%Y-%m-%dT%H:%M:%S.%NZ
live uptime.txt timeout=5 -- uptime
live ss-anp.txt -- ss -anp
live ip-addr.txt -- ip addr show
live ip-route.txt -- ip route show table all
live ip-neigh.txt -- ip neigh show
live nft-ruleset.txt -- nft list ruleset
live iptables-save.txt -- iptables-save
live ip6tables-save.txt -- ip6tables-save
live who-a.txt -- who -a
live last-F.txt -- last -F
live lastb-F.txt -- lastb -F
live lsmod.txt -- lsmod
live tainted.txt timeout=5 -- cat /proc/sys/kernel/tainted
live kernel.jsonl builtin=kernel
live self-maps.jsonl builtin=self-maps
live cmdline.txt timeout=5 -- cat /proc/cmdline
live bpftool-prog.json timeout=30 -- bpftool prog show --json
live ss-0bp.txt timeout=15 -- ss -0bp
live sysctl-a.txt timeout=30 -- sysctl -a
live auditctl-l.txt timeout=15 -- auditctl -l
live dmesg.txt -- dmesg -T
live mounts.txt timeout=5 -- cat /proc/mounts
live systemctl-units.txt -- systemctl list-units --all --no-pager --plain
live systemctl-unit-files.txt -- systemctl list-unit-files --no-pager --plain
live systemctl-timers.txt -- systemctl list-timers --all --no-pager --plain
live dpkg-l.txt timeout=60 -- dpkg -l
live rpm-qa.txt timeout=120 -- rpm -qa --last
live packages-verify.jsonl builtin=packages
live ssh-keys.jsonl builtin=ssh-keys
live containers.jsonl builtin=containers
live docker-ps.txt timeout=30 -- docker ps -a --no-trunc
live podman-ps.txt timeout=30 -- podman ps -a --no-trunc
live crictl-ps.txt timeout=30 -- crictl ps -a
live lsof.txt timeout=60 -- lsof -nP
# Every local file system: a bodyfile, set-id files, capabilities...
live statpass.body builtin=statpass

# Files.
# Kubernetes pod logs (CRI), before the rest of /var/log for their cap.
file /var/log/pods/** max-size=100M
file /var/log/containers/*
file /var/log/** max-size=1G
file /etc/**
file /usr/lib/systemd/system/**
file /lib/systemd/system/**
file /usr/local/lib/systemd/system/**
file /run/systemd/system/**
file /run/systemd/transient/**
file /run/log/journal/** max-size=1G
file /usr/lib/udev/rules.d/**
file /lib/udev/rules.d/**
file /run/udev/rules.d/**
file /etc/ld.so.preload
file /var/spool/cron/**
file /var/spool/at/**
file /var/spool/anacron/**
# Every account of /etc/passwd (~/), service accounts too, and
# homes under /home of accounts it no longer names.
file ~/.*history
file ~/.ssh/authorized_keys*
file ~/.ssh/known_hosts*
file ~/.ssh/config
file ~/.ssh/rc
file ~/.bashrc
file ~/.profile
file ~/.bash_profile
file ~/.bash_login
file ~/.bash_logout
file ~/.zshrc
file ~/.zshenv
file ~/.zprofile
file ~/.zlogin
file ~/.zlogout
file ~/.cshrc
file ~/.tcshrc
file ~/.kshrc
file ~/.mkshrc
file ~/.config/fish/config.fish
file ~/.local/share/fish/fish_history
file ~/.viminfo
file ~/.config/systemd/user/**
file ~/.config/autostart/**
file /home/*/.*history
file /home/*/.ssh/authorized_keys*
file /home/*/.ssh/known_hosts*
file /home/*/.ssh/config
file /home/*/.ssh/rc
file /home/*/.bashrc
file /home/*/.profile
file /home/*/.bash_profile
file /home/*/.bash_login
file /home/*/.bash_logout
file /home/*/.zshrc
file /home/*/.zshenv
file /home/*/.zprofile
file /home/*/.zlogin
file /home/*/.zlogout
file /home/*/.cshrc
file /home/*/.tcshrc
file /home/*/.kshrc
file /home/*/.mkshrc
file /home/*/.config/fish/config.fish
file /home/*/.local/share/fish/fish_history
file /home/*/.viminfo
file /home/*/.config/systemd/user/**
file /home/*/.config/autostart/**
file /tmp/** max-size=10M
file /var/tmp/** max-size=10M
file /dev/shm/** max-size=10M
# Containers: Docker, Podman (rootful and every account's rootless)
# and containerd state from their files.
file /var/lib/containers/storage/overlay-containers/containers.json
file /var/lib/containers/storage/overlay-containers/*/userdata/config.json
file ~/.local/share/containers/storage/overlay-containers/containers.json
file ~/.local/share/containers/storage/overlay-containers/*/userdata/config.json
file /run/containerd/io.containerd.runtime.v2.task/*/*/config.json
file /run/containerd/io.containerd.runtime.v1.linux/*/*/config.json
file /var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db max-size=100M
file /var/lib/docker/containers/*/config.v2.json
file /var/lib/docker/containers/*/hostconfig.json
file /var/lib/docker/containers/*/*-json.log* max-size=100M
