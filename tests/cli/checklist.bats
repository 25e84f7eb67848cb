#!/usr/bin/env bats
# irt checklist

load helper

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "checklist list: the five built-in checklists" {
	run irt checklist list
	[ "$status" -eq 0 ]
	for n in isolate-linux-host contain-public-services restore-services \
	    account-lockdown evidence-handling; do
		assert_contains "$output" "$n"
	done
	run irt checklist list --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d["checklists"]) == 5
assert all(c["steps"] > 0 for c in d["checklists"])'
}

@test "checklist show: the Markdown, and JSON with the steps" {
	run irt checklist show isolate-linux-host
	[ "$status" -eq 0 ]
	assert_contains "$output" "- [ ] volatile: Capture volatile evidence"
	assert_contains "$output" "irt collect --profile volatile"
	run irt checklist show --json isolate-linux-host
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ids = [s["id"] for s in d["steps"]]
assert ids.index("volatile") < ids.index("isolate"), ids
iso = d["steps"][ids.index("isolate")]
assert "volatile" in iso["needs"], iso'
	run irt checklist show no-such-list
	[ "$status" -eq 1 ]
	assert_contains "$output" "no checklist 'no-such-list'"
}

@test "checklist lint: valid files pass, errors come with file:line" {
	for f in "$IRT_SRC"/lib/data/checklists/*.md; do
		irt checklist lint "$f"
	done
	cat >bad.md <<'MD'
---
id: bad
title: Bad
version: 1
---
- [ ] one: First
  - run: echo 'unbalanced
- [ ] one: Again
- [ ] two: Needs a later step
  - needs: three
MD
	run irt checklist lint bad.md
	[ "$status" -eq 1 ]
	assert_contains "$output" "bad.md:7: unbalanced quote"
	assert_contains "$output" "bad.md:8: step 'one' is defined twice"
	assert_contains "$output" "bad.md:10: step 'two' needs 'three'"
	run irt checklist lint
	[ "$status" -eq 2 ]
	run irt checklist lint missing.md
	[ "$status" -eq 1 ]
}

@test "checklist: start, done, skip, reopen and status in a case" {
	make_case
	run irt checklist start isolate-linux-host --host web1
	[ "$status" -eq 0 ]
	assert_contains "$output" "isolate-linux-host-web1"
	[ -f "$TMP/case/checklists/isolate-linux-host-web1.md" ]
	run irt checklist start isolate-linux-host --host web1
	[ "$status" -eq 1 ]
	assert_contains "$output" "already started"
	run irt checklist start isolate-linux-host --host 'bad/host'
	[ "$status" -eq 1 ]
	irt checklist done approve -m "approved by the CISO by phone"
	run irt checklist status
	[ "$status" -eq 0 ]
	assert_contains "$output" "1/10 done"
	assert_contains "$output" "next: identify"
	run irt checklist skip identify
	[ "$status" -eq 2 ]
	irt checklist skip identify --reason "console only, no shell"
	run irt checklist done approve
	[ "$status" -eq 1 ]
	assert_contains "$output" "already done"
	irt checklist reopen approve
	run irt checklist status --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)["checklists"][0]
assert d["name"] == "isolate-linux-host-web1"
assert d["host"] == "web1"
assert d["done"] == 0 and d["skipped"] == 1 and d["next"] == "approve", d
s = {x["id"]: x for x in d["steps"]}
assert s["identify"]["reason"] == "console only, no shell"'
	run irt checklist done no-such-step
	[ "$status" -eq 1 ]
	assert_contains "$output" "has no step 'no-such-step'"
	grep -q -- '- \[x\] identify:' "$TMP/case/checklists/isolate-linux-host-web1.md"
	grep -q -- '- \[ \] approve:' "$TMP/case/checklists/isolate-linux-host-web1.md"
}

@test "checklist: a step before its dependency warns and needs --force" {
	make_case
	irt checklist start isolate-linux-host --host web1 >/dev/null
	run irt checklist done isolate </dev/null
	[ "$status" -eq 1 ]
	assert_contains "$output" "needs step 'volatile', which is not done"
	assert_contains "$output" "use --force"
	run irt checklist done isolate --force
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning"
	assert_contains "$(cat "$TMP/case/checklists/isolate-linux-host-web1.md")" \
	    "- forced: 'volatile' was not done"
	run git -C "$TMP/case" log -1 --format=%B
	assert_contains "$output" "Irt-Forced: volatile"
}

@test "checklist do: runs the step as irt run does and ticks it" {
	make_case
	cat >mine.md <<'MD'
---
id: mine
title: My steps
version: 1
---
- [ ] hello: Say hello
  Do: run it.
  - run: `sh -c 'echo "hello from $0"' step`
- [ ] broken: A command that fails
  - run: sh -c 'echo oops >&2; exit 3'
- [ ] manual: No command
MD
	irt checklist start ./mine.md --host h1 >/dev/null
	run irt checklist do hello
	[ "$status" -eq 0 ]
	assert_contains "$output" "hello from step"
	assert_contains "$output" "step 'hello' done"
	run irt checklist do broken
	[ "$status" -eq 1 ]
	assert_contains "$output" "failed with exit 3"
	run irt checklist do manual
	[ "$status" -eq 1 ]
	assert_contains "$output" "has no run: command"
	run irt checklist status --json mine
	printf '%s' "$output" | python3 -c '
import json, sys
s = {x["id"]: x for x in json.load(sys.stdin)["steps"]}
assert s["hello"]["state"] == "done" and s["hello"]["run_id"], s
assert s["broken"]["state"] == "open", s'
	# the run is recorded under runs/ with the step in its trailers
	run git -C "$TMP/case" log --format=%B --grep='Irt-Step: broken'
	assert_contains "$output" "Irt-Action: run"
	assert_contains "$output" "Irt-Exit: 3"
	assert_contains "$output" "Irt-Checklist: mine-h1"
}

@test "checklist run: a scripted session, verified history, step by step log" {
	make_case
	cat >flow.md <<'MD'
---
id: flow
title: Flow
version: 1
---
- [ ] one: First step
  - run: echo step-one-output
- [ ] two: Second step
  - needs: one
- [ ] three: Third step
- [ ] four: Fourth step
MD
	run irt checklist run ./flow.md --host h2 <<'IN'
do
bogus
note the attacker used sudo
done checked by two people
skip three not applicable here
done
IN
	[ "$status" -eq 0 ]
	assert_contains "$output" "step-one-output"
	assert_contains "$output" "unknown command 'bogus'"
	assert_contains "$output" "every step is done or skipped"
	run irt checklist status flow
	assert_contains "$output" "[x] one"
	assert_contains "$output" "[x] two"
	assert_contains "$output" "[-] three"
	assert_contains "$output" "[x] four"
	run irt case verify
	[ "$status" -eq 0 ]
	run git -C "$TMP/case" log --reverse \
	    --format='%(trailers:key=Irt-Action,valueonly,separator=)|%(trailers:key=Irt-Step,valueonly,separator=)'
	[ "$status" -eq 0 ]
	assert_contains "$output" "checklist-start|
run|one
checklist-done|one
note-add|
checklist-done|two
checklist-skip|three
checklist-done|four"
	run git -C "$TMP/case" log --oneline -- checklists/flow-h2.md
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 5 ]
	run irt note list --tag checklist
	assert_contains "$output" "the attacker used sudo"
}

@test "checklist: case verify rejects a damaged copy" {
	make_case
	irt checklist start evidence-handling --host h3 >/dev/null
	f="$TMP/case/checklists/evidence-handling-h3.md"
	sed -i 's/^- \[ \] case:/- [x] case:/' "$f"
	git -C "$TMP/case" -c user.name=x -c user.email=x@y commit -qam tamper
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "ticked but has no done:"
}

@test "checklist: usage errors exit 2" {
	make_case
	run irt checklist
	[ "$status" -eq 2 ]
	run irt checklist frobnicate
	[ "$status" -eq 2 ]
	run irt checklist done
	[ "$status" -eq 2 ]
	run irt checklist done -h
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt checklist done"
	run irt checklist start
	[ "$status" -eq 2 ]
}

@test "checklist: steps ticked by two processes at once are both kept" {
	make_case
	irt checklist start --host web01 evidence-handling >/dev/null
	for round in 1 2 3; do
		irt checklist done --force -c evidence-handling-web01 case >/dev/null &
		a=$!
		irt checklist done --force -c evidence-handling-web01 clock >/dev/null &
		b=$!
		wait $a
		wait $b
		run irt checklist status --json evidence-handling-web01
		assert_contains "$output" '"done":2'
		irt checklist reopen -c evidence-handling-web01 case >/dev/null
		irt checklist reopen -c evidence-handling-web01 clock >/dev/null
	done
	run irt case verify
	[ "$status" -eq 0 ]
}
