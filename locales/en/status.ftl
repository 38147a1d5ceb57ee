# Why a duty of the compliance status is in its state (crates/registry/src/status.rs).
# The English texts are also the status document's `detail` (camguard status --format json,
# GET /api/v1/status).

detail-no-system = { $cameras } cameras but no information system registered
detail-nothing = no cameras or systems
detail-systems-on-time = { $systems } system(s) on time
detail-systems-state = { $state }: { $codes }
detail-assessment-overdue = overdue: { $systems }
detail-assessment-never = { $code } (never assessed)
detail-assessment-last = { $code } (last { $date } , every { $months } months)
detail-assessment-no-system = cameras but no system to assess
detail-no-systems = no systems
detail-assessment-done = every system assessed within its interval
detail-cameras-certified = { $cameras } cameras: { $uncertified } without a conformity certificate, { $warned } of a warned model
detail-critical-open = { $count } critical/high findings open
detail-unregistered = { $count } cameras found by scans but not in the inventory
detail-regulation-covers = { $number } of { $date } covers cameras
detail-regulation-not-covering = { $number } of { $date } does not cover cameras
detail-regulation-none = no internal security regulation recorded
detail-recorded-done = { $title } — done { $date }
detail-recorded-missing = { $title } — not recorded
detail-own-deadline = (this unit's { $id } of { $set } is due { $due }; the earlier { $binding } binds)
