# irt full profile: triage plus binaries, libraries, web roots, homes.
# Format: irt-profile(5).
description Everything in triage plus system binaries and libraries, service data and whole home folders
max-size 1G
exclude /etc/shadow
exclude /etc/shadow-
exclude /etc/gshadow
exclude /etc/gshadow-
exclude /etc/security/opasswd

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
live rpm-Va.txt timeout=1800 -- rpm -Va
live lsof.txt timeout=60 -- lsof -nP
# Every local file system: a bodyfile, set-id files, capabilities...
live statpass.body builtin=statpass

file /var/log/**
file /etc/**
file /boot/**
file /usr/lib/systemd/**
file /lib/systemd/**
file /run/systemd/**
file /run/log/journal/**
file /usr/lib/udev/**
file /lib/udev/**
file /run/udev/**
file /var/spool/**
file /var/lib/dpkg/status
file /var/lib/dpkg/info/*.md5sums
file /usr/bin/**
file /usr/sbin/**
file /usr/local/**
file /opt/**
file /srv/**
file /var/www/**
file /root/**
file /home/**
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
file /tmp/**
file /var/tmp/**
file /dev/shm/**
# Containers: Docker, Podman (rootful and every account's rootless)
# and containerd state from their files.
file /var/lib/containers/storage/overlay-containers/containers.json
file /var/lib/containers/storage/overlay-containers/*/userdata/config.json
file ~/.local/share/containers/storage/overlay-containers/containers.json
file ~/.local/share/containers/storage/overlay-containers/*/userdata/config.json
file /run/containerd/io.containerd.runtime.v2.task/*/*/config.json
file /run/containerd/io.containerd.runtime.v1.linux/*/*/config.json
file /var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db max-size=100M
file /var/lib/docker/containers/**
