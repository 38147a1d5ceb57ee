### camguard — terminal messages (English)
###
### What the command line prints for people (tables, summaries, status, level reasons, common
### errors), chosen with --lang / CAMGUARD_LANG / the locale. Machine outputs (json, jsonl, csv)
### do not use these texts. Every id here exists in locales/vi/cli.ftl too (a unit test checks it).

## scan table

scan-col-address = ADDRESS
scan-col-type = TYPE
scan-col-vendor = VENDOR
scan-col-brand = BRAND
scan-col-model = MODEL
scan-col-firmware = FIRMWARE
scan-col-confidence = CONF
scan-col-findings = FINDINGS
scan-col-ports = OPEN PORTS
scan-type-other = other
scan-findings-heading = FINDINGS
scan-remediation = fix: { $text }

## severities (table cells)

severity-critical = critical
severity-high = high
severity-medium = medium
severity-low = low
severity-info = info

## status

status-no-orgs = no organisations in the registry (add one with `camguard org add`)
status-col-unit = UNIT
status-col-problems = PROBLEMS
status-col-level = LEVEL
status-col-plan = PLAN
status-col-assessed = ASSESSED
status-col-certified = CERTIFIED
status-col-findings = FINDINGS
status-col-registered = REGISTERED
status-col-regulation = REGULATION
status-col-other = OTHER
status-problems-of-units = { $problems } own, { $subtree } in all ({ $with }/{ $units } units)
status-duty-below = { $own } (below: { $worst })
status-own-deadline = { $id } by { $due }
status-as-of = as of { $date } — `camguard status ORG --format json` gives every duty's detail
duty-state-done = done
duty-state-not-applicable = not-applicable
duty-state-pending = pending
duty-state-late = late
duty-state-overdue = overdue
duty-state-failing = failing
duty-state-missing = missing

## security level

level-decided = { $system }: level { $level } ({ $ruleset })
level-reason = level { $level } — { $article }: { $text }
level-duties = prepares: { $prepares }
      appraises: { $appraises }
      approves: { $approves }
      periodic assessment: every { $months } months
level-dry-run = (dry run: not stored)

## deadlines

deadline-col-set = SET
deadline-col-deadline = DEADLINE
deadline-col-duty = DUTY
deadline-col-due = DUE
deadline-col-source = SOURCE
deadline-col-title = TITLE

## baseline

baseline-col-id = ID
baseline-col-standard = STANDARD
baseline-col-ref = REF
baseline-col-remote = REMOTE
baseline-col-title = TITLE
baseline-yes = yes
baseline-no = no
baseline-json-deprecated = --json is deprecated; use --format json

## common errors

error-not-a-date = { $what }: { $value } is not a date (use YYYY-MM-DD or DD/MM/YYYY)

## scan: messages on stderr

scan-intrusive-warning = WARNING: intrusive checks enabled ({ $checks }). They may lock accounts for minutes or create sessions on the devices; run them only with the owner's agreement.
scan-storing = storing as scan { $id } of { $org } in { $store }
scan-stopping = stopping; what was found is kept (press Ctrl-C again to quit at once)
scan-interrupted-again = interrupted again; quitting without finishing the output
scan-stored = stored scan { $id } ({ $state }) of { $org }
scan-resume-hint = resume it with `camguard scan --resume { $id }`
scan-summary = { $addresses } addresses in { $secs } s ({ $rate } connects/s): { $up } hosts up, { $cameras } cameras/NVR/DVR
scan-self-connects = { $n } TCP self-connects ignored
scan-interrupted = INTERRUPTED, results are partial

## demo

demo-starting = Starting a simulated fleet of { $hosts } addresses on { $base } (seed { $seed }) …
demo-scanning = Scanning { $range } for cameras …
demo-scanned = Scanned { $hosts } addresses in { $secs } s: { $up } hosts up; { $found }/{ $cameras } cameras found, vendor right for { $vendor }/{ $cameras }; { $wrong } non-cameras called cameras.
demo-assessed = Assessment: { $failing } hosts fail the baseline; { $matched }/{ $expected } seeded weaknesses found; { $extra } further findings (see FINDINGS above).
demo-registry-skipped = registry part of the demo skipped
demo-json-written = JSON written to { $path }
demo-try = Try: camguard sim --hosts 1024 --truth truth.json   (in one terminal)
         camguard scan 127.66.0.0/22                    (in another)
demo-row-rejected = inventory row { $line } rejected
demo-registry = Registry (demo database { $db }): scan stored for DEMO-STTTT, { $matched } cameras matched to the inventory, { $unregistered } found but NOT registered, { $open } findings open.
demo-explore = Explore it: export CAMGUARD_DATABASE={ $db }
demo-serving = Dashboard: { $url }  — demo accounts (role, username, random password, for this demo only):
demo-stop = Stop with Ctrl-C (the simulated fleet stops with it).
             camguard status DEMO --format json;  camguard assess findings --state open;  camguard camera list

## file imports and exports

import-cameras-summary = { $rows } rows, { $imported } imported ({ $new } new, { $updated } updated), { $rejected } rejected, in { $secs } s
export-cameras-summary = wrote { $n } cameras to { $path }
import-catalogue-summary = { $n } entries imported, { $rejected } rejected
import-orgs-summary = { $added } organisations added, { $rejected } rejected, in { $secs } s
assess-import-stored = stored { $path } as scan { $id } of { $org }
took-secs = in { $secs } s
user-assigned = assessor { $user } now works for: { $orgs }
serve-listening = serving on { $url } (registry { $database }); stop with Ctrl-C or SIGTERM
serve-stopped = stopped; requests in flight finished
serve-no-account = no account yet, so nobody can log in: create the first one with `camguard user add NAME --role admin --password-stdin`

# camguard report
report-written = camguard: report written to { $file } ({ $bytes } bytes)
