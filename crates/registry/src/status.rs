//! Compliance status: the state of every duty of the directive for every unit, computed from
//! plain facts (the store gathers them), rolled up from unit to province.
//!
//! Duties (ids are stable, used in `camguard status --format json`):
//!
//! | id | duty (Directive 23/CT-TTg) | evidence |
//! |---|---|---|
//! | `level-approved` | security level of camera systems determined and approved on time | systems' approval dates vs. the binding deadline |
//! | `plan-deployed` | protection plan deployed on time | systems' plan dates vs. the binding deadline |
//! | `periodic-assessment` | periodic assessment done (levels 3–4 yearly, 5 every six months) | last stored scan of the system's cameras |
//! | `cameras-certified` | cameras certified (QCVN conformity) and not on a warning list | inventory + catalogue |
//! | `critical-findings` | no critical or high finding left open | findings (accepted risks count until they expire) |
//! | `cameras-registered` | every camera found by a scan is in the inventory | latest scans vs. inventory |
//! | `regulation` | the unit's security regulation covers cameras | regulation record |
//! | other deadline duties | e.g. a province's report by a date | duty records vs. the deadline |

use crate::date::format_date as fmt;
use crate::deadline::{DeadlineSet, Duty, binding_deadline};
use crate::message::render_all;
pub use crate::message::{Lang, Message};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::Date;

/// The state of one duty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DutyState {
    /// Done (on time where a deadline applies).
    Done,
    /// Does not apply (e.g. no cameras).
    NotApplicable,
    /// Not done yet, deadline still ahead.
    Pending,
    /// Done, but after the deadline.
    Late,
    /// Not done and the deadline has passed.
    Overdue,
    /// A standing duty not met now (uncertified cameras, open critical findings …).
    Failing,
    /// The record that would show it is missing.
    Missing,
}

impl DutyState {
    pub fn as_str(self) -> &'static str {
        match self {
            DutyState::Done => "done",
            DutyState::NotApplicable => "not-applicable",
            DutyState::Pending => "pending",
            DutyState::Late => "late",
            DutyState::Overdue => "overdue",
            DutyState::Failing => "failing",
            DutyState::Missing => "missing",
        }
    }
    /// How bad the state is, for "the worst of the units below": not applicable, then done,
    /// then pending, late, overdue, failing, missing.
    pub fn severity(self) -> u8 {
        match self {
            DutyState::NotApplicable => 0,
            DutyState::Done => 1,
            DutyState::Pending => 2,
            DutyState::Late => 3,
            DutyState::Overdue => 4,
            DutyState::Failing => 5,
            DutyState::Missing => 6,
        }
    }
    /// Needs someone's attention.
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            DutyState::Overdue | DutyState::Failing | DutyState::Missing | DutyState::Late
        )
    }
}

/// What the store knows about one system.
#[derive(Clone, Debug, Default)]
pub struct SystemFacts {
    pub code: String,
    pub level: Option<u8>,
    pub approved_on: Option<Date>,
    pub plan_deployed_on: Option<Date>,
    /// Months between periodic assessments (the system's own setting or its level's default).
    pub interval_months: u32,
    pub last_assessed: Option<Date>,
}

/// What the store knows about one unit.
#[derive(Clone, Debug, Default)]
pub struct UnitFacts {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent: Option<i64>,
    /// Deadline sets attached to this unit itself.
    pub deadline_sets: Vec<String>,
    pub systems: Vec<SystemFacts>,
    pub cameras: u64,
    /// Cameras with a conformity certificate.
    pub cameras_certified: u64,
    /// Cameras whose model is on a warning list.
    pub cameras_warned: u64,
    /// Open critical/high findings (accepted risks past their expiry included).
    pub critical_open: u64,
    /// Cameras found by the latest complete scan that are not in the inventory.
    pub unregistered: u64,
    /// Latest regulation: (number, issued on, covers cameras).
    pub regulation: Option<(String, Date, bool)>,
    /// Duties recorded as done: (duty, date).
    pub duty_records: Vec<(Duty, Date)>,
}

/// One duty's state.
#[derive(Clone, Debug, Serialize)]
pub struct DutyStatus {
    pub duty: String,
    pub state: DutyState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Why the duty is in its state, in English (the messages below, rendered).
    pub detail: String,
    /// The same explanation as messages of `locales/*/status.ftl`, for a reader in another
    /// language (the dashboard, the reports).
    #[serde(skip)]
    pub messages: Vec<Message>,
}

impl DutyStatus {
    /// The duty's explanation in `lang`.
    pub fn detail_in(&self, lang: Lang) -> String {
        if self.messages.is_empty() {
            return self.detail.clone();
        }
        render_all(&self.messages, lang)
    }
}

fn explained(m: Message) -> (String, Vec<Message>) {
    (m.render(Lang::En), vec![m])
}

/// A deadline of a set attached to the unit itself (`org add --deadlines`), which binds it
/// and every unit below it.
#[derive(Clone, Debug, Serialize)]
pub struct OwnDeadline {
    /// The deadline's id (`ag-level-approved`).
    pub id: String,
    /// Its set (`an-giang`).
    pub set: String,
    pub duty: String,
    pub due: String,
    /// Whether it is the deadline that binds the unit for this duty; `false` when an earlier
    /// one (the directive's, or an ancestor's set) binds instead.
    pub binding: bool,
}

/// A unit's status with its subtree rolled up.
///
/// A parent (a province, a ministry) is shown with its **own** duties (`duties`, `problems`:
/// its own systems, cameras and records) and, separately labelled, what is **below** it
/// (`below`: the worst state of each duty among the units under it; `subtree_problems`: the
/// problems of the whole subtree, its own included). A province with no cameras of its own
/// thus shows its own duties as not applicable and, beside them, the worst of its units.
#[derive(Clone, Debug, Serialize)]
pub struct UnitStatus {
    pub org: String,
    pub name: String,
    /// This unit's own duties.
    pub duties: Vec<DutyStatus>,
    /// Duties of this unit itself that need attention.
    pub problems: usize,
    /// Duties that need attention in the whole subtree (this unit's and every unit's below).
    pub subtree_problems: usize,
    /// For each duty, the worst state among the units below this one (empty for a unit with
    /// none), by [`DutyState::severity`].
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub below: BTreeMap<String, DutyState>,
    /// Deadlines of the sets attached to this unit itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub own_deadlines: Vec<OwnDeadline>,
    /// Units in the subtree (this one included).
    pub units: usize,
    /// Units in the subtree with at least one problem.
    pub units_with_problems: usize,
    /// For each duty, how many units of the subtree are in each state.
    pub rollup: BTreeMap<String, BTreeMap<String, usize>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<UnitStatus>,
}

fn add_months(d: Date, months: u32) -> Date {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + months as i32;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(m).unwrap_or(time::Month::January);
    let last = time::util::days_in_month(month, y);
    Date::from_calendar_date(y, month, d.day().min(last)).unwrap_or(d)
}

/// State of a dated duty: done on `done` (if any), due on `due` (if any), checked `today`.
fn dated(done: Option<Date>, due: Option<Date>, today: Date) -> DutyState {
    match (done, due) {
        (Some(d), Some(due)) if d > due => DutyState::Late,
        (Some(_), _) => DutyState::Done,
        (None, Some(due)) if today > due => DutyState::Overdue,
        (None, _) => DutyState::Pending,
    }
}

/// The duties of one unit.
pub fn unit_duties(
    u: &UnitFacts,
    attached: &[&str],
    sets: &[DeadlineSet],
    today: Date,
) -> Vec<DutyStatus> {
    let mut out = Vec::new();
    let has_cameras = u.cameras > 0 || !u.systems.is_empty();
    let deadline = |duty: Duty| binding_deadline(sets, attached, duty);

    // Level approved / plan deployed, per system; the unit takes its worst system.
    for (duty, label, pick) in [
        (
            Duty::LevelApproved,
            "level-approved",
            (|s: &SystemFacts| s.approved_on) as fn(&SystemFacts) -> Option<Date>,
        ),
        (Duty::PlanDeployed, "plan-deployed", |s: &SystemFacts| {
            s.plan_deployed_on
        }),
    ] {
        let dl = deadline(duty);
        let due = dl.map(|d| d.due);
        let (state, detail) = if u.systems.is_empty() {
            if has_cameras {
                (
                    DutyState::Missing,
                    Message::new("detail-no-system").num("cameras", u.cameras),
                )
            } else {
                (DutyState::NotApplicable, Message::new("detail-nothing"))
            }
        } else {
            let states: Vec<(DutyState, &str)> = u
                .systems
                .iter()
                .map(|s| (dated(pick(s), due, today), s.code.as_str()))
                .collect();
            let worst = states.iter().map(|s| s.0).max().unwrap_or(DutyState::Done);
            let bad: Vec<&str> = states
                .iter()
                .filter(|s| s.0 == worst && worst != DutyState::Done)
                .map(|s| s.1)
                .collect();
            let detail = if bad.is_empty() {
                Message::new("detail-systems-on-time").num("systems", u.systems.len() as u64)
            } else {
                Message::new("detail-systems-state")
                    .text("state", worst.as_str())
                    .text("codes", bad.join(", "))
            };
            (worst, detail)
        };
        let (detail, messages) = explained(detail);
        out.push(DutyStatus {
            duty: label.into(),
            state,
            due: due.map(fmt),
            deadline: dl.map(|d| d.id.clone()),
            detail,
            messages,
        });
    }

    // Periodic assessment.
    {
        let mut worst = if u.systems.is_empty() {
            if u.cameras > 0 {
                DutyState::Missing
            } else {
                DutyState::NotApplicable
            }
        } else {
            DutyState::Done
        };
        let mut bad = Vec::new();
        for s in &u.systems {
            let st = match s.last_assessed {
                Some(d) if add_months(d, s.interval_months) >= today => DutyState::Done,
                Some(_) => DutyState::Overdue,
                None => DutyState::Overdue,
            };
            if st != DutyState::Done {
                bad.push(match s.last_assessed {
                    Some(d) => Message::new("detail-assessment-last")
                        .text("code", s.code.clone())
                        .text("date", fmt(d))
                        .num("months", u64::from(s.interval_months)),
                    None => Message::new("detail-assessment-never").text("code", s.code.clone()),
                });
            }
            worst = worst.max(st);
        }
        let (detail, messages) = explained(if bad.is_empty() {
            match worst {
                DutyState::Missing => Message::new("detail-assessment-no-system"),
                DutyState::NotApplicable => Message::new("detail-no-systems"),
                _ => Message::new("detail-assessment-done"),
            }
        } else {
            Message::new("detail-assessment-overdue").list("systems", bad)
        });
        out.push(DutyStatus {
            duty: "periodic-assessment".into(),
            state: worst,
            due: None,
            deadline: None,
            detail,
            messages,
        });
    }

    // Cameras certified and not warned.
    let uncertified = u.cameras.saturating_sub(u.cameras_certified);
    let (detail, messages) = explained(
        Message::new("detail-cameras-certified")
            .num("cameras", u.cameras)
            .num("uncertified", uncertified)
            .num("warned", u.cameras_warned),
    );
    out.push(DutyStatus {
        duty: "cameras-certified".into(),
        state: if u.cameras == 0 {
            DutyState::NotApplicable
        } else if uncertified > 0 || u.cameras_warned > 0 {
            DutyState::Failing
        } else {
            DutyState::Done
        },
        due: None,
        deadline: None,
        detail,
        messages,
    });

    let (detail, messages) =
        explained(Message::new("detail-critical-open").num("count", u.critical_open));
    out.push(DutyStatus {
        duty: "critical-findings".into(),
        state: if u.critical_open > 0 {
            DutyState::Failing
        } else if u.cameras == 0 && u.systems.is_empty() {
            DutyState::NotApplicable
        } else {
            DutyState::Done
        },
        due: None,
        deadline: None,
        detail,
        messages,
    });

    let (detail, messages) =
        explained(Message::new("detail-unregistered").num("count", u.unregistered));
    out.push(DutyStatus {
        duty: "cameras-registered".into(),
        state: if u.unregistered > 0 {
            DutyState::Failing
        } else {
            DutyState::Done
        },
        due: None,
        deadline: None,
        detail,
        messages,
    });

    {
        let dl = deadline(Duty::RegulationIssued);
        let (state, detail) = match &u.regulation {
            Some((num, on, true)) => (
                dated(Some(*on), dl.map(|d| d.due), today),
                Message::new("detail-regulation-covers")
                    .text("number", num.clone())
                    .text("date", fmt(*on)),
            ),
            Some((num, on, false)) => (
                DutyState::Failing,
                Message::new("detail-regulation-not-covering")
                    .text("number", num.clone())
                    .text("date", fmt(*on)),
            ),
            None if !has_cameras => (DutyState::NotApplicable, Message::new("detail-nothing")),
            None => (DutyState::Missing, Message::new("detail-regulation-none")),
        };
        let (detail, messages) = explained(detail);
        out.push(DutyStatus {
            duty: "regulation".into(),
            state,
            due: dl.map(|d| fmt(d.due)),
            deadline: dl.map(|d| d.id.clone()),
            detail,
            messages,
        });
    }

    // Other dated duties of the attached deadline sets, shown by duty records.
    let mut others: Vec<&crate::deadline::Deadline> = sets
        .iter()
        .filter(|s| s.national || attached.contains(&s.id.as_str()))
        .flat_map(|s| s.deadlines.iter())
        .filter(|d| {
            !matches!(
                d.duty,
                Duty::LevelApproved | Duty::PlanDeployed | Duty::RegulationIssued
            )
        })
        .collect();
    others.sort_by_key(|d| (d.due, d.id.clone()));
    for d in others {
        let done = u
            .duty_records
            .iter()
            .filter(|(duty, _)| *duty == d.duty)
            .map(|(_, on)| *on)
            .min();
        let done = match d.duty {
            Duty::AssessmentDone => {
                done.or_else(|| u.systems.iter().filter_map(|s| s.last_assessed).min())
            }
            _ => done,
        };
        let state = dated(done, Some(d.due), today);
        let (detail, messages) = explained(match done {
            Some(on) => Message::new("detail-recorded-done")
                .localized("title", &d.title_vi, &d.title_en)
                .text("date", fmt(on)),
            None => {
                Message::new("detail-recorded-missing").localized("title", &d.title_vi, &d.title_en)
            }
        });
        out.push(DutyStatus {
            duty: d.id.clone(),
            state,
            due: Some(fmt(d.due)),
            deadline: Some(d.id.clone()),
            detail,
            messages,
        });
    }
    out
}

/// Status of every unit, as a forest rooted at `root` (every top-level unit when `None`).
pub fn compute(
    units: &[UnitFacts],
    sets: &[DeadlineSet],
    today: Date,
    root: Option<i64>,
) -> Vec<UnitStatus> {
    let by_id: HashMap<i64, &UnitFacts> = units.iter().map(|u| (u.id, u)).collect();
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut roots = Vec::new();
    for u in units {
        match u.parent.filter(|p| by_id.contains_key(p)) {
            Some(p) => children.entry(p).or_default().push(u.id),
            None => roots.push(u.id),
        }
    }
    let start = match root {
        Some(r) => vec![r],
        None => roots,
    };
    start
        .into_iter()
        .filter_map(|id| build(id, &by_id, &children, sets, today, &[]))
        .collect()
}

fn build(
    id: i64,
    by_id: &HashMap<i64, &UnitFacts>,
    children: &HashMap<i64, Vec<i64>>,
    sets: &[DeadlineSet],
    today: Date,
    inherited: &[String],
) -> Option<UnitStatus> {
    let u = by_id.get(&id)?;
    // Deadline sets bind an organisation and everything under it.
    let mut attached: Vec<String> = inherited.to_vec();
    if inherited.is_empty() {
        // Walk up to collect the ancestors' sets (the root call has none inherited).
        let mut p = u.parent;
        while let Some(pid) = p {
            let Some(pu) = by_id.get(&pid) else { break };
            attached.extend(pu.deadline_sets.iter().cloned());
            p = pu.parent;
        }
    }
    attached.extend(u.deadline_sets.iter().cloned());
    attached.sort();
    attached.dedup();
    let refs: Vec<&str> = attached.iter().map(String::as_str).collect();
    let mut duties = unit_duties(u, &refs, sets, today);
    let problems = duties.iter().filter(|d| d.state.is_problem()).count();
    // The unit's own sets: every deadline they date, and whether it is the one that binds.
    let mut own_deadlines = Vec::new();
    for set in sets.iter().filter(|s| u.deadline_sets.contains(&s.id)) {
        for d in &set.deadlines {
            let binding = binding_deadline(sets, &refs, d.duty).is_some_and(|b| b.id == d.id);
            if !binding
                && let Some(duty) = duties
                    .iter_mut()
                    .find(|s| s.deadline.is_some() && s.duty == d.duty.as_str())
            {
                let note = Message::new("detail-own-deadline")
                    .text("id", d.id.clone())
                    .text("set", set.id.clone())
                    .text("due", fmt(d.due))
                    .text("binding", duty.deadline.as_deref().unwrap_or("-"));
                duty.detail.push(' ');
                duty.detail.push_str(&note.render(Lang::En));
                duty.messages.push(note);
            }
            own_deadlines.push(OwnDeadline {
                id: d.id.clone(),
                set: set.id.clone(),
                duty: d.duty.as_str().to_owned(),
                due: fmt(d.due),
                binding,
            });
        }
    }
    let mut rollup: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for d in &duties {
        *rollup
            .entry(d.duty.clone())
            .or_default()
            .entry(d.state.as_str().into())
            .or_default() += 1;
    }
    let mut kids = Vec::new();
    let (mut units, mut with_problems) = (1, usize::from(problems > 0));
    let mut subtree_problems = problems;
    let mut below: BTreeMap<String, DutyState> = BTreeMap::new();
    for c in children.get(&id).map(Vec::as_slice).unwrap_or_default() {
        if let Some(k) = build(*c, by_id, children, sets, today, &attached) {
            units += k.units;
            with_problems += k.units_with_problems;
            subtree_problems += k.subtree_problems;
            // The child's own duties and the worst below it.
            let child = k.duties.iter().map(|d| (&d.duty, d.state));
            for (duty, state) in child.chain(k.below.iter().map(|(d, s)| (d, *s))) {
                let e = below.entry(duty.clone()).or_insert(state);
                if state.severity() > e.severity() {
                    *e = state;
                }
            }
            for (duty, states) in &k.rollup {
                let e = rollup.entry(duty.clone()).or_default();
                for (s, n) in states {
                    *e.entry(s.clone()).or_default() += n;
                }
            }
            kids.push(k);
        }
    }
    Some(UnitStatus {
        org: u.code.clone(),
        name: u.name.clone(),
        duties,
        problems,
        subtree_problems,
        below,
        own_deadlines,
        units,
        units_with_problems: with_problems,
        rollup,
        children: kids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sets() -> Vec<DeadlineSet> {
        let kb = camguard_kb::Kb::embedded().expect("kb");
        crate::deadline::load_deadlines(&kb).expect("deadlines")
    }

    fn unit(id: i64, parent: Option<i64>) -> UnitFacts {
        UnitFacts {
            id,
            code: format!("U{id}"),
            name: format!("Unit {id}"),
            parent,
            ..Default::default()
        }
    }

    fn state(s: &UnitStatus, duty: &str) -> DutyState {
        s.duties
            .iter()
            .find(|d| d.duty == duty)
            .map(|d| d.state)
            .unwrap()
    }

    #[test]
    fn months_are_added_on_the_calendar() {
        assert_eq!(add_months(date!(2025 - 01 - 31), 1), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2025 - 06 - 15), 12), date!(2026 - 06 - 15));
        assert_eq!(add_months(date!(2025 - 11 - 15), 6), date!(2026 - 05 - 15));
    }

    #[test]
    fn duties_follow_the_records() {
        let sets = sets();
        let today = date!(2026 - 11 - 23);
        let mut u = unit(1, None);
        // Cameras without a system: the level duty is missing, not "not applicable".
        u.cameras = 10;
        u.cameras_certified = 8;
        let s = &compute(&[u.clone()], &sets, today, None)[0];
        assert_eq!(state(s, "level-approved"), DutyState::Missing);
        assert_eq!(state(s, "cameras-certified"), DutyState::Failing);
        assert_eq!(state(s, "regulation"), DutyState::Missing);

        u.cameras_certified = 10;
        u.systems.push(SystemFacts {
            code: "CCTV".into(),
            level: Some(3),
            approved_on: Some(date!(2023 - 02 - 10)),
            plan_deployed_on: Some(date!(2023 - 12 - 01)),
            interval_months: 12,
            last_assessed: Some(date!(2026 - 03 - 01)),
        });
        u.regulation = Some(("12/QC".into(), date!(2023 - 06 - 01), true));
        let s = &compute(&[u.clone()], &sets, today, None)[0];
        assert_eq!(state(s, "level-approved"), DutyState::Done);
        // The directive wants the plan by 09/2023: December is late.
        assert_eq!(state(s, "plan-deployed"), DutyState::Late);
        assert_eq!(state(s, "periodic-assessment"), DutyState::Done);
        assert_eq!(state(s, "cameras-certified"), DutyState::Done);
        assert_eq!(state(s, "regulation"), DutyState::Done);

        u.systems[0].last_assessed = Some(date!(2025 - 10 - 01));
        u.critical_open = 2;
        let s = &compute(&[u], &sets, today, None)[0];
        assert_eq!(state(s, "periodic-assessment"), DutyState::Overdue);
        assert_eq!(state(s, "critical-findings"), DutyState::Failing);
    }

    #[test]
    fn rolls_up_from_units_to_the_province() {
        let sets = sets();
        let today = date!(2026 - 11 - 23);
        let p = unit(1, None);
        let mut a = unit(2, Some(1));
        a.cameras = 3;
        let b = unit(3, Some(1));
        let mut c = unit(4, Some(2));
        c.critical_open = 1;
        c.cameras = 1;
        let s = compute(&[p, a, b, c], &sets, today, None);
        assert_eq!(s.len(), 1);
        let root = &s[0];
        assert_eq!(root.units, 4);
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.rollup["critical-findings"]["failing"], 1);
        assert_eq!(root.rollup["critical-findings"].values().sum::<usize>(), 4);
        // The two units with cameras lack a regulation record; the others have nothing to do.
        assert_eq!(root.units_with_problems, 2);
        // A subtree on its own.
        let sub = compute(
            &[unit(1, None), {
                let mut x = unit(2, Some(1));
                x.cameras = 1;
                x
            }],
            &sets,
            today,
            Some(2),
        );
        assert_eq!(sub.len(), 1);
        assert_eq!(sub[0].org, "U2");
        assert_eq!(sub[0].units, 1);
    }

    /// A province with no cameras of its own over a unit with problems: the province's line
    /// shows its own duties and, labelled apart, the sum and the worst of what is below it;
    /// the deadlines of the province's own set show on it even where the directive's earlier
    /// date binds.
    #[test]
    fn a_parent_shows_its_own_duties_and_what_is_below_it() {
        let sets = sets();
        let today = date!(2026 - 11 - 23);
        let mut p = unit(1, None);
        p.deadline_sets = vec!["an-giang".into()];
        let mut a = unit(2, Some(1));
        a.cameras = 2;
        let b = unit(3, Some(1));
        let s = &compute(&[p, a, b], &sets, today, None)[0];
        // Own: nothing to do.
        assert_eq!(s.problems, 0);
        assert_eq!(state(s, "level-approved"), DutyState::NotApplicable);
        // Below: unit 2's problems, and the worst state of each duty.
        let a = &s.children[0];
        assert_eq!(a.problems, 5);
        assert_eq!(s.subtree_problems, 5);
        assert_eq!(s.below["level-approved"], DutyState::Missing);
        assert_eq!(s.below["cameras-certified"], DutyState::Failing);
        assert_eq!(s.below["critical-findings"], DutyState::Done);
        assert!(a.below.is_empty());
        // The province's own deadlines: An Giang's level date (11 May 2023) is later than the
        // directive's (31 March), which binds; both are named on the province's line.
        let own: Vec<(&str, bool)> = s
            .own_deadlines
            .iter()
            .map(|d| (d.id.as_str(), d.binding))
            .collect();
        assert_eq!(
            own,
            [("ag-level-approved", false), ("ag-plan-deployed", false)]
        );
        let level = s
            .duties
            .iter()
            .find(|d| d.duty == "level-approved")
            .unwrap();
        assert!(
            level.detail.contains("ag-level-approved of an-giang is due 2023-05-11; the earlier ct23-level-approved binds"),
            "{}",
            level.detail
        );
        assert!(a.own_deadlines.is_empty());
    }
}
