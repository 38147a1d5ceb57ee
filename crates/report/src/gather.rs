//! Gathering a report's data from the store, within a caller's reach.

use crate::labels;
use crate::model::{
    CameraEntry, Changes, ClauseEntry, DocumentHead, DutyCell, FindingEntry, FlaggedCamera,
    FlaggedModel, LateEntry, OrgRef, ProvinceReport, Report, ScanRef, SeverityCount, SiteHost,
    SiteReport, UnitReport, UnitRow, VendorRow,
};
use crate::{Lang, ReportError};
use camguard_model::{ClauseStatus, HostReport};
use camguard_registry::catalogue::{Catalogue, CatalogueVerdict};
use camguard_registry::status::{DutyStatus, UnitStatus};
use camguard_store::{
    CameraRow, FindingQuery, FindingRow, FindingState, MAX_PAGE, Org, Reach, ScanRow, ScanState,
    Store,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the caller says about the document itself (Decree 30/2020's head and foot). Texts left
/// empty are filled from the labels of the report's language when it is rendered.
#[derive(Clone, Debug)]
pub struct DocOptions {
    /// The date of the document and of its data ("as of").
    pub date: time::Date,
    /// Language of the texts taken from scans (finding titles, remediation, clause titles).
    pub lang: Lang,
    /// The number, without the symbol (blank for the clerk to fill in when `None`).
    pub number: Option<String>,
    pub place: Option<String>,
    pub recipients: Vec<String>,
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
}

impl DocOptions {
    pub fn new(date: time::Date, lang: Lang) -> DocOptions {
        DocOptions {
            date,
            lang,
            number: None,
            place: None,
            recipients: Vec::new(),
            signer_title: None,
            signer_name: None,
        }
    }
}

/// The duties of the matrix, in column order (others found in the status follow).
const DUTIES: &[&str] = &[
    "level-approved",
    "plan-deployed",
    "periodic-assessment",
    "cameras-certified",
    "critical-findings",
    "cameras-registered",
    "regulation",
];

const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info"];

/// Longest evidence text kept in a report.
pub(crate) const MAX_EVIDENCE: usize = 400;

fn day(d: time::Date) -> String {
    d.to_string()
}

fn parse_day(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s.get(..10)?,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

fn head(org: &Org, parent: Option<String>, symbol: &str, opts: &DocOptions) -> DocumentHead {
    let sym = format!("{symbol}-{}", org.code.to_uppercase());
    DocumentHead {
        parent,
        issuer: org.name.clone(),
        number: match &opts.number {
            Some(n) => format!("{n}/{sym}"),
            None => format!("        /{sym}"),
        },
        place: opts.place.clone().unwrap_or_default(),
        date: day(opts.date),
        subject: String::new(),
        recipients: opts.recipients.clone(),
        signer_title: opts.signer_title.clone().unwrap_or_default(),
        signer_name: opts.signer_name.clone().unwrap_or_default(),
    }
}

/// The parent's name when the caller may see it, else its code.
async fn parent_name(
    store: &Store,
    reach: &Reach,
    org: &Org,
) -> Result<Option<String>, ReportError> {
    let Some(code) = &org.parent else {
        return Ok(None);
    };
    match store.org_in(reach, code).await {
        Ok(p) => Ok(Some(p.name)),
        Err(camguard_store::StoreError::NotFound(_)) => Ok(Some(code.clone())),
        Err(e) => Err(e.into()),
    }
}

fn org_ref(org: &Org, parent: Option<String>) -> OrgRef {
    OrgRef {
        code: org.code.clone(),
        name: org.name.clone(),
        parent,
    }
}

async fn all_cameras(
    store: &Store,
    reach: &Reach,
    org: &str,
) -> Result<Vec<CameraRow>, ReportError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .cameras_page(reach, Some(org), MAX_PAGE, after)
            .await?;
        out.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Findings that are not closed (open, accepted, fixed and awaiting verification).
async fn live_findings(
    store: &Store,
    reach: &Reach,
    org: &str,
) -> Result<Vec<FindingRow>, ReportError> {
    let mut out = Vec::new();
    for state in [
        FindingState::Open,
        FindingState::Accepted,
        FindingState::Fixed,
    ] {
        let q = FindingQuery {
            org: Some(org.to_string()),
            state: Some(state),
            severity: None,
        };
        let mut after = None;
        loop {
            let page = store.findings_page(reach, &q, MAX_PAGE, after).await?;
            out.extend(page.items);
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
    }
    out.sort_by_key(|f| f.id);
    Ok(out)
}

/// The newest complete scan of each organisation of the subtree.
async fn latest_scans(
    store: &Store,
    reach: &Reach,
    org: &str,
) -> Result<Vec<ScanRow>, ReportError> {
    let mut seen = BTreeMap::new();
    let mut before = None;
    loop {
        let page = store.scans_page(reach, Some(org), MAX_PAGE, before).await?;
        for s in page.items {
            if s.state == ScanState::Complete {
                seen.entry(s.org.clone()).or_insert(s);
            }
        }
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    Ok(seen.into_values().collect())
}

fn scan_ref(s: &ScanRow) -> ScanRef {
    ScanRef {
        id: s.id,
        org: s.org.clone(),
        profile: s.profile.clone(),
        operator: s.operator.clone(),
        started_at: s.started_at.clone(),
        finished_at: s.finished_at.clone().unwrap_or_default(),
        hosts: s.hosts,
        cameras: s.cameras,
    }
}

fn text(t: &Option<camguard_model::LocalizedText>, lang: Lang) -> Option<String> {
    t.as_ref().map(|t| match lang {
        Lang::Vi => t.vi.clone(),
        Lang::En => t.en.clone(),
    })
}

/// Evidence for the report: the stored (redacted) JSON, URLs' credentials removed once more,
/// long texts and lists shortened inside it so that it stays JSON (the report's language labels
/// its fields when the report is rendered: `Labels::evidence`).
pub(crate) fn evidence_for_report(v: &serde_json::Value) -> String {
    if v.is_null() {
        return String::new();
    }
    let s = camguard_model::redact::url_credentials(&bounded(v).to_string());
    // The redaction works on the text; the result is still JSON unless a credential pattern
    // straddled a quote, and then the text is shown as it is, shortened.
    if serde_json::from_str::<serde_json::Value>(&s).is_ok() {
        s
    } else {
        labels::shorten(&s, MAX_EVIDENCE)
    }
}

/// `v` with every text shortened to [`MAX_EVIDENCE`] characters and every list to its first 16
/// items.
fn bounded(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(labels::shorten(s, MAX_EVIDENCE)),
        Value::Array(a) => Value::Array(a.iter().take(16).map(bounded).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), bounded(v))).collect()),
        other => other.clone(),
    }
}

/// The finding's texts and evidence from the host's stored report (or any report of the same
/// kind, for the texts).
struct Texts<'a> {
    lang: Lang,
    by_kind: HashMap<&'a str, &'a camguard_model::Finding>,
}

impl<'a> Texts<'a> {
    fn new(hosts: impl Iterator<Item = &'a HostReport>, lang: Lang) -> Texts<'a> {
        let mut by_kind = HashMap::new();
        for h in hosts {
            for f in &h.findings {
                by_kind.entry(f.id.as_str()).or_insert(f);
            }
        }
        Texts { lang, by_kind }
    }

    fn entry(&self, f: &FindingRow, host: Option<&HostReport>) -> FindingEntry {
        let own = host.and_then(|h| {
            h.findings
                .iter()
                .find(|x| x.id == f.finding && x.port == f.port)
                .or_else(|| h.findings.iter().find(|x| x.id == f.finding))
        });
        let any = own.or_else(|| self.by_kind.get(f.finding.as_str()).copied());
        FindingEntry {
            id: f.id,
            kind: f.finding.clone(),
            severity: f.severity.clone(),
            state: f.state.as_str().to_string(),
            port: f.port,
            title: any
                .and_then(|x| text(&x.title, self.lang))
                .unwrap_or_else(|| f.finding.clone()),
            remediation: any
                .and_then(|x| text(&x.remediation, self.lang))
                .unwrap_or_default(),
            evidence: own
                .map(|x| evidence_for_report(&x.evidence))
                .unwrap_or_default(),
            first_seen: f.first_seen.clone(),
            last_seen: f.last_seen.clone(),
            accepted_reason: f.accepted_reason.clone(),
            accepted_until: f.accepted_until.clone(),
        }
    }
}

fn clauses_failed(h: &HostReport, lang: Lang) -> Vec<ClauseEntry> {
    h.baseline
        .iter()
        .filter(|c| c.verdict == ClauseStatus::Fail)
        .map(|c| ClauseEntry {
            clause: c.clause.clone(),
            standard: c.standard.clone(),
            reference: c.reference.clone(),
            title: match lang {
                Lang::Vi => c.title_vi.clone(),
                Lang::En => c.title_en.clone(),
            },
        })
        .collect()
}

fn severity_counts(findings: &[FindingEntry]) -> Vec<SeverityCount> {
    SEVERITIES
        .iter()
        .map(|s| {
            let of = |state: &str| {
                findings
                    .iter()
                    .filter(|f| f.severity == *s && f.state == state)
                    .count() as u64
            };
            SeverityCount {
                severity: (*s).to_string(),
                open: of("open"),
                accepted: of("accepted"),
                fixed: of("fixed"),
            }
        })
        .collect()
}

/// The catalogue's and the inventory's word on a camera: `warned` (its model is on a warning
/// list), `certified` (a conformity certificate is recorded), else `uncertified` (as the
/// status's `cameras-certified` duty counts them).
fn certification(cat: &Catalogue, c: &CameraRow) -> (&'static str, String) {
    certified_or_not(warning(cat, c), c)
}

/// The document of the catalogue's warning against the camera's model, if it warns.
fn warning(cat: &Catalogue, c: &CameraRow) -> Option<String> {
    match cat.check(&c.record.vendor, &c.record.model) {
        CatalogueVerdict::Warned(e) => Some(e.document.clone().unwrap_or_default()),
        _ => None,
    }
}

/// [`certification`] with the catalogue's answer remembered per vendor and model as written
/// (a province's 100,000 cameras are a few hundred models; normalising each name is most of
/// the cost of checking).
#[derive(Default)]
struct Verdicts(HashMap<(String, String), Option<String>>);

impl Verdicts {
    fn certification(&mut self, cat: &Catalogue, c: &CameraRow) -> (&'static str, String) {
        let key = (c.record.vendor.clone(), c.record.model.clone());
        let warned = self.0.entry(key).or_insert_with(|| warning(cat, c)).clone();
        certified_or_not(warned, c)
    }
}

/// A vendor as the provincial report names it: the knowledge base's name for a maker it knows
/// (so that "HIKVISION", "hikvision" and "Hik Vision" written in inventories are one row),
/// else the name as first written; `?` when none was written (or for a host not in the
/// inventory).
struct VendorNames<'a> {
    kb: &'a [camguard_kb::Vendor],
    /// By name as written.
    seen: HashMap<String, String>,
    /// The first name written for each key outside the knowledge base.
    unknown: HashMap<String, String>,
}

impl<'a> VendorNames<'a> {
    fn new(kb: &'a [camguard_kb::Vendor]) -> VendorNames<'a> {
        VendorNames {
            kb,
            seen: HashMap::new(),
            unknown: HashMap::new(),
        }
    }

    fn of(&mut self, written: &str) -> String {
        if let Some(n) = self.seen.get(written) {
            return n.clone();
        }
        let trimmed = written.trim();
        let name = if trimmed.is_empty() {
            "?".to_string()
        } else {
            let key = camguard_registry::catalogue::vendor_key(trimmed, self.kb);
            match self.kb.iter().find(|v| v.id == key) {
                Some(v) => v.name.clone(),
                None => self
                    .unknown
                    .entry(key)
                    .or_insert_with(|| trimmed.to_string())
                    .clone(),
            }
        };
        self.seen.insert(written.to_string(), name.clone());
        name
    }
}

/// `warned` with the warning's document when the catalogue warns against the model.
fn certified_or_not(warned: Option<String>, c: &CameraRow) -> (&'static str, String) {
    if let Some(doc) = warned {
        return ("warned", doc);
    }
    match c
        .record
        .cert_conformity
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        Some(doc) => ("certified", doc.to_string()),
        None => ("uncertified", String::new()),
    }
}

async fn catalogue(store: &Store, kb: &camguard_kb::Kb) -> Result<Catalogue, ReportError> {
    Ok(Catalogue::new(
        store
            .catalogue()
            .await?
            .into_iter()
            .map(|r| r.entry)
            .collect(),
        &kb.vendors,
    ))
}

fn find_status<'a>(units: &'a [UnitStatus], code: &str) -> Option<&'a UnitStatus> {
    for u in units {
        if u.org == code {
            return Some(u);
        }
        if let Some(f) = find_status(&u.children, code) {
            return Some(f);
        }
    }
    None
}

/// The status's language for the report's.
fn status_lang(lang: Lang) -> camguard_registry::message::Lang {
    match lang {
        Lang::Vi => camguard_registry::message::Lang::Vi,
        Lang::En => camguard_registry::message::Lang::En,
    }
}

fn duty_cell(d: &DutyStatus, today: time::Date, lang: Lang) -> DutyCell {
    let state = d.state.as_str().to_string();
    let days_late = match (state.as_str(), d.due.as_deref().and_then(parse_day)) {
        ("overdue" | "failing" | "missing", Some(due)) if today > due => {
            Some((today - due).whole_days())
        }
        _ => None,
    };
    DutyCell {
        duty: d.duty.clone(),
        state,
        due: d.due.clone(),
        days_late,
        detail: d.detail_in(status_lang(lang)),
    }
}

fn camera_entry(c: &CameraRow, cat: &Catalogue) -> CameraEntry {
    let (cert, doc) = certification(cat, c);
    let r = &c.record;
    CameraEntry {
        id: Some(c.id),
        org: r.org.clone(),
        system: r.system.clone(),
        ip: r.ip.map(|i| i.to_string()).unwrap_or_default(),
        vendor: r.vendor.clone(),
        model: r.model.clone(),
        firmware: r.firmware.clone().unwrap_or_default(),
        serial: r.serial.clone().unwrap_or_default(),
        location: r.location.clone().unwrap_or_default(),
        catalogue: cert.to_string(),
        catalogue_document: doc,
        verdict: None,
        findings: Vec::new(),
        clauses_failed: Vec::new(),
    }
}

fn host_entry(org: &str, h: &HostReport, cat: &Catalogue) -> CameraEntry {
    let vendor = h.vendor.clone().unwrap_or_default();
    let model = h.model.clone().unwrap_or_default();
    let (catalogue, doc) = match cat.check(&vendor, &model) {
        CatalogueVerdict::Warned(e) => ("warned", e.document.clone()),
        CatalogueVerdict::Certified(e) => {
            ("certified", e.document.clone().or(e.certificate.clone()))
        }
        CatalogueVerdict::Unknown => ("uncertified", None),
    };
    CameraEntry {
        id: None,
        org: org.to_string(),
        system: None,
        ip: h.ip.to_string(),
        vendor,
        model,
        firmware: h.firmware.clone().unwrap_or_default(),
        serial: h.serial.clone().unwrap_or_default(),
        location: String::new(),
        catalogue: catalogue.to_string(),
        catalogue_document: doc.unwrap_or_default(),
        verdict: h.verdict.clone(),
        findings: Vec::new(),
        clauses_failed: Vec::new(),
    }
}

/// The unit's assessment report: every camera of `code`'s subtree (within `reach`) with its
/// live findings (open, accepted, fixed awaiting verification), the baseline clauses it failed
/// and the remediation, from the newest complete scan of each unit; the unit's own duties
/// from `status` (the caller's computed status tree; may be empty).
pub async fn gather_unit(
    store: &Store,
    kb: &camguard_kb::Kb,
    reach: &Reach,
    code: &str,
    status: &[UnitStatus],
    opts: &DocOptions,
) -> Result<Report, ReportError> {
    let org = store.org_in(reach, code).await?;
    let parent = parent_name(store, reach, &org).await?;
    let cat = catalogue(store, kb).await?;
    let cameras = all_cameras(store, reach, &org.code).await?;
    let findings = live_findings(store, reach, &org.code).await?;
    let scans = latest_scans(store, reach, &org.code).await?;
    let mut hosts: Vec<(String, HostReport)> = Vec::new();
    for s in &scans {
        for h in store.scan_hosts(s.id).await? {
            hosts.push((s.org.clone(), h));
        }
    }
    let texts = Texts::new(hosts.iter().map(|(_, h)| h), opts.lang);
    let by_address: HashMap<(String, String), &HostReport> = hosts
        .iter()
        .map(|(o, h)| ((o.clone(), h.ip.to_string()), h))
        .collect();
    let host_of = |org: &str, ip: &str| by_address.get(&(org.to_string(), ip.to_string())).copied();

    let mut entries: Vec<CameraEntry> = Vec::with_capacity(cameras.len());
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut registered_ips: BTreeSet<(String, String)> = BTreeSet::new();
    for c in &cameras {
        let mut e = camera_entry(c, &cat);
        if let Some(h) = host_of(&e.org, &e.ip) {
            e.verdict.clone_from(&h.verdict);
            e.clauses_failed = clauses_failed(h, opts.lang);
        }
        registered_ips.insert((e.org.clone(), e.ip.clone()));
        index.insert(c.id, entries.len());
        entries.push(e);
    }
    // Cameras found by the scans and not registered.
    let mut unregistered: HashMap<(String, String), usize> = HashMap::new();
    for (o, h) in &hosts {
        let key = (o.clone(), h.ip.to_string());
        let is_camera = h.is_camera || !h.findings.is_empty();
        if is_camera && !registered_ips.contains(&key) && !unregistered.contains_key(&key) {
            let mut e = host_entry(o, h, &cat);
            e.clauses_failed = clauses_failed(h, opts.lang);
            unregistered.insert(key, entries.len());
            entries.push(e);
        }
    }
    for f in &findings {
        let slot = match f.camera_id.and_then(|id| index.get(&id)) {
            Some(i) => Some(*i),
            None => unregistered.get(&(f.org.clone(), f.ip.clone())).copied(),
        };
        let Some(i) = slot else {
            // A finding on a host that is neither registered nor in the newest scans.
            let mut e = CameraEntry {
                org: f.org.clone(),
                ip: f.ip.clone(),
                catalogue: "uncertified".into(),
                ..Default::default()
            };
            e.findings.push(texts.entry(f, host_of(&f.org, &f.ip)));
            unregistered.insert((f.org.clone(), f.ip.clone()), entries.len());
            entries.push(e);
            continue;
        };
        let host = host_of(&entries[i].org, &entries[i].ip);
        let entry = texts.entry(f, host);
        entries[i].findings.push(entry);
    }
    let all: Vec<FindingEntry> = entries.iter().flat_map(|e| e.findings.clone()).collect();
    let duties = find_status(status, &org.code)
        .map(|u| {
            u.duties
                .iter()
                .map(|d| duty_cell(d, opts.date, opts.lang))
                .collect()
        })
        .unwrap_or_default();
    Ok(Report::Unit(UnitReport {
        head: head(&org, parent.clone(), "BC", opts),
        org: org_ref(&org, parent),
        duties,
        scans: scans.iter().map(scan_ref).collect(),
        severities: severity_counts(&all),
        cameras: entries,
    }))
}

/// The provincial report on carrying out Directive 23/CT-TTg for `code`'s subtree within
/// `reach`: every unit's duties (from `status`, the caller's computed status tree), late
/// units with days late, findings by severity and by vendor, cameras uncertified or warned,
/// and what changed since `previous` (the previous report's model, e.g. its JSON kept by the
/// caller; `None` for a first report).
pub async fn gather_province(
    store: &Store,
    kb: &camguard_kb::Kb,
    reach: &Reach,
    code: &str,
    status: &[UnitStatus],
    previous: Option<&ProvinceReport>,
    opts: &DocOptions,
) -> Result<Report, ReportError> {
    let org = store.org_in(reach, code).await?;
    let parent = parent_name(store, reach, &org).await?;
    let cat = catalogue(store, kb).await?;
    let visible: BTreeSet<String> = store
        .org_names_in(reach)
        .await?
        .into_iter()
        .map(|o| o.0)
        .collect();

    // Units, parents before children, from the status tree.
    let mut units: Vec<UnitRow> = Vec::new();
    let mut duty_ids: Vec<String> = DUTIES.iter().map(|d| (*d).to_string()).collect();
    fn walk(
        u: &UnitStatus,
        parent: Option<&str>,
        depth: usize,
        visible: &BTreeSet<String>,
        opts: &DocOptions,
        out: &mut Vec<UnitRow>,
        duty_ids: &mut Vec<String>,
    ) {
        if visible.contains(&u.org) {
            for d in &u.duties {
                if !duty_ids.contains(&d.duty) {
                    duty_ids.push(d.duty.clone());
                }
            }
            out.push(UnitRow {
                code: u.org.clone(),
                name: u.name.clone(),
                parent: parent.map(str::to_string),
                depth,
                duties: u
                    .duties
                    .iter()
                    .map(|d| duty_cell(d, opts.date, opts.lang))
                    .collect(),
                problems: u.problems,
                cameras: 0,
                open_findings: 0,
            });
        }
        for c in &u.children {
            walk(c, Some(&u.org), depth + 1, visible, opts, out, duty_ids);
        }
    }
    if let Some(root) = find_status(status, &org.code) {
        walk(root, None, 0, &visible, opts, &mut units, &mut duty_ids);
    }
    let row_of: HashMap<String, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.clone(), i))
        .collect();

    let mut late: Vec<LateEntry> = units
        .iter()
        .flat_map(|u| {
            u.duties
                .iter()
                .filter(|d| matches!(d.state.as_str(), "overdue" | "late") || d.days_late.is_some())
                .map(|d| LateEntry {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    duty: d.duty.clone(),
                    state: d.state.clone(),
                    due: d.due.clone(),
                    days_late: d.days_late,
                    detail: d.detail.clone(),
                })
        })
        .collect();
    late.sort_by(|a, b| {
        b.days_late
            .unwrap_or(0)
            .cmp(&a.days_late.unwrap_or(0))
            .then_with(|| a.code.cmp(&b.code))
    });

    // Cameras: by vendor, flagged.
    let cameras = all_cameras(store, reach, &org.code).await?;
    let mut vendors: BTreeMap<String, VendorRow> = BTreeMap::new();
    let mut verdicts = Verdicts::default();
    let mut names = VendorNames::new(&kb.vendors);
    let mut flagged = Vec::new();
    let mut models: BTreeMap<(String, String, String), (FlaggedModel, BTreeSet<String>)> =
        BTreeMap::new();
    for c in &cameras {
        let vendor = names.of(&c.record.vendor);
        let v = vendors.entry(vendor.clone()).or_insert_with(|| VendorRow {
            vendor: vendor.clone(),
            ..Default::default()
        });
        v.cameras += 1;
        if let Some(&i) = row_of.get(&c.record.org) {
            units[i].cameras += 1;
        }
        let (cert, doc) = verdicts.certification(&cat, c);
        if cert == "certified" {
            continue;
        }
        if cert == "warned" {
            v.warned += 1;
        } else {
            v.uncertified += 1;
        }
        let model = c.record.model.clone();
        let m = models
            .entry((vendor.clone(), model.clone(), cert.to_string()))
            .or_insert_with(|| {
                (
                    FlaggedModel {
                        vendor: vendor.clone(),
                        model: model.clone(),
                        flag: cert.to_string(),
                        document: doc.clone(),
                        ..Default::default()
                    },
                    BTreeSet::new(),
                )
            });
        m.0.cameras += 1;
        m.1.insert(c.record.org.clone());
        flagged.push(FlaggedCamera {
            org: c.record.org.clone(),
            ip: c.record.ip.map(|i| i.to_string()).unwrap_or_default(),
            vendor,
            model,
            serial: c.record.serial.clone().unwrap_or_default(),
            flag: cert.to_string(),
            document: doc,
        });
    }
    let mut flagged_models: Vec<FlaggedModel> = models
        .into_values()
        .map(|(mut m, units)| {
            m.units = units.len() as u64;
            m
        })
        .collect();
    flagged_models.sort_by(|a, b| {
        (b.flag == "warned")
            .cmp(&(a.flag == "warned"))
            .then(b.cameras.cmp(&a.cameras))
            .then_with(|| (&a.vendor, &a.model).cmp(&(&b.vendor, &b.model)))
    });

    // Findings: by severity and vendor, counted in the store (a province holds a million).
    let tally = store.finding_tally_in(reach, Some(&org.code)).await?;
    let mut counts: BTreeMap<&str, SeverityCount> = SEVERITIES
        .iter()
        .map(|s| {
            (
                *s,
                SeverityCount {
                    severity: (*s).to_string(),
                    ..Default::default()
                },
            )
        })
        .collect();
    for t in &tally {
        if let Some(c) = counts.get_mut(t.severity.as_str()) {
            match t.state {
                FindingState::Open => c.open += t.count,
                FindingState::Accepted => c.accepted += t.count,
                FindingState::Fixed => c.fixed += t.count,
                FindingState::Verified => {}
            }
        }
        if t.state != FindingState::Open {
            continue;
        }
        if let Some(&i) = row_of.get(&t.org) {
            units[i].open_findings += t.count;
        }
        let vendor = names.of(t.vendor.as_deref().unwrap_or(""));
        let v = vendors.entry(vendor.clone()).or_insert_with(|| VendorRow {
            vendor,
            ..Default::default()
        });
        v.findings_open += t.count;
        match t.severity.as_str() {
            "critical" => v.critical += t.count,
            "high" => v.high += t.count,
            _ => {}
        }
    }
    let severities: Vec<SeverityCount> =
        SEVERITIES.iter().filter_map(|s| counts.remove(s)).collect();
    let mut vendors: Vec<VendorRow> = vendors.into_values().collect();
    vendors.sort_by(|a, b| {
        b.cameras
            .cmp(&a.cameras)
            .then_with(|| a.vendor.cmp(&b.vendor))
    });

    let mut report = ProvinceReport {
        head: head(&org, parent.clone(), "BC", opts),
        org: org_ref(&org, parent),
        duty_ids,
        units,
        late,
        severities,
        vendors,
        flagged_models,
        flagged,
        cameras: cameras.len() as u64,
        changes: None,
    };
    report.changes = previous.map(|p| changes(p, &report));
    Ok(Report::Province(report))
}

/// What changed between two provincial reports.
pub fn changes(previous: &ProvinceReport, now: &ProvinceReport) -> Changes {
    let late_units = |r: &ProvinceReport| -> BTreeSet<String> {
        r.late.iter().map(|l| l.code.clone()).collect()
    };
    let (then_late, now_late) = (late_units(previous), late_units(now));
    let name = |code: &String, r: &ProvinceReport| {
        r.units
            .iter()
            .find(|u| &u.code == code)
            .map_or_else(|| code.clone(), |u| format!("{} ({code})", u.name))
    };
    let then_units: BTreeSet<&String> = previous.units.iter().map(|u| &u.code).collect();
    let open = |r: &ProvinceReport, s: &str| {
        r.severities
            .iter()
            .find(|c| c.severity == s)
            .map_or(0, |c| c.open)
    };
    Changes {
        previous_number: previous.head.number.trim().to_string(),
        previous_date: previous.head.date.clone(),
        newly_late: now_late
            .difference(&then_late)
            .map(|c| name(c, now))
            .collect(),
        no_longer_late: then_late
            .difference(&now_late)
            .map(|c| name(c, previous))
            .collect(),
        units_added: now
            .units
            .iter()
            .filter(|u| !then_units.contains(&u.code))
            .map(|u| format!("{} ({})", u.name, u.code))
            .collect(),
        open_findings: SEVERITIES
            .iter()
            .map(|s| ((*s).to_string(), open(previous, s), open(now, s)))
            .collect(),
        flagged_then: previous.flagged.len() as u64,
        flagged_now: now.flagged.len() as u64,
        cameras_then: previous.cameras,
        cameras_now: now.cameras,
    }
}

/// The pre-purchase / pre-operation assessment record of one site: the scan `scan` (else the
/// newest complete scan of `code` itself, else of its subtree), each host assessed with its
/// catalogue verdict, findings, baseline verdicts and a conclusion.
pub async fn gather_site(
    store: &Store,
    kb: &camguard_kb::Kb,
    reach: &Reach,
    code: &str,
    scan: Option<i64>,
    opts: &DocOptions,
) -> Result<Report, ReportError> {
    let org = store.org_in(reach, code).await?;
    let parent = parent_name(store, reach, &org).await?;
    let cat = catalogue(store, kb).await?;
    let scan = if let Some(id) = scan {
        let s = store.scan_in(reach, id).await?;
        let below: BTreeSet<String> = all_org_codes(store, reach, &org.code).await?;
        if !below.contains(&s.org) {
            return Err(ReportError::Empty(format!(
                "scan {id} is not a scan of {} or a unit below it",
                org.code
            )));
        }
        s
    } else {
        let latest = latest_scans(store, reach, &org.code).await?;
        let own = latest.iter().find(|s| s.org == org.code).cloned();
        let Some(s) = own.or_else(|| latest.into_iter().max_by_key(|s| s.id)) else {
            return Err(ReportError::Empty(format!(
                "no complete scan of {} is stored (camguard scan --org {} --save)",
                org.code, org.code
            )));
        };
        s
    };
    let hosts = store.scan_hosts(scan.id).await?;
    let cameras = all_cameras(store, reach, &scan.org).await?;
    let registered: BTreeSet<String> = cameras
        .iter()
        .filter_map(|c| c.record.ip.map(|i| i.to_string()))
        .collect();
    let texts = Texts::new(hosts.iter(), opts.lang);
    let mut out = Vec::new();
    let mut all = Vec::new();
    for h in hosts
        .iter()
        .filter(|h| h.is_camera || !h.findings.is_empty())
    {
        let mut camera = host_entry(&scan.org, h, &cat);
        for (i, f) in h.findings.iter().enumerate() {
            let row = FindingRow {
                id: i as i64 + 1,
                org: scan.org.clone(),
                subject: h.ip.to_string(),
                camera_id: None,
                ip: h.ip.to_string(),
                finding: f.id.clone(),
                port: f.port,
                severity: f.severity.as_str().to_string(),
                state: FindingState::Open,
                first_seen: h.scanned_at.clone(),
                last_seen: h.scanned_at.clone(),
                first_scan: scan.id,
                last_scan: scan.id,
                fixed_on: None,
                verified_scan: None,
                accepted_reason: None,
                accepted_until: None,
            };
            camera.findings.push(texts.entry(&row, Some(h)));
        }
        camera.clauses_failed = clauses_failed(h, opts.lang);
        let serious = camera
            .findings
            .iter()
            .any(|f| matches!(f.severity.as_str(), "critical" | "high"));
        let pass = camera.catalogue != "warned"
            && !serious
            && !h.baseline.iter().any(|c| c.verdict == ClauseStatus::Fail);
        all.extend(camera.findings.clone());
        out.push(SiteHost {
            registered: registered.contains(&h.ip.to_string()),
            open_ports: h
                .open_ports
                .iter()
                .map(|p| format!("{}/{}", p.port, p.service))
                .collect(),
            baseline: h
                .baseline
                .iter()
                .map(|c| {
                    (
                        format!("{} {}", c.standard, c.reference),
                        match opts.lang {
                            Lang::Vi => c.title_vi.clone(),
                            Lang::En => c.title_en.clone(),
                        },
                        c.verdict.as_str().to_string(),
                    )
                })
                .collect(),
            conclusion: if pass { "pass" } else { "fail" }.to_string(),
            camera,
        });
    }
    let conclusion = if out.iter().all(|h| h.conclusion == "pass") {
        "pass"
    } else {
        "fail"
    };
    Ok(Report::Site(SiteReport {
        head: head(&org, parent.clone(), "BB", opts),
        org: org_ref(&org, parent),
        targets: scan.targets.clone(),
        scan: scan_ref(&scan),
        hosts: out,
        severities: severity_counts(&all),
        conclusion: conclusion.to_string(),
    }))
}

async fn all_org_codes(
    store: &Store,
    reach: &Reach,
    code: &str,
) -> Result<BTreeSet<String>, ReportError> {
    // The subtree: every organisation in reach whose chain of parents reaches `code`.
    let orgs = store.orgs_in(reach).await?;
    let parent: HashMap<&str, Option<&str>> = orgs
        .iter()
        .map(|o| (o.code.as_str(), o.parent.as_deref()))
        .collect();
    Ok(orgs
        .iter()
        .filter(|o| {
            let mut cur = Some(o.code.as_str());
            let mut steps = 0;
            while let Some(c) = cur {
                if c == code {
                    return true;
                }
                steps += 1;
                if steps > orgs.len() {
                    return false;
                }
                cur = parent.get(c).copied().flatten();
            }
            false
        })
        .map(|o| o.code.clone())
        .collect())
}

#[cfg(test)]
mod vendor_name_tests {
    use super::VendorNames;

    #[test]
    fn a_known_maker_is_one_row_whatever_its_spelling() {
        let kb = camguard_kb::Kb::embedded().unwrap();
        let mut names = VendorNames::new(&kb.vendors);
        for written in ["HIKVISION", "hikvision", "Hik Vision", " Hikvision "] {
            assert_eq!(names.of(written), "Hikvision", "{written}");
        }
        // A brand sold on a maker's platform is counted with the maker.
        assert_eq!(names.of("KBVision"), "Dahua");
        // A maker the knowledge base does not know keeps the name first written for it.
        assert_eq!(names.of("Acme Cam"), "Acme Cam");
        assert_eq!(names.of("ACME CAM"), "Acme Cam");
        assert_eq!(names.of(""), "?");
        assert_eq!(names.of("   "), "?");
    }
}
