//! The catalogue of certified and warned camera models, for procurement
//! (`camguard catalogue check VENDOR MODEL`).
//!
//! A catalogue file (CSV or spreadsheet, read like an inventory file, see
//! [`crate::inventory`]) lists models with a status: `certified` (a conformity certificate,
//! e.g. QCVN 135) or `warned` (named in a warning by the authorities). Columns, in any order,
//! English key or Vietnamese header: `status` (Trạng thái), `vendor` (Hãng), `model` (Model),
//! `document` (Văn bản), `issued_by` (Cơ quan ban hành), `date` (Ngày), `certificate`
//! (Số chứng nhận), `note` (Ghi chú); `status`, `vendor` and `model` are required, other
//! columns are ignored.
//!
//! [`Catalogue::check`] resolves the vendor to the platform vendor id of the knowledge base
//! (so `EZVIZ` and `Hangzhou Hikvision Digital Technology` both mean `hikvision`) and compares
//! models in a normal form ([`model_key`]), with `*` wildcards in catalogue entries. A matching
//! warning beats any certificate; among entries of the same status an exact model beats a
//! wildcard, and a more specific wildcard a less specific one.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::table::{
    FileError, FileWarning, RejectedRow, RowValues, Schema, fold, quote, read_table_csv,
    read_table_path,
};

/// The catalogue columns, `(English key, Vietnamese header)`.
pub const CATALOGUE_COLUMNS: &[(&str, &str)] = &[
    ("status", "Trạng thái"),
    ("vendor", "Hãng"),
    ("model", "Model"),
    ("document", "Văn bản"),
    ("issued_by", "Cơ quan ban hành"),
    ("date", "Ngày"),
    ("certificate", "Số chứng nhận"),
    ("note", "Ghi chú"),
];

const STATUS: usize = 0;
const VENDOR: usize = 1;
const MODEL: usize = 2;
const DOCUMENT: usize = 3;
const ISSUED_BY: usize = 4;
const DATE: usize = 5;
const CERTIFICATE: usize = 6;
const NOTE: usize = 7;

const CATALOGUE: Schema = Schema {
    kind: "catalogue",
    unknown_columns: "its values are ignored",
    columns: CATALOGUE_COLUMNS,
    required: &["status", "vendor", "model"],
};

/// Whether a model is certified or warned against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CatalogueStatus {
    Certified,
    Warned,
}

/// A status that is neither certified nor warned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a catalogue status (certified / chứng nhận / hợp quy, or warned / cảnh báo)")]
pub struct ParseStatusError(pub String);

impl FromStr for CatalogueStatus {
    type Err = ParseStatusError;

    /// `certified`, `chứng nhận`, `hợp quy` (also `đã chứng nhận`, `đã hợp quy`) → certified;
    /// `warned`, `warning`, `cảnh báo` (also `bị cảnh báo`) → warned; case- and
    /// diacritics-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold(s).as_str() {
            "certified" | "chung nhan" | "da chung nhan" | "hop quy" | "da hop quy" => {
                Ok(CatalogueStatus::Certified)
            }
            "warned" | "warning" | "canh bao" | "bi canh bao" => Ok(CatalogueStatus::Warned),
            _ => Err(ParseStatusError(s.to_owned())),
        }
    }
}

impl std::fmt::Display for CatalogueStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CatalogueStatus::Certified => "certified",
            CatalogueStatus::Warned => "warned",
        })
    }
}

/// One catalogue line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub status: CatalogueStatus,
    pub vendor: String,
    /// May contain `*` wildcards (any run of characters).
    pub model: String,
    /// Source document, e.g. `Cảnh báo 1234/CATTT`.
    pub document: Option<String>,
    pub issued_by: Option<String>,
    /// Serialised as `YYYY-MM-DD`.
    #[serde(with = "crate::date::opt_date")]
    pub date: Option<Date>,
    pub certificate: Option<String>,
    pub note: Option<String>,
}

/// Everything read from a catalogue file: entries with their line numbers, and rejected rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogueFile {
    pub entries: Vec<(usize, CatalogueEntry)>,
    pub rejected: Vec<RejectedRow>,
    /// Columns that are not catalogue columns (their values are ignored), by the header's line.
    pub warnings: Vec<FileWarning>,
}

/// Reads a catalogue file (CSV or spreadsheet, chosen as for inventory files).
pub fn read_catalogue(path: &Path) -> Result<CatalogueFile, FileError> {
    let table = read_table_path(path, &CATALOGUE, &[], &mut to_entry)?;
    Ok(CatalogueFile {
        entries: table.rows,
        rejected: table.rejected,
        warnings: table.warnings,
    })
}

/// Reads a catalogue in CSV from any reader.
pub fn read_catalogue_csv<R: Read>(r: R) -> Result<CatalogueFile, FileError> {
    let table = read_table_csv(r, &CATALOGUE, &[], &mut to_entry)?;
    Ok(CatalogueFile {
        entries: table.rows,
        rejected: table.rejected,
        warnings: table.warnings,
    })
}

fn to_entry(v: &mut RowValues, errors: &mut Vec<String>) -> Option<CatalogueEntry> {
    let status = v.required_text(STATUS, errors).and_then(|s| {
        if let Ok(status) = s.parse::<CatalogueStatus>() {
            Some(status)
        } else {
            errors.push(format!("status: {} is not certified or warned", quote(&s)));
            None
        }
    });
    let vendor = v.required_text(VENDOR, errors);
    let model = v.required_text(MODEL, errors);
    let date = v.date(DATE, errors);
    Some(CatalogueEntry {
        status: status?,
        vendor: vendor?,
        model: model?,
        document: v.text(DOCUMENT),
        issued_by: v.text(ISSUED_BY),
        date,
        certificate: v.text(CERTIFICATE),
        note: v.text(NOTE),
    })
}

/// Words of a name: lower case, diacritics removed, split at anything not a letter or digit.
fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The platform vendor id (`hikvision`) of a vendor or brand name as written
/// (`Hikvision Digital Technology`, `HIKVISION`, `EZVIZ`, `Hangzhou Hikvision …`), matched
/// against each vendor's id, name and brands: whole name first, then a name that begins with
/// one of them, then one that contains one as whole words (the longest match wins). An unknown
/// vendor gives its name lower-cased and trimmed.
pub fn vendor_key(name: &str, vendors: &[camguard_kb::Vendor]) -> String {
    let name_words = words(name);
    if name_words.is_empty() {
        return normalise_unknown(name);
    }
    let joined: String = name_words.concat();
    // (rank, matched length): rank 3 = whole name, 2 = word prefix, 1 = contained words.
    let mut best: Option<((u8, usize), &str)> = None;
    for v in vendors {
        let candidates = std::iter::once(v.id.as_str())
            .chain(std::iter::once(v.name.as_str()))
            .chain(v.brands.iter().map(String::as_str));
        for candidate in candidates {
            let cw = words(candidate);
            if cw.is_empty() {
                continue;
            }
            let len: usize = cw.iter().map(String::len).sum();
            let rank = if cw == name_words || cw.concat() == joined {
                3
            } else if name_words.starts_with(&cw) {
                2
            } else if name_words.windows(cw.len()).any(|w| w == cw.as_slice()) {
                1
            } else {
                continue;
            };
            if best.is_none_or(|(b, _)| (rank, len) > b) {
                best = Some(((rank, len), v.id.as_str()));
            }
        }
    }
    match best {
        Some((_, id)) => id.to_owned(),
        None => normalise_unknown(name),
    }
}

fn normalise_unknown(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A model designation in comparable form: a trailing parenthetical (`(2.8mm)`) dropped, upper
/// case, without spaces, `-`, `_`, `/` and `.` (`DS-2CD2143G2-I` and `ds 2cd2143g2i` are the
/// same model). `*` is kept.
pub fn model_key(model: &str) -> String {
    let mut m = model.trim();
    if let Some(inner) = m.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
    {
        let cut = inner[..open].trim_end();
        if !cut.is_empty() {
            m = cut;
        }
    }
    m.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '/' | '.'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// `pattern` (with `*` for any run of characters) matches all of `text`.
fn glob(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[derive(Clone, Debug)]
struct Indexed {
    entry: CatalogueEntry,
    key: Vec<char>,
    wildcard: bool,
    /// Characters other than `*`: how specific a wildcard is.
    literal: usize,
}

/// Catalogue entries indexed by vendor key, for [`Catalogue::check`].
#[derive(Clone, Debug)]
pub struct Catalogue {
    by_vendor: HashMap<String, Vec<Indexed>>,
    vendors: Vec<camguard_kb::Vendor>,
    len: usize,
}

/// What the catalogue says about a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogueVerdict<'a> {
    Certified(&'a CatalogueEntry),
    Warned(&'a CatalogueEntry),
    Unknown,
}

impl<'a> CatalogueVerdict<'a> {
    /// The entry behind the verdict, if any.
    pub fn entry(&self) -> Option<&'a CatalogueEntry> {
        match *self {
            CatalogueVerdict::Certified(e) | CatalogueVerdict::Warned(e) => Some(e),
            CatalogueVerdict::Unknown => None,
        }
    }

    /// `certified`, `warned` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CatalogueVerdict::Certified(_) => "certified",
            CatalogueVerdict::Warned(_) => "warned",
            CatalogueVerdict::Unknown => "unknown",
        }
    }
}

impl Catalogue {
    /// Indexes `entries`; `vendors` (the knowledge base's) resolve vendor and brand names.
    pub fn new(entries: Vec<CatalogueEntry>, vendors: &[camguard_kb::Vendor]) -> Self {
        let len = entries.len();
        let mut by_vendor: HashMap<String, Vec<Indexed>> = HashMap::new();
        for entry in entries {
            let key: Vec<char> = model_key(&entry.model).chars().collect();
            let wildcard = key.contains(&'*');
            let literal = key.iter().filter(|&&c| c != '*').count();
            by_vendor
                .entry(vendor_key(&entry.vendor, vendors))
                .or_default()
                .push(Indexed {
                    entry,
                    key,
                    wildcard,
                    literal,
                });
        }
        Catalogue {
            by_vendor,
            vendors: vendors.to_vec(),
            len,
        }
    }

    /// How many entries the catalogue holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The catalogue's verdict on a model: warned if any warning matches, else certified if a
    /// certificate matches, else unknown. The entry returned is the most specific match
    /// (exact model, then the wildcard with most literal characters, then file order).
    pub fn check(&self, vendor: &str, model: &str) -> CatalogueVerdict<'_> {
        let Some(entries) = self.by_vendor.get(&vendor_key(vendor, &self.vendors)) else {
            return CatalogueVerdict::Unknown;
        };
        let key: Vec<char> = model_key(model).chars().collect();
        // (warned, exact, literal) — higher is better; ties keep the first.
        let mut best: Option<((bool, bool, usize), &Indexed)> = None;
        for e in entries {
            let matched = if e.wildcard {
                glob(&e.key, &key)
            } else {
                e.key == key
            };
            if !matched {
                continue;
            }
            let rank = (
                e.entry.status == CatalogueStatus::Warned,
                !e.wildcard,
                e.literal,
            );
            if best.is_none_or(|(b, _)| rank > b) {
                best = Some((rank, e));
            }
        }
        match best {
            Some((_, e)) if e.entry.status == CatalogueStatus::Warned => {
                CatalogueVerdict::Warned(&e.entry)
            }
            Some((_, e)) => CatalogueVerdict::Certified(&e.entry),
            None => CatalogueVerdict::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendors() -> Vec<camguard_kb::Vendor> {
        camguard_kb::Kb::embedded().unwrap().vendors
    }

    fn entry(status: CatalogueStatus, vendor: &str, model: &str) -> CatalogueEntry {
        CatalogueEntry {
            status,
            vendor: vendor.to_owned(),
            model: model.to_owned(),
            document: None,
            issued_by: None,
            date: None,
            certificate: None,
            note: None,
        }
    }

    #[test]
    fn status_parsing_and_display() {
        use CatalogueStatus::*;
        for (s, st) in [
            ("certified", Certified),
            (" Certified ", Certified),
            ("Chứng nhận", Certified),
            ("CHỨNG NHẬN", Certified),
            ("chung nhan", Certified),
            ("Hợp quy", Certified),
            ("Đã hợp quy", Certified),
            ("warned", Warned),
            ("WARNING", Warned),
            ("Cảnh báo", Warned),
            ("cảnh báo", Warned),
            ("Ca\u{0309}nh ba\u{0301}o", Warned),
            ("Bị cảnh báo", Warned),
        ] {
            assert_eq!(s.parse::<CatalogueStatus>(), Ok(st), "{s:?}");
        }
        for s in ["", "ok", "certified!", "cảnh"] {
            assert!(s.parse::<CatalogueStatus>().is_err(), "{s:?}");
        }
        assert_eq!(Certified.to_string(), "certified");
        assert_eq!(Warned.to_string(), "warned");
        assert_eq!(serde_json::to_string(&Warned).unwrap(), "\"warned\"");
        assert_eq!(
            serde_json::from_str::<CatalogueStatus>("\"certified\"").unwrap(),
            Certified
        );
    }

    #[test]
    fn model_keys() {
        assert_eq!(model_key("DS-2CD2143G2-I"), "DS2CD2143G2I");
        assert_eq!(model_key("ds 2cd2143g2i"), model_key("DS-2CD2143G2-I"));
        assert_eq!(model_key("DS-2CD2143G2-I (2.8mm)"), "DS2CD2143G2I");
        assert_eq!(model_key("IPC-HFW1230S-S5 (3.6 mm)  "), "IPCHFW1230SS5");
        assert_eq!(model_key("IPC_HDW/2431.T"), "IPCHDW2431T");
        assert_eq!(model_key("DS-2CD2*"), "DS2CD2*");
        assert_eq!(model_key("(2.8mm)"), "(28MM)");
        assert_eq!(model_key("P1375 (E)"), "P1375");
    }

    #[test]
    fn vendor_keys() {
        let v = vendors();
        for (name, key) in [
            ("Hikvision", "hikvision"),
            ("HIKVISION", "hikvision"),
            ("Hikvision Digital Technology", "hikvision"),
            (
                "Hangzhou Hikvision Digital Technology Co., Ltd.",
                "hikvision",
            ),
            ("EZVIZ", "hikvision"),
            ("HiLook", "hikvision"),
            ("Dahua Technology", "dahua"),
            ("KBVISION", "dahua"),
            ("Imou", "dahua"),
            ("Hangzhou XiongMai Technology", "xiongmai"),
            ("Zhejiang Uniview Technologies", "uniview"),
            ("UNV", "uniview"),
            ("TP-Link", "tp-link"),
            ("TP Link", "tp-link"),
            ("TPLINK", "tp-link"),
            ("Tapo", "tp-link"),
            ("Hanwha Vision", "hanwha"),
            ("Samsung Techwin", "hanwha"),
            ("Axis Communications AB", "axis"),
            ("D-Link", "d-link"),
            ("  ACME   Corp ", "acme corp"),
            ("Công ty Camera Việt", "công ty camera việt"),
            ("", ""),
        ] {
            assert_eq!(vendor_key(name, &v), key, "{name:?}");
        }
        // Without a knowledge base, names are only normalised.
        assert_eq!(vendor_key("Hikvision", &[]), "hikvision");
        assert_eq!(vendor_key("EZVIZ", &[]), "ezviz");
    }

    #[test]
    fn glob_matching() {
        let g = |p: &str, t: &str| {
            glob(
                &p.chars().collect::<Vec<_>>(),
                &t.chars().collect::<Vec<_>>(),
            )
        };
        assert!(g("DS2CD2*", "DS2CD2143G2I"));
        assert!(g("*", ""));
        assert!(g("*G2*", "DS2CD2143G2I"));
        assert!(g("DS*I", "DS2CD2143G2I"));
        assert!(g("A*B*C", "AXXBYYBC"));
        assert!(!g("DS2CD2*", "DS2CE16"));
        assert!(!g("DS*X", "DS2CD2143G2I"));
        assert!(!g("ABC", "ABCD"));
        assert!(g("ABC", "ABC"));
    }

    #[test]
    fn checks() {
        use CatalogueStatus::*;
        let v = vendors();
        let entries = vec![
            entry(Certified, "Hikvision", "DS-2CD2143G2-I"),
            entry(
                Certified,
                "Hangzhou Hikvision Digital Technology",
                "DS-2CD2*",
            ),
            entry(Warned, "HIKVISION", "DS-2CD2T*"),
            entry(Certified, "Hikvision", "DS-2CD2T47G2-L"),
            entry(Certified, "Dahua", "IPC-HFW*"),
            entry(Certified, "Dahua", "IPC-HFW1230S"),
            entry(Warned, "XMEye", "*"),
            entry(Certified, "Acme", "X-1"),
        ];
        let c = Catalogue::new(entries.clone(), &v);
        assert_eq!(c.len(), 8);
        assert!(!c.is_empty());

        // Exact certificate, found through a brand and another spelling of the model.
        assert_eq!(
            c.check("EZVIZ", "ds 2cd2143g2i (2.8mm)"),
            CatalogueVerdict::Certified(&entries[0])
        );
        // Wildcard certificate.
        assert_eq!(
            c.check("Hikvision", "DS-2CD2347G2-LU"),
            CatalogueVerdict::Certified(&entries[1])
        );
        // A warning beats a certificate, even an exact one.
        assert_eq!(
            c.check("HiLook", "DS-2CD2T47G2-L"),
            CatalogueVerdict::Warned(&entries[2])
        );
        // Exact beats wildcard within a status.
        assert_eq!(
            c.check("KBVision", "IPC-HFW1230S"),
            CatalogueVerdict::Certified(&entries[5])
        );
        assert_eq!(
            c.check("Dahua Technology", "IPC-HFW2431S"),
            CatalogueVerdict::Certified(&entries[4])
        );
        // A whole vendor warned.
        assert_eq!(
            c.check("Hangzhou XiongMai", "IPG-50HV20PET-S"),
            CatalogueVerdict::Warned(&entries[6])
        );
        // Unknown model, unknown vendor, other vendor's model.
        assert_eq!(c.check("Hikvision", "DS-7608NI"), CatalogueVerdict::Unknown);
        assert_eq!(c.check("Axis", "P1375"), CatalogueVerdict::Unknown);
        assert_eq!(
            c.check("Dahua", "DS-2CD2143G2-I"),
            CatalogueVerdict::Unknown
        );
        // An unknown vendor is matched by its normalised name.
        assert_eq!(
            c.check(" ACME ", "x1"),
            CatalogueVerdict::Certified(&entries[7])
        );
        assert_eq!(c.check("Acme", "X-1").entry(), Some(&entries[7]));
        assert_eq!(c.check("Acme", "X-2").as_str(), "unknown");
        assert_eq!(c.check("XMEye", "a").as_str(), "warned");
    }

    #[test]
    fn more_specific_wildcard_wins() {
        use CatalogueStatus::*;
        let v = vendors();
        let entries = vec![
            entry(Warned, "Dahua", "*"),
            entry(Warned, "Dahua", "IPC-*"),
            entry(Warned, "Dahua", "IPC-HDW*"),
        ];
        let c = Catalogue::new(entries.clone(), &v);
        assert_eq!(
            c.check("dahua", "IPC-HDW2431T"),
            CatalogueVerdict::Warned(&entries[2])
        );
        assert_eq!(
            c.check("dahua", "IPC-HFW1230S"),
            CatalogueVerdict::Warned(&entries[1])
        );
        assert_eq!(
            c.check("dahua", "NVR4104"),
            CatalogueVerdict::Warned(&entries[0])
        );
        assert!(Catalogue::new(Vec::new(), &v).is_empty());
    }

    #[test]
    fn csv_catalogue() {
        let text = "\u{FEFF}Trạng thái;Hãng;Model;Văn bản;Cơ quan ban hành;Ngày;Số chứng nhận;Ghi chú;Khác\n\
                    Chứng nhận;Hikvision;DS-2CD2143G2-I;;Cục Viễn thông;15/03/2025;C-001/2025;;x\n\
                    Cảnh báo;Dahua;\"IPC-\n*\";Cảnh báo 1234/CATTT;Bộ Công an;2025-01-02;;\"lỗ hổng\nnghiêm trọng\";\n\
                    ok;Dahua;X;;;;;;\n\
                    warned;;X;;;;;;\n\
                    \n\
                    certified;Axis;P1375;;;2025-02-30;;;\n\
                    certified;Axis;;;;;;;\n";
        let f = read_catalogue_csv(text.as_bytes()).unwrap();
        assert_eq!(f.entries.len(), 2);
        let (line, e) = &f.entries[0];
        assert_eq!(*line, 2);
        assert_eq!(e.status, CatalogueStatus::Certified);
        assert_eq!(e.issued_by.as_deref(), Some("Cục Viễn thông"));
        assert_eq!(e.certificate.as_deref(), Some("C-001/2025"));
        assert_eq!(
            e.date,
            Some(time::Date::from_calendar_date(2025, time::Month::March, 15).unwrap())
        );
        let (line, e) = &f.entries[1];
        assert_eq!(*line, 3);
        assert_eq!(e.status, CatalogueStatus::Warned);
        assert_eq!(e.model, "IPC-\n*");
        assert_eq!(e.document.as_deref(), Some("Cảnh báo 1234/CATTT"));
        assert_eq!(e.note.as_deref(), Some("lỗ hổng\nnghiêm trọng"));
        let rejected: Vec<(usize, &str)> = f
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (6, "status: \"ok\" is not certified or warned"),
                (7, "vendor: required value is missing"),
                (
                    9,
                    "date: \"2025-02-30\" is not a date (YYYY-MM-DD or DD/MM/YYYY)"
                ),
                (10, "model: required value is missing"),
            ]
        );
        // The model with a line break still matches, in normal form.
        let c = Catalogue::new(f.entries.into_iter().map(|(_, e)| e).collect(), &vendors());
        assert_eq!(c.check("Imou", "IPC-A22").as_str(), "warned");

        match read_catalogue_csv("vendor,model\nA,B\n".as_bytes()) {
            Err(FileError::MissingColumns { columns: m, .. }) => assert_eq!(m, vec!["status"]),
            other => panic!("{other:?}"),
        }
        let e = read_catalogue_csv("Hãng,Model\nA,B\n".as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "missing required column(s): status (Trạng thái)"
        );
    }

    #[test]
    fn xlsx_catalogue() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalogue.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "DANH MỤC CAMERA").unwrap();
        for (c, h) in ["status (Trạng thái)", "Hãng", "Model", "Ngày"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        ws.write_string(2, 0, "hợp quy").unwrap();
        ws.write_string(2, 1, "Uniview").unwrap();
        ws.write_number(2, 2, 3230).unwrap();
        ws.write_date_with_format(
            2,
            3,
            ExcelDateTime::from_ymd(2024, 11, 5).unwrap(),
            &Format::new().set_num_format("dd/mm/yyyy"),
        )
        .unwrap();
        ws.write_string(3, 0, "cảnh báo").unwrap();
        ws.write_string(3, 1, "Uniview").unwrap();
        wb.save(&path).unwrap();
        let f = read_catalogue(&path).unwrap();
        assert_eq!(f.entries.len(), 1);
        let (line, e) = &f.entries[0];
        assert_eq!(*line, 3);
        assert_eq!(e.model, "3230");
        assert_eq!(
            e.date,
            Some(time::Date::from_calendar_date(2024, time::Month::November, 5).unwrap())
        );
        assert_eq!(f.rejected.len(), 1);
        assert_eq!(f.rejected[0].line, 4);
        assert_eq!(f.rejected[0].reason, "model: required value is missing");
    }

    #[test]
    fn fixture_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let f = read_catalogue(&dir.join("catalogue.csv")).unwrap();
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        let c = Catalogue::new(f.entries.into_iter().map(|(_, e)| e).collect(), &vendors());
        assert_eq!(c.check("Hikvision", "DS-2CD2143G2-I").as_str(), "certified");
        assert_eq!(c.check("EZVIZ", "CS-C6N").as_str(), "warned");
        let inv = crate::inventory::read_inventory(&dir.join("inventory-vi.csv"), None).unwrap();
        assert_eq!(
            inv.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3, 5]
        );
        assert_eq!(
            inv.rows[2].record.location.as_deref(),
            Some("Phòng họp\ntầng 2")
        );
        assert_eq!(
            inv.rows[0].record.cert_conformity_standard.as_deref(),
            Some("QCVN 135:2024/BTTTT")
        );
        assert_eq!(
            inv.rejected
                .iter()
                .map(|r| (r.line, r.reason.as_str()))
                .collect::<Vec<_>>(),
            vec![(4, "mac: \"00:11:22:33:44\" is not a MAC address")]
        );
    }
}
