//! `assess/rtsp-routes.toml`: RTSP stream paths tried by route discovery.
//!
//! Try order (the file's contract): for an identified vendor its own routes by `priority`, then
//! the generic list (skipping paths already tried); for an unknown vendor the generic list
//! only. The generic list holds the routes with `vendors = []` ranked by `priority` and the
//! vendor routes that carry `generic_priority`, ranked by it.

use super::{entries, raw_str, vendor_known};
use crate::{KbError, Vendor};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RtspRoute {
    /// Path and query, with a leading `/`, sent as written.
    pub path: String,
    /// Vendor ids that use the path; empty = a generic route.
    pub vendors: Vec<String>,
    /// Rank inside each listed vendor, or inside the generic list when `vendors` is empty.
    pub priority: u32,
    /// Also in the generic list, at this rank (vendor routes only).
    #[serde(default)]
    pub generic_priority: Option<u32>,
    #[serde(default)]
    pub note: String,
    pub source: String,
}

impl RtspRoute {
    pub fn is_generic(&self) -> bool {
        self.vendors.is_empty()
    }

    /// Rank in the generic list, if the route is in it.
    pub fn generic_rank(&self) -> Option<u32> {
        if self.is_generic() {
            Some(self.priority)
        } else {
            self.generic_priority
        }
    }

    fn label(&self, n: usize) -> String {
        format!("route #{n} ({:?})", self.path)
    }
}

/// The generic list: routes tried on any device, by rank.
pub fn generic(routes: &[RtspRoute]) -> Vec<&RtspRoute> {
    let mut out: Vec<&RtspRoute> = routes
        .iter()
        .filter(|r| r.generic_rank().is_some())
        .collect();
    out.sort_by_key(|r| r.generic_rank());
    out
}

/// The routes to try on a device of `vendor` (`None` = unknown), in order: the vendor's own
/// routes by priority, then the generic list without the paths already listed.
pub fn for_vendor<'a>(routes: &'a [RtspRoute], vendor: Option<&str>) -> Vec<&'a RtspRoute> {
    let mut out: Vec<&RtspRoute> = match vendor {
        Some(v) => routes
            .iter()
            .filter(|r| r.vendors.iter().any(|x| x == v))
            .collect(),
        None => Vec::new(),
    };
    out.sort_by_key(|r| r.priority);
    for g in generic(routes) {
        if !out.iter().any(|r| r.path == g.path) {
            out.push(g);
        }
    }
    out
}

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<RtspRoute>, KbError> {
    let routes: Vec<RtspRoute> = entries(file, text, "route", |t, n| {
        format!("route #{n} ({:?})", raw_str(t, "path").unwrap_or("?"))
    })?;
    let mut paths: HashMap<&str, usize> = HashMap::new();
    let mut ranks: HashMap<(&str, u32), usize> = HashMap::new();
    let mut generic_ranks: HashMap<u32, usize> = HashMap::new();
    for (i, r) in routes.iter().enumerate() {
        let n = i + 1;
        let bad = |msg: String| KbError::invalid(file, format!("{}: {msg}", r.label(n)));
        if !r.path.starts_with('/') || r.path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(
                "path must start with '/' and hold no spaces or control characters".into(),
            ));
        }
        if r.priority == 0 || r.generic_priority == Some(0) {
            return Err(bad("priorities start at 1".into()));
        }
        if r.is_generic() && r.generic_priority.is_some() {
            return Err(bad("generic_priority is for vendor routes; a generic route (vendors = []) is ranked by priority".into()));
        }
        for (k, v) in r.vendors.iter().enumerate() {
            if v == "*" || v.trim().is_empty() {
                return Err(bad(format!(
                    "vendor {v:?}: list vendor ids; vendors = [] makes a generic route"
                )));
            }
            if r.vendors[..k].contains(v) {
                return Err(bad(format!("vendor {v:?} listed twice")));
            }
            if let Some(prev) = ranks.insert((v, r.priority), n) {
                return Err(bad(format!(
                    "priority {} of vendor {v:?} is also given to route #{prev}",
                    r.priority
                )));
            }
        }
        if r.source.trim().is_empty() {
            return Err(bad("source is empty".into()));
        }
        if let Some(prev) = paths.insert(&r.path, n) {
            return Err(bad(format!("same path as route #{prev}")));
        }
        if let Some(rank) = r.generic_rank()
            && let Some(prev) = generic_ranks.insert(rank, n)
        {
            return Err(bad(format!(
                "generic rank {rank} is also given to route #{prev}"
            )));
        }
    }
    Ok(routes)
}

pub(crate) fn validate_vendors(routes: &[RtspRoute], vendors: &[Vendor]) -> Result<(), KbError> {
    for (i, r) in routes.iter().enumerate() {
        if let Some(v) = r.vendors.iter().find(|v| !vendor_known(vendors, v)) {
            return Err(KbError::invalid(
                super::RTSP_ROUTES_FILE,
                format!(
                    "{}: unknown vendor id {v:?} (add it to vendors.toml)",
                    r.label(i + 1)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kb;

    fn one(body: &str) -> Result<Vec<RtspRoute>, KbError> {
        parse("assess/rtsp-routes.toml", &format!("schema = 1\n{body}"))
    }

    fn paths<'a>(list: &[&'a RtspRoute]) -> Vec<&'a str> {
        list.iter().map(|r| r.path.as_str()).collect()
    }

    #[test]
    fn embedded_routes_load() {
        let kb = Kb::embedded().unwrap();
        assert!(kb.rtsp_routes.len() > 50, "{}", kb.rtsp_routes.len());
        assert!(kb.rtsp_routes.iter().any(|r| r.path == "/cam/realmonitor?channel=1&subtype=0" && r.vendors == ["dahua"]));
        let g = generic(&kb.rtsp_routes);
        assert!(g.len() > 40);
        assert!(
            g.windows(2)
                .all(|w| w[0].generic_rank() < w[1].generic_rank())
        );
    }

    #[test]
    fn hikvision_first_then_generic() {
        let kb = Kb::embedded().unwrap();
        let list = kb.rtsp_routes_for(Some("hikvision"));
        let p = paths(&list);
        assert_eq!(p[0], "/Streaming/Channels/101");
        assert_eq!(p[1], "/Streaming/Channels/102");
        let own = list
            .iter()
            .take_while(|r| r.vendors.iter().any(|v| v == "hikvision"))
            .count();
        assert_eq!(
            own,
            kb.rtsp_routes
                .iter()
                .filter(|r| r.vendors.iter().any(|v| v == "hikvision"))
                .count()
        );
        assert!(
            list[..own]
                .windows(2)
                .all(|w| w[0].priority < w[1].priority)
        );
        // then the generic list, without the hikvision path it also holds
        assert_eq!(p[own], "/", "generic rank 1 (bosch) follows");
        assert_eq!(
            p.iter()
                .filter(|x| **x == "/Streaming/Channels/101")
                .count(),
            1,
            "no path twice"
        );
        let mut seen = std::collections::HashSet::new();
        assert!(p.iter().all(|x| seen.insert(*x)), "no duplicates: {p:?}");
    }

    #[test]
    fn unknown_vendor_gets_the_generic_list() {
        let kb = Kb::embedded().unwrap();
        let p = paths(&kb.rtsp_routes_for(None));
        assert_eq!(
            p[..7],
            [
                "/",
                "/live.sdp",
                "/Streaming/Channels/101",
                "/cam/realmonitor?channel=1&subtype=0",
                "/stream1",
                "/stream2",
                "/live"
            ]
        );
        assert!(!p.contains(&"/Streaming/Channels/102"), "vendor-only route");
        assert_eq!(
            paths(&kb.rtsp_routes_for(Some("milesight"))),
            p,
            "a vendor without routes"
        );
    }

    #[test]
    fn rejects_bad_entries() {
        let ok = "[[route]]\npath = \"/a\"\nvendors = [\"x\"]\npriority = 1\nsource = \"s\"\n";
        assert_eq!(one(ok).unwrap().len(), 1);
        let cases = [
            (ok.replace("\"/a\"", "\"a\""), "must start with '/'"),
            (ok.replace("\"/a\"", "\"/a b\""), "no spaces"),
            (
                ok.replace("[\"x\"]", "[]\ngeneric_priority = 3"),
                "generic_priority",
            ),
            (ok.replace("[\"x\"]", "[\"*\"]"), "vendors = []"),
            (
                ok.replace("vendors = [\"x\"]\n", ""),
                "missing field `vendors`",
            ),
            (format!("{ok}{ok}"), "priority 1 of vendor"),
            (
                format!("{ok}{}", ok.replace("priority = 1", "priority = 2")),
                "same path",
            ),
        ];
        for (text, want) in cases {
            let err = one(&text).unwrap_err().to_string();
            assert!(
                err.contains("assess/rtsp-routes.toml")
                    && err.contains("route #")
                    && err.contains(want),
                "{want}: {err}"
            );
        }
        let vendors = [Vendor {
            id: "y".into(),
            name: "Y".into(),
            cpe_vendor: None,
            cpe_product: None,
            brands: vec![],
        }];
        let err = validate_vendors(&one(ok).unwrap(), &vendors)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown vendor id \"x\""), "{err}");
    }
}
