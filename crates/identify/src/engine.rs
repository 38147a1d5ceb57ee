//! The rule engine: matching, evidence combination and the decisions.

use crate::cpe::cpe_for;
use camguard_kb::fingerprint::DERIVED_MODEL_KEY;
use camguard_kb::{FingerprintRule, Kb};
use camguard_model::{Conclusion, DeviceType, Identification, Observation, keys};
use std::collections::{HashMap, HashSet};

/// Values longer than this are matched on their first bytes only.
pub const MAX_MATCH_BYTES: usize = 256 * 1024;
/// Camera evidence (combined, 0–100) needed to call a host a camera.
pub const CAMERA_THRESHOLD: f64 = 50.0;
/// Vendor evidence (combined, 0–100) needed to name a vendor.
pub const VENDOR_THRESHOLD: f64 = 35.0;
/// The vendor id used when a device speaks ONVIF but no maker is recognised.
pub const GENERIC_ONVIF: &str = "generic-onvif";

/// Model strings that name no model.
const PLACEHOLDER_MODELS: &[&str] = &[
    "unknown",
    "n/a",
    "na",
    "none",
    "null",
    "-",
    "model",
    "ipc",
    "ipcam",
    "ip camera",
    "camera",
    "nvr",
    "dvr",
    "device",
    "onvif",
];

/// One observation as the engine sees it (synthesised ones included).
#[derive(Clone, Copy)]
struct Obs<'a> {
    port: u16,
    key: &'a str,
    value: &'a str,
}

/// One rule that fired on one observation.
#[derive(Clone)]
struct Hit {
    rule: usize,
    /// Index into the observation list, `None` for the engine-made `derived.model`.
    obs: Option<usize>,
    port: u16,
    key: String,
    excerpt: String,
    model: Option<String>,
    firmware: Option<String>,
    brand: Option<String>,
    /// The maker a maker set's rule matched ([`camguard_kb::fingerprint::maker_key`]).
    maker: Option<String>,
}

/// A compiled view of a knowledge base's fingerprint rules, indexed by key.
///
/// Building one costs a pass over the rules; [`crate::identify`] builds one per call, a caller
/// identifying many hosts can keep one.
pub struct Identifier<'k> {
    kb: &'k Kb,
    rules: &'k [FingerprintRule],
    /// Exact key → rules (first phase).
    exact: HashMap<&'k str, Vec<usize>>,
    /// Glob-key rules (first phase).
    globs: Vec<usize>,
    /// `if_vendor` rules on observation keys (second phase).
    second: Vec<usize>,
    /// Rules on `derived.model`.
    derived: Vec<usize>,
    /// Brand (lower case) → vendor id.
    brands: HashMap<String, &'k str>,
}

impl<'k> Identifier<'k> {
    pub fn new(kb: &'k Kb) -> Self {
        let rules = kb.fingerprints.as_slice();
        let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
        let (mut globs, mut second, mut derived) = (Vec::new(), Vec::new(), Vec::new());
        for (i, r) in rules.iter().enumerate() {
            if r.raw.key == DERIVED_MODEL_KEY {
                derived.push(i);
            } else if r.raw.if_vendor.is_some() {
                second.push(i);
            } else if r.is_prefix() {
                globs.push(i);
            } else {
                exact.entry(r.raw.key.as_str()).or_default().push(i);
            }
        }
        let mut brands = HashMap::new();
        for v in &kb.vendors {
            for b in &v.brands {
                brands
                    .entry(b.to_ascii_lowercase())
                    .or_insert(v.id.as_str());
            }
        }
        Identifier {
            kb,
            rules,
            exact,
            globs,
            second,
            derived,
            brands,
        }
    }

    /// The vendor a hit points to: the maker set's vendor for the maker it matched, else the
    /// rule's.
    fn hit_vendor(&self, r: &FingerprintRule, h: &Hit) -> Option<&'k str> {
        if let (Some(table), Some(m)) = (&r.raw.makers, &h.maker) {
            return table
                .get(m)
                .and_then(|v| self.kb.vendor(v))
                .map(|v| v.id.as_str());
        }
        self.rule_vendor(r, h.brand.as_deref())
    }

    /// The vendor a rule points to: its `vendor`, else the vendor listing its `brand`.
    fn rule_vendor(&self, r: &FingerprintRule, brand: Option<&str>) -> Option<&'k str> {
        if let Some(v) = &r.raw.vendor {
            return self.kb.vendor(v).map(|v| v.id.as_str());
        }
        brand.and_then(|b| self.brands.get(&b.to_ascii_lowercase()).copied())
    }

    pub fn identify(&self, observations: &[Observation], open_tcp_ports: &[u16]) -> Identification {
        // Open ports, from the caller and from `port.open` observations, become one normalised
        // `port.open` observation each (value = the port number).
        let mut open: Vec<u16> = open_tcp_ports.to_vec();
        open.extend(
            observations
                .iter()
                .filter(|o| o.key == keys::PORT_OPEN && o.port != 0)
                .map(|o| o.port),
        );
        open.sort_unstable();
        open.dedup();
        let port_values: Vec<String> = open.iter().map(std::string::ToString::to_string).collect();
        let mut obs: Vec<Obs> = observations
            .iter()
            .filter(|o| o.key != keys::PORT_OPEN)
            .map(|o| Obs {
                port: o.port,
                key: o.key.as_str(),
                value: clip(&o.value),
            })
            .collect();
        obs.extend(open.iter().zip(&port_values).map(|(p, v)| Obs {
            port: *p,
            key: keys::PORT_OPEN,
            value: v.as_str(),
        }));
        let seen: HashSet<(u16, &str)> = obs.iter().map(|o| (o.port, o.key)).collect();

        // Phase 1: every rule that does not depend on the vendor choice.
        let mut hits = Vec::new();
        for (i, o) in obs.iter().enumerate() {
            let exact = self.exact.get(o.key).map_or(&[][..], Vec::as_slice);
            for &ri in exact.iter().chain(self.globs.iter()) {
                if let Some(h) = self.try_rule(ri, Some(i), o, &seen) {
                    hits.push(h);
                }
            }
            // The word lists and makers match whole words; firmware glues them in CamelCase
            // (`MegapixelIPCamera`, `WirelessNVR`), so they also read a spaced copy. The
            // evidence quotes what the device sent, not the copy.
            if CAMEL_KEYS.iter().any(|k| key_matches(k, o.key))
                && let Some((spaced, inserted)) = camel_spaced(o.value)
            {
                // A place in the copy, as a place in what the device sent.
                let at = |p: usize| p - inserted.iter().filter(|&&q| q < p).count();
                let o2 = Obs {
                    value: &spaced,
                    ..*o
                };
                for &ri in exact.iter().chain(self.globs.iter()) {
                    if self.rules[ri].file.starts_with("identify/")
                        && let Some(mut h) = self.try_rule(ri, Some(i), &o2, &seen)
                    {
                        if let Some(m) = self.rules[ri].regex.find(&spaced) {
                            h.excerpt = excerpt(o.value, at(m.start()), at(m.end()));
                        }
                        hits.push(h);
                    }
                }
            }
        }
        let hits = apply_requires(self.rules, hits, &HashSet::new());
        let hits = best_per_rule(hits);

        // Vendor scores.
        let mut per_vendor: HashMap<&str, Vec<(u8, bool)>> = HashMap::new();
        for h in &hits {
            let r = &self.rules[h.rule];
            if r.raw.camera == Some(false) {
                continue;
            }
            if let Some(v) = self.hit_vendor(r, h) {
                per_vendor
                    .entry(v)
                    .or_default()
                    .push((r.raw.weight, h.key == keys::PORT_OPEN));
            }
        }
        let mut scored: Vec<(&str, f64, u8)> = per_vendor
            .iter()
            .filter(|(_, ws)| ws.iter().any(|(_, port_only)| !port_only))
            .map(|(v, ws)| {
                (
                    *v,
                    noisy_or(ws.iter().map(|(w, _)| *w)),
                    ws.iter().map(|(w, _)| *w).max().unwrap_or(0),
                )
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
        let real: Vec<&(&str, f64, u8)> = scored.iter().filter(|s| s.0 != GENERIC_ONVIF).collect();
        let generic = scored
            .iter()
            .find(|s| s.0 == GENERIC_ONVIF)
            .map_or(0.0, |s| s.1);
        let (mut vendor, vendor_score, runner_up): (Option<&str>, f64, f64) = match real.first() {
            Some(best) if best.1 >= VENDOR_THRESHOLD => {
                (Some(best.0), best.1, real.get(1).map_or(0.0, |s| s.1))
            }
            _ if generic >= VENDOR_THRESHOLD => (Some(GENERIC_ONVIF), generic, 0.0),
            _ => (None, 0.0, 0.0),
        };

        // Camera evidence.
        // Only rules that say `camera = true` are camera evidence: vendor hints without it
        // (titles, copyright lines, model prefixes) name a maker but cannot make a camera, so a
        // shop page about Hikvision stays a web server.
        // Port-level evidence (an open SDK port, the SDK's reply) counts only next to a camera
        // sign of another kind.
        let pos_hits: Vec<&Hit> = hits
            .iter()
            .filter(|h| self.rules[h.rule].raw.camera == Some(true))
            .collect();
        let has_real_sign = pos_hits.iter().any(|h| !is_port_level(&h.key));
        // Rules of one evidence group count once, at the strongest.
        let mut grouped: HashMap<&str, u8> = HashMap::new();
        let mut pos_weights = Vec::new();
        for h in pos_hits
            .iter()
            .filter(|h| has_real_sign || !is_port_level(&h.key))
        {
            let r = &self.rules[h.rule].raw;
            match &r.group {
                Some(g) => {
                    let w = grouped.entry(g.as_str()).or_default();
                    *w = (*w).max(r.weight);
                }
                None => pos_weights.push(r.weight),
            }
        }
        pos_weights.extend(grouped.into_values());
        let camera_score = noisy_or(pos_weights);
        let neg_hits: Vec<&Hit> = hits
            .iter()
            .filter(|h| self.rules[h.rule].raw.camera == Some(false))
            .collect();
        let decoy_score = noisy_or(neg_hits.iter().map(|h| self.rules[h.rule].raw.weight));
        let is_camera = camera_score >= CAMERA_THRESHOLD && camera_score > decoy_score;
        if !is_camera {
            vendor = None;
        }

        let mut id = Identification {
            is_camera,
            ..Default::default()
        };
        let mut evidence: Vec<Conclusion> = Vec::new();
        let mut push = |field: &str, value: &str, h: &Hit, rules: &[FingerprintRule]| {
            let c = Conclusion {
                field: field.to_string(),
                value: value.to_string(),
                rule: rules[h.rule].raw.id.clone(),
                port: h.port,
                source: h.key.clone(),
                excerpt: h.excerpt.clone(),
                weight: rules[h.rule].raw.weight,
            };
            if !evidence
                .iter()
                .any(|e| e.field == c.field && e.rule == c.rule)
            {
                evidence.push(c);
            }
        };

        // is_camera evidence.
        let (camera_value, camera_hits) = if is_camera {
            ("true", &pos_hits)
        } else {
            ("false", &neg_hits)
        };
        for h in camera_hits {
            if is_camera && !has_real_sign && is_port_level(&h.key) {
                continue;
            }
            push("is_camera", camera_value, h, self.rules);
        }

        let Some(vendor_id) = vendor else {
            id.device_type = if is_camera {
                DeviceType::Camera
            } else {
                DeviceType::Other
            };
            id.confidence = if is_camera {
                to_u8(camera_score)
            } else {
                to_u8(decoy_score)
            };
            if is_camera {
                // An unknown camera: keep what generic (vendor-less) rules extracted.
                self.fill_details(None, &hits, &obs, &seen, &mut id, &mut push);
            }
            evidence.sort_by(|a, b| {
                field_rank(&a.field)
                    .cmp(&field_rank(&b.field))
                    .then(b.weight.cmp(&a.weight))
            });
            id.evidence = evidence;
            return id;
        };

        id.vendor = Some(vendor_id.to_string());
        for h in &hits {
            let r = &self.rules[h.rule];
            if r.raw.camera != Some(false) && self.hit_vendor(r, h) == Some(vendor_id) {
                push("vendor", vendor_id, h, self.rules);
            }
        }
        id.confidence = to_u8(vendor_score - runner_up / 2.0);
        self.fill_details(Some(vendor_id), &hits, &obs, &seen, &mut id, &mut push);
        evidence.sort_by(|a, b| {
            field_rank(&a.field)
                .cmp(&field_rank(&b.field))
                .then(b.weight.cmp(&a.weight))
        });
        id.evidence = evidence;
        id
    }

    /// Brand, model, firmware, device type and CPE from the hits consistent with `vendor`,
    /// plus the second-phase rules.
    fn fill_details(
        &self,
        vendor: Option<&str>,
        hits: &[Hit],
        obs: &[Obs],
        seen: &HashSet<(u16, &str)>,
        id: &mut Identification,
        push: &mut impl FnMut(&str, &str, &Hit, &[FingerprintRule]),
    ) {
        let mut all: Vec<Hit> = hits.to_vec();
        if let Some(v) = vendor {
            // Second phase: `if_vendor` rules on the observations.
            let mut second = Vec::new();
            for (i, o) in obs.iter().enumerate() {
                for &ri in &self.second {
                    let r = &self.rules[ri];
                    if r.raw.if_vendor.as_deref() == Some(v)
                        && let Some(h) = self.try_rule(ri, Some(i), o, seen)
                    {
                        second.push(h);
                    }
                }
            }
            let fired: HashSet<usize> = hits.iter().map(|h| h.rule).collect();
            all.extend(best_per_rule(apply_requires(self.rules, second, &fired)));
        }
        let consistent: Vec<&Hit> = all.iter().filter(|h| self.consistent(h, vendor)).collect();

        // Model: the best-weighted extraction, then refined by `derived.model` rules.
        let mut model_hit: Option<&Hit> = None;
        for h in consistent.iter().filter(|h| h.model.is_some()) {
            if model_hit
                .is_none_or(|m| self.rules[h.rule].raw.weight > self.rules[m.rule].raw.weight)
            {
                model_hit = Some(h);
            }
        }
        let mut derived_hits: Vec<Hit> = Vec::new();
        let mut model: Option<String> = model_hit.and_then(|h| h.model.clone());
        if let Some(m) = model.clone() {
            let fired: HashSet<usize> = all.iter().map(|h| h.rule).collect();
            for &ri in &self.derived {
                let r = &self.rules[ri];
                if r.raw
                    .if_vendor
                    .as_deref()
                    .is_some_and(|iv| Some(iv) != vendor)
                {
                    continue;
                }
                let has = |id: &String| fired.iter().any(|&f| self.rules[f].raw.id == *id);
                if !r.raw.requires.iter().all(has) || r.raw.unless.iter().any(has) {
                    continue;
                }
                let o = Obs {
                    port: 0,
                    key: DERIVED_MODEL_KEY,
                    value: &m,
                };
                if let Some(h) = self.match_rule(ri, None, &o) {
                    derived_hits.push(h);
                }
            }
            let refined = derived_hits
                .iter()
                .filter(|h| h.model.is_some())
                .max_by_key(|h| self.rules[h.rule].raw.weight);
            if let Some(h) = refined {
                model.clone_from(&h.model);
            }
        }
        if let (Some(m), Some(h)) = (&model, model_hit) {
            push("model", m, h, self.rules);
            for d in derived_hits
                .iter()
                .filter(|d| d.model.as_deref() == Some(m.as_str()))
            {
                push("model", m, d, self.rules);
            }
        }
        id.model = model;

        // Firmware.
        let fw_hit = consistent
            .iter()
            .filter(|h| h.firmware.is_some())
            .max_by(|a, b| {
                self.rules[a.rule]
                    .raw
                    .weight
                    .cmp(&self.rules[b.rule].raw.weight)
                    .then(b.obs.cmp(&a.obs))
            });
        if let Some(h) = fw_hit {
            let fw = h.firmware.clone().unwrap_or_default();
            push("firmware", &fw, h, self.rules);
            id.firmware = Some(fw);
        }

        // Brand: only brands the vendor lists (or any brand for a brand-only rule of it).
        let mut brand_best: Option<(&Hit, String)> = None;
        for h in consistent.iter().copied().chain(derived_hits.iter()) {
            let Some(b) = h.brand.as_deref() else {
                continue;
            };
            let b = b.to_ascii_lowercase();
            if vendor.is_some_and(|v| self.brands.get(&b).is_some_and(|bv| *bv != v)) {
                continue;
            }
            if brand_best.as_ref().is_none_or(|(bh, _)| {
                self.rules[h.rule].raw.weight > self.rules[bh.rule].raw.weight
            }) {
                brand_best = Some((h, b));
            }
        }
        if let Some(b) = brand_best.map(|(_, b)| b) {
            for h in consistent.iter().copied().chain(derived_hits.iter()) {
                if h.brand
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&b))
                {
                    push("brand", &b, h, self.rules);
                }
            }
            id.brand = Some(b);
        }

        // Device type: summed weight per type; camera when nothing says otherwise.
        let mut types: HashMap<DeviceType, u32> = HashMap::new();
        for h in consistent.iter().copied().chain(derived_hits.iter()) {
            if let Some(t) = self.rules[h.rule].raw.device_type
                && t != DeviceType::Other
            {
                *types.entry(t).or_default() += u32::from(self.rules[h.rule].raw.weight);
            }
        }
        let best = types
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(type_rank(*b.0).cmp(&type_rank(*a.0))))
            .map(|(t, _)| *t);
        id.device_type = best.unwrap_or(DeviceType::Camera);
        for h in consistent.iter().copied().chain(derived_hits.iter()) {
            if self.rules[h.rule].raw.device_type == Some(id.device_type) {
                push("device_type", id.device_type.as_str(), h, self.rules);
            }
        }

        if let (Some(v), Some(m), Some(f)) = (vendor, &id.model, &id.firmware) {
            id.cpe = cpe_for(self.kb, v, m, f);
        }
    }

    /// Is a hit's extraction usable once `vendor` was chosen?
    fn consistent(&self, h: &Hit, vendor: Option<&str>) -> bool {
        let r = &self.rules[h.rule];
        if r.raw.camera == Some(false) {
            return false;
        }
        if let Some(iv) = &r.raw.if_vendor {
            return Some(iv.as_str()) == vendor;
        }
        match self.hit_vendor(r, h) {
            None => true,
            Some(rv) => Some(rv) == vendor || (rv == GENERIC_ONVIF && vendor.is_some()),
        }
    }

    /// Run rule `ri` on observation `o` with its port / `absent` conditions.
    fn try_rule(
        &self,
        ri: usize,
        obs: Option<usize>,
        o: &Obs,
        seen: &HashSet<(u16, &str)>,
    ) -> Option<Hit> {
        let r = &self.rules[ri];
        if !r.applies_to(o.key) || !r.applies_to_port(o.port) {
            return None;
        }
        if r.raw.absent.iter().any(|k| {
            seen.iter()
                .any(|(p, sk)| *p == o.port && key_matches(k, sk))
        }) {
            return None;
        }
        self.match_rule(ri, obs, o)
    }

    fn match_rule(&self, ri: usize, obs: Option<usize>, o: &Obs) -> Option<Hit> {
        let r = &self.rules[ri];
        if r.raw.model.is_none()
            && r.raw.firmware.is_none()
            && r.raw.brand.is_none()
            && r.raw.makers.is_none()
        {
            // Nothing to extract: a plain search is cheaper than captures.
            let m = r.regex.find(o.value)?;
            return Some(Hit {
                rule: ri,
                obs,
                port: o.port,
                key: o.key.to_string(),
                excerpt: excerpt(o.value, m.start(), m.end()),
                model: None,
                firmware: None,
                brand: None,
                maker: None,
            });
        }
        let caps = r.regex.captures(o.value)?;
        let whole = caps.get(0)?;
        let decode = o.key.ends_with("scope") || o.key.ends_with("xaddrs");
        let render = |t: &Option<String>, max: usize| -> Option<String> {
            let t = t.as_deref()?;
            let mut s = String::new();
            caps.expand(t, &mut s);
            let s = if decode { percent_decode(&s) } else { s };
            clean(&s, max)
        };
        let model = render(&r.raw.model, 64)
            .filter(|m| !PLACEHOLDER_MODELS.contains(&m.to_ascii_lowercase().as_str()));
        let firmware = render(&r.raw.firmware, 96);
        let brand = render(&r.raw.brand, 32).map(|b| b.to_ascii_lowercase());
        let maker = r
            .raw
            .makers
            .as_ref()
            .and_then(|_| caps.name("maker"))
            .map(|m| camguard_kb::fingerprint::maker_key(m.as_str()));
        Some(Hit {
            rule: ri,
            obs,
            port: o.port,
            key: o.key.to_string(),
            excerpt: excerpt(o.value, whole.start(), whole.end()),
            model,
            firmware,
            brand,
            maker,
        })
    }
}

/// Drop hits one of whose `unless` rules matched (once, on everything that matched), then hits
/// whose `requires` did not all fire, until nothing changes.
fn apply_requires(
    rules: &[FingerprintRule],
    mut hits: Vec<Hit>,
    already: &HashSet<usize>,
) -> Vec<Hit> {
    let matched: HashSet<&str> = hits
        .iter()
        .map(|h| rules[h.rule].raw.id.as_str())
        .chain(already.iter().map(|&i| rules[i].raw.id.as_str()))
        .collect();
    hits.retain(|h| {
        !rules[h.rule]
            .raw
            .unless
            .iter()
            .any(|u| matched.contains(u.as_str()))
    });
    loop {
        let fired: HashSet<&str> = hits
            .iter()
            .map(|h| rules[h.rule].raw.id.as_str())
            .chain(already.iter().map(|&i| rules[i].raw.id.as_str()))
            .collect();
        let before = hits.len();
        let keep: Vec<bool> = hits
            .iter()
            .map(|h| {
                rules[h.rule]
                    .raw
                    .requires
                    .iter()
                    .all(|req| fired.contains(req.as_str()))
            })
            .collect();
        let mut k = keep.iter();
        hits.retain(|_| *k.next().unwrap_or(&true));
        if hits.len() == before {
            return hits;
        }
    }
}

/// One hit per rule: the first observation it fired on.
fn best_per_rule(hits: Vec<Hit>) -> Vec<Hit> {
    let mut seen = HashSet::new();
    hits.into_iter().filter(|h| seen.insert(h.rule)).collect()
}

/// Combine weights with diminishing returns: `100 * (1 - Π(1 - w/100))`.
pub fn noisy_or(weights: impl IntoIterator<Item = u8>) -> f64 {
    let miss: f64 = weights
        .into_iter()
        .map(|w| 1.0 - f64::from(w.min(100)) / 100.0)
        .product();
    100.0 * (1.0 - miss)
}

fn to_u8(x: f64) -> u8 {
    x.round().clamp(0.0, 100.0) as u8
}

fn type_rank(t: DeviceType) -> u8 {
    match t {
        DeviceType::Nvr => 0,
        DeviceType::Dvr => 1,
        DeviceType::Camera => 2,
        DeviceType::Other => 3,
    }
}

fn field_rank(f: &str) -> u8 {
    match f {
        "is_camera" => 0,
        "vendor" => 1,
        "brand" => 2,
        "model" => 3,
        "firmware" => 4,
        "device_type" => 5,
        _ => 6,
    }
}

/// Keys whose evidence is about a port rather than what a service said about the device.
fn is_port_level(key: &str) -> bool {
    key == keys::PORT_OPEN || key == keys::SDK_REPLY
}

/// Does a rule-style key (`x.*`, `*.x` or exact) match an observation key?
pub(crate) fn key_matches(pattern: &str, key: &str) -> bool {
    if let Some(p) = pattern.strip_suffix('*') {
        key.starts_with(p)
    } else if let Some(s) = pattern.strip_prefix('*') {
        key.ends_with(s)
    } else {
        pattern == key
    }
}

/// The identity fields whose CamelCase words are also read apart ([`camel_spaced`]); not bodies,
/// certificates in base64 or reply bytes in hex.
const CAMEL_KEYS: &[&str] = &[
    "http.title",
    "http.realm",
    "http.server",
    "rtsp.server",
    "rtsp.realm",
    "ssdp.server",
    "tls.subject",
    "tls.issuer",
    "banner.*",
    "upnp.*",
];

/// `MegapixelIPCamera` → `Megapixel IPCamera`, `WirelessNVR` → `Wireless NVR`: a space
/// wherever an ASCII lower-case letter is followed by an upper-case one, with the byte offsets of
/// the spaces put in; `None` when there is no such place (the copy would say nothing new).
fn camel_spaced(v: &str) -> Option<(String, Vec<usize>)> {
    let b = v.as_bytes();
    if !b
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
    {
        return None;
    }
    let mut out = String::with_capacity(v.len() + 8);
    let mut inserted = Vec::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if prev_lower && c.is_ascii_uppercase() {
            inserted.push(out.len());
            out.push(' ');
        }
        prev_lower = c.is_ascii_lowercase();
        out.push(c);
    }
    Some((out, inserted))
}

/// The first [`MAX_MATCH_BYTES`] of a value, cut at a character boundary.
fn clip(v: &str) -> &str {
    if v.len() <= MAX_MATCH_BYTES {
        return v;
    }
    let mut end = MAX_MATCH_BYTES;
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    &v[..end]
}

/// Trim, collapse white space, drop control characters and surrounding quotes, cap the length.
fn clean(s: &str, max_chars: usize) -> Option<String> {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let t: String = joined
        .trim_matches(|c: char| c == '"' || c == '\'')
        .chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect();
    let t = t.trim().to_string();
    if t.is_empty() { None } else { Some(t) }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Up to ~120 characters around the match, control characters as spaces.
fn excerpt(v: &str, start: usize, end: usize) -> String {
    let mut s = start.saturating_sub(24);
    while !v.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = (end + 40).min(v.len()).max(s);
    while !v.is_char_boundary(e) {
        e += 1;
    }
    let text: String = v[s..e]
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    if s > 0 {
        out.push('…');
    }
    out.push_str(&text);
    if e < v.len() {
        out.push('…');
    }
    out
}
