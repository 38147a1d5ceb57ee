//! The inventory columns and records.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::opt_date;
use crate::table::{FileWarning, RejectedRow, Schema};

/// The inventory columns, `(English key, Vietnamese header)`, in export order: the 13 columns
/// of the contract, then the optional extensions (`brand`, `cert_conformity_standard`,
/// `cert_conformity_body`, `cert_conformity_date`).
pub const COLUMNS: &[(&str, &str)] = &[
    ("org", "Đơn vị"),
    ("system", "Hệ thống"),
    ("vendor", "Hãng"),
    ("model", "Model"),
    ("firmware", "Firmware"),
    ("serial", "Số serial"),
    ("mac", "MAC"),
    ("ip", "Địa chỉ IP"),
    ("location", "Vị trí"),
    ("installed_on", "Ngày lắp đặt"),
    ("cert_origin", "Chứng nhận xuất xứ"),
    ("cert_quality", "Chứng nhận chất lượng"),
    ("cert_conformity", "Chứng nhận hợp quy"),
    ("brand", "Thương hiệu"),
    ("cert_conformity_standard", "Quy chuẩn"),
    ("cert_conformity_body", "Tổ chức chứng nhận"),
    ("cert_conformity_date", "Ngày chứng nhận"),
];

/// The columns every inventory file must have (`org` may instead come from a default).
pub const REQUIRED_COLUMNS: &[&str] = &["org", "vendor", "model"];

// Indices into COLUMNS.
pub(crate) const ORG: usize = 0;
pub(crate) const SYSTEM: usize = 1;
pub(crate) const VENDOR: usize = 2;
pub(crate) const MODEL: usize = 3;
pub(crate) const FIRMWARE: usize = 4;
pub(crate) const SERIAL: usize = 5;
pub(crate) const MAC: usize = 6;
pub(crate) const IP: usize = 7;
pub(crate) const LOCATION: usize = 8;
pub(crate) const INSTALLED_ON: usize = 9;
pub(crate) const CERT_ORIGIN: usize = 10;
pub(crate) const CERT_QUALITY: usize = 11;
pub(crate) const CERT_CONFORMITY: usize = 12;
pub(crate) const BRAND: usize = 13;
pub(crate) const CERT_CONFORMITY_STANDARD: usize = 14;
pub(crate) const CERT_CONFORMITY_BODY: usize = 15;
pub(crate) const CERT_CONFORMITY_DATE: usize = 16;

pub(crate) const INVENTORY: Schema = Schema {
    kind: "inventory",
    unknown_columns: "its values are kept as a custom attribute",
    columns: COLUMNS,
    required: REQUIRED_COLUMNS,
};
/// One camera of an inventory file.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CameraRecord {
    pub org: String,
    pub system: Option<String>,
    pub vendor: String,
    pub brand: Option<String>,
    pub model: String,
    pub firmware: Option<String>,
    pub serial: Option<String>,
    /// Normalised lower-case `aa:bb:cc:dd:ee:ff`.
    pub mac: Option<String>,
    pub ip: Option<IpAddr>,
    pub location: Option<String>,
    /// Serialised as `YYYY-MM-DD`.
    #[serde(with = "opt_date")]
    pub installed_on: Option<Date>,
    pub cert_origin: Option<String>,
    pub cert_quality: Option<String>,
    pub cert_conformity: Option<String>,
    /// e.g. `QCVN 135:2024/BTTTT`.
    pub cert_conformity_standard: Option<String>,
    pub cert_conformity_body: Option<String>,
    /// Serialised as `YYYY-MM-DD`.
    #[serde(with = "opt_date")]
    pub cert_conformity_date: Option<Date>,
    /// Unknown columns: header as written → value (empty values are dropped).
    pub attributes: BTreeMap<String, String>,
}

/// A row that was read: where it is in the file and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRow {
    pub line: usize,
    pub record: CameraRecord,
}

/// Everything read from an inventory file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryFile {
    pub rows: Vec<ParsedRow>,
    pub rejected: Vec<RejectedRow>,
    /// Kept, but worth a look: columns that are not inventory columns (kept as custom
    /// attributes), rows with neither serial nor MAC (importing the file again adds them
    /// again), by line.
    #[serde(default)]
    pub warnings: Vec<FileWarning>,
}
