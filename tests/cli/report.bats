#!/usr/bin/env bats
# irt report: the incident report, as HTML (rendered by headless
# Chromium) and as Markdown.

load helper

setup() {
	setup_common
	"$IRT" case init "$TMP/case" --id INC-REP --title "web01 beacons to the C2" \
		--lead "Ann Analyst" --tlp amber --severity high >/dev/null
	export IRT_CASE="$TMP/case"
}

teardown() {
	teardown_common
}

# A case with something in every section.
fixture() {
	irt host add --ip 10.0.0.5 --role "web server" web01 >/dev/null
	irt host state web01 compromised -m "implant in /var/tmp/.u" 2>/dev/null
	irt host add --ip 10.0.0.9 db01 >/dev/null
	irt event add --at 2026-11-27T20:00:00Z --host web01 --technique T1190 -m "exploit of the upload form" >/dev/null
	irt event add --at 2026-11-27T21:02:11Z --host web01 --technique T1059.004 -m "implant started" >/dev/null
	irt note add -t summary -m "web01 was broken into through the upload form" >/dev/null
	irt note add -t internal -m "internal: the CISO's phone is 555-0100" >/dev/null
	irt note add -m '<script>alert(1)</script><img src=x onerror=alert(2)>' >/dev/null
	irt ioc add 198.51.100.23 evil.example >/dev/null
	printf 'memory image\n' >"$TMP/mem.lime"
	irt evidence add -m "memory of web01" "$TMP/mem.lime" >/dev/null
	irt checklist start isolate-linux-host --host web01 >/dev/null 2>&1
	{
		for h in 18 19 20 21 22 23; do
			for m in 00 10 20 30 40 50; do
				echo "Nov 27 $h:$m:00 web01 sshd[1]: session opened"
			done
		done
	} >"$TMP/web01.log"
	printf 'Nov 27 22:00:00 db01 cron[2]: job 198.51.100.23\n' >"$TMP/db01.log"
	irt hunt "syslog:$TMP/db01.log" >/dev/null 2>&1
}

chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TMP/chrome" --no-first-run "$@"
}

@test "report: every section in order, one self-contained file" {
	fixture
	run irt report --timeline "web01=syslog:$TMP/web01.log" -o "$TMP/r.html"
	[ "$status" -eq 0 ]
	assert_contains "$output" "report of INC-REP written to '$TMP/r.html': 3 hosts, 2 events, 3 notes, 2 IOCs, 1 evidence items, 1 hits, 36 timeline events"
	python3 - "$TMP/r.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
ids = re.findall(r'<h2 id="([a-z-]+)"', h)
assert ids == ["summary", "hosts", "timeline", "activity", "hits", "iocs",
    "evidence", "checklists", "isolations", "notes", "integrity"], ids
# no asset from outside, no script
tags = re.findall(r'<[a-zA-Z][^>]*>', h)
assert not [t for t in tags if re.search(r'\s(src|href)\s*=', t)], "external reference"
assert "<script" not in h.lower()
assert "Content-Security-Policy" in h
assert '<div class="tlp" id="tlp" style="color:#FFC000">TLP:AMBER</div>' in h
assert "@page{size:A4" in h
assert 'name="viewport"' in h
PY
	grep -q 'evil\[.\]example' "$TMP/r.html"
	grep -q '198\[.\]51\[.\]100\[.\]23' "$TMP/r.html"
	grep -q 'T1059.004 Unix Shell (Execution)' "$TMP/r.html"
	grep -q 'web01 was broken into through the upload form' "$TMP/r.html"
	grep -q '<td>mem.lime</td>' "$TMP/r.html"
	grep -q '<td>ok</td></tr>' "$TMP/r.html"
	echo changed >>"$TMP/mem.lime"
	irt report --no-chart -o "$TMP/r2.html" 2>/dev/null
	grep -q '<td>CHANGED</td></tr>' "$TMP/r2.html"
	mkfifo "$TMP/fifo"
	rm "$TMP/mem.lime"
	ln -s "$TMP/fifo" "$TMP/mem.lime"
	timeout 60 "$IRT" report --no-chart -o "$TMP/r3.html" 2>/dev/null
	grep -q '<td>unreadable</td></tr>' "$TMP/r3.html"
	# written outside git: no commit
	[ "$(git -C "$TMP/case" log -1 --format=%B | grep -c 'Irt-Action: report')" -eq 0 ]
}

@test "report: a case without a summary shows it as missing" {
	run irt report --format md --no-chart
	[ "$status" -eq 0 ]
	assert_contains "$output" "> **Missing:** No summary yet"
	assert_contains "$output" "No host is recorded in the case"
}

@test "report: Chromium renders it: not blank, a PDF with the title, the tables, no console error" {
	command -v chromium >/dev/null || { echo "chromium is missing: run scripts/bootstrap" >&2; return 1; }
	fixture
	irt report --timeline "web01=syslog:$TMP/web01.log" -o "$TMP/r.html" 2>/dev/null
	chrome --screenshot="$TMP/shot.png" --window-size=1280,1000 "file://$TMP/r.html" 2>/dev/null
	python3 - "$TMP/shot.png" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
i, idat, w = 8, b"", 0
while i < len(d):
    n, t = struct.unpack(">I4s", d[i:i + 8])
    if t == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", d[i + 8:i + 18])
    if t == b"IDAT":
        idat += d[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
# a blank page is one colour: few distinct bytes; text, tables and
# the TLP banner make many, and dark pixels
assert len(set(raw)) > 40, len(set(raw))
assert w == 1280, w
PY
	chrome --no-pdf-header-footer --print-to-pdf="$TMP/r.pdf" "file://$TMP/r.html" 2>/dev/null
	pdfinfo "$TMP/r.pdf" | grep -q '^Page size: *594.96 x 841.92 pts (A4)'
	pages=$(pdfinfo "$TMP/r.pdf" | sed -n 's/^Pages: *//p')
	[ "$pages" -ge 2 ]
	pdftotext "$TMP/r.pdf" - | grep -q 'INC-REP: web01 beacons to the C2'
	pdftotext "$TMP/r.pdf" - | grep -q '<script>alert(1)</script>'
	chrome --enable-logging=stderr --v=0 --dump-dom "file://$TMP/r.html" >"$TMP/dom.html" 2>"$TMP/console.log"
	run grep -i 'CONSOLE' "$TMP/console.log"
	[ "$status" -eq 1 ]
	python3 - "$TMP/dom.html" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.tables = []; s.tags = []; s.text = []
        s.intd = False
    def handle_starttag(s, t, a):
        s.tags.append(t)
        if t == "table": s.tables.append(dict(a)["id"])
    def handle_data(s, d): s.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read())
for t in ["header", "hosts-table", "host-history-table", "timeline-table",
          "hits-by-rule", "hits-by-host", "iocs-table", "evidence-table",
          "custody-table", "checklists-table", "integrity-table"]:
    assert t in p.tables, (t, p.tables)
assert "script" not in p.tags and "img" not in p.tags, p.tags
text = "".join(p.text)
assert "<script>alert(1)</script><img src=x onerror=alert(2)>" in text
assert "svg" in p.tags and "rect" in p.tags
PY
}

@test "report: the chart is aggregated into bins, never one element per event" {
	fixture
	irt report --bins 12 --timeline "web01=syslog:$TMP/web01.log" --timeline "db01=syslog:$TMP/db01.log" -o "$TMP/r.html" 2>/dev/null
	python3 - "$TMP/r.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
svg = re.search(r'<svg class="chart".*?</svg>', h, re.S).group(0)
assert 'data-bins="12"' in svg and 'data-total="37"' in svg, svg[:300]
rows = re.findall(r'<g class="host">(.*?)</g>', svg, re.S)
assert len(rows) == 2
counts = [[int(c) for c in re.findall(r'data-count="(\d+)"', r)] for r in rows]
# 36 events over 6 hours and db01's one, in 12 bins: one rectangle
# per bin that holds events
assert sum(counts[0]) == 36 and sum(counts[1]) == 1, counts
assert all(len(c) <= 12 for c in counts)
assert h.count('class="bin"') == len(counts[0]) + len(counts[1])
PY
}

@test "report --redact: no IOC value, address or internal note; it says so" {
	fixture
	run irt report --redact --no-chart -o "$TMP/r.html"
	[ "$status" -eq 0 ]
	assert_contains "$output" ", redacted"
	grep -q 'id="redacted"' "$TMP/r.html"
	run grep -c '198\.51\|evil\|10\.0\.0\.5\|10\.0\.0\.9\|555-0100' "$TMP/r.html"
	[ "$output" = 0 ]
	grep -q '1 note tagged internal is left out of this report' "$TMP/r.html" ||
		grep -q 'tagged internal left out' "$TMP/r.html"
	irt report --redact --no-chart --format md >"$TMP/r.md"
	run grep -c '198\.51\|evil\|10\\\.0\|555-0100' "$TMP/r.md"
	[ "$output" = 0 ]
	grep -q '^> \*\*Redacted report:\*\*' "$TMP/r.md"
}

@test "report --format md: the same sections, tables and escaped text" {
	fixture
	irt note add -m $'```\nbreak out of the fence\n```\n| a | b |' >/dev/null
	irt report --format md --timeline "web01=syslog:$TMP/web01.log" >"$TMP/r.md"
	python3 - "$TMP/r.md" <<'PY'
import re, sys
m = open(sys.argv[1]).read()
h2 = re.findall(r'^## (.*)$', m, re.M)
assert h2 == ["Summary", "Hosts", "Incident timeline", "Activity per host",
    "Hunt hits", "Indicators of compromise", "Evidence", "Checklists",
    "Isolations", "Appendix: notes", "Integrity"], h2
assert m.startswith("**TLP:AMBER**\n\n# INC-REP: web01 beacons to the C2\n") or \
    m.startswith("**TLP:AMBER**\n\n# INC\\-REP: web01 beacons to the C2\n"), m[:80]
# every table has its separator row right after the header
for t in re.finditer(r'^(\|.*\|)\n(\|.*\|)$', m, re.M):
    pass
assert "| host | state | addresses | role | since |\n| --- | --- | --- | --- | --- |" in m
assert "&lt;script&gt;" not in m.split("## Appendix")[0]
# the hostile note: in a fence longer than its own backticks
assert "````text\n```\nbreak out of the fence\n```\n| a | b |\n````" in m, m[-600:]
assert "```text\n<script>alert(1)</script><img src=x onerror=alert(2)>\n```" in m
assert "| web01 | 36 | `" in m
PY
}

@test "report --record commits it; a bad option is a usage error" {
	run irt report --record --no-chart -o "$TMP/r.html"
	[ "$status" -eq 0 ]
	assert_contains "$output" "report recorded as reports/"
	path=$(git -C "$TMP/case" show --name-only --format= HEAD)
	[[ "$path" == reports/*/*/*/*.html ]]
	cmp "$TMP/case/$path" "$TMP/r.html"
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: report'
	run irt report --json
	[ "$status" -eq 2 ]
	run irt report --format pdf
	[ "$status" -eq 2 ]
	run irt report --bins 1
	[ "$status" -eq 2 ]
}

@test "report -o replaces a symbolic link, never writes through it" {
	echo keep >"$TMP/target"
	ln -s "$TMP/target" "$TMP/r.html"
	run irt report --no-chart -o "$TMP/r.html"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/target")" = keep ]
	[ ! -L "$TMP/r.html" ]
	grep -q '<h1 id="case">' "$TMP/r.html"
}

@test "report: a record that does not parse is a warning, the report goes on" {
	fixture
	id=$(irt event add --at 2026-11-28 -m "will break")
	f="$TMP/case/$(shard events "$id" .event)"
	echo 'bogus line' >>"$f"
	git -C "$TMP/case" commit -qam "hand edit"
	run irt report --no-chart -o "$TMP/r.html"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning: events/"
	grep -q 'implant started' "$TMP/r.html"
	grep -q 'FAILED: 1 problem' "$TMP/r.html"
}
