//! SOAP parsing for ONVIF and WS-Discovery replies, namespace-prefix agnostic.
//!
//! The XML is flattened into leaves (elements without child elements), each with its path of
//! local names; the ONVIF and WS-Discovery readers then pick what they need by local name, so
//! `tds:Model`, `ns2:Model` and an unprefixed `Model` read the same. Bounded in input size,
//! depth, leaf count and text length; tolerant of mismatched end tags and trailing garbage.

use crate::error::ParseError;
use quick_xml::events::Event;

/// Largest SOAP document parsed.
pub const MAX_SOAP_BYTES: usize = 256 * 1024;
const MAX_DEPTH: usize = 64;
const MAX_LEAVES: usize = 4096;
const MAX_TEXT_CHARS: usize = 2048;

/// An element without child elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// Local names from the root to this element.
    pub path: Vec<String>,
    /// A document-unique number for each element of `path` (to group siblings by ancestor).
    pub ids: Vec<u32>,
    /// Text content, entity-decoded and trimmed.
    pub text: String,
}

impl Leaf {
    fn name(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or_default()
    }
    fn ends_with(&self, tail: &[&str]) -> bool {
        self.path.len() >= tail.len()
            && self.path[self.path.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(a, b)| a == b)
    }
    fn under(&self, ancestor: &str) -> bool {
        self.path.iter().any(|p| p == ancestor)
    }
    fn id_of(&self, ancestor: &str) -> Option<u32> {
        self.path
            .iter()
            .position(|p| p == ancestor)
            .map(|i| self.ids[i])
    }
}

/// A flattened XML document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flat {
    /// Local name of the root element.
    pub root: String,
    pub leaves: Vec<Leaf>,
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or_default().to_string()
}

/// Strip a namespace prefix from a QName value (`ter:NotAuthorized` → `NotAuthorized`).
pub fn strip_prefix(q: &str) -> &str {
    q.trim().rsplit(':').next().unwrap_or_default()
}

/// Flatten an XML document into leaves.
pub fn flatten(bytes: &[u8]) -> Result<Flat, ParseError> {
    if bytes.len() > MAX_SOAP_BYTES {
        return Err(ParseError::TooLarge {
            limit: MAX_SOAP_BYTES,
        });
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = quick_xml::Reader::from_str(text);
    {
        let c = reader.config_mut();
        c.check_end_names = false;
        c.allow_unmatched_ends = true;
        c.allow_dangling_amp = true;
    }
    struct Open {
        name: String,
        id: u32,
        text: String,
        has_child: bool,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut flat = Flat::default();
    let mut next_id: u32 = 0;
    let mut root_closed = false;

    let push_leaf = |flat: &mut Flat, stack: &[Open], name: String, id: u32, text: &str| {
        if flat.leaves.len() >= MAX_LEAVES {
            return;
        }
        let mut path: Vec<String> = stack.iter().map(|o| o.name.clone()).collect();
        let mut ids: Vec<u32> = stack.iter().map(|o| o.id).collect();
        path.push(name);
        ids.push(id);
        flat.leaves.push(Leaf {
            path,
            ids,
            text: text.trim().to_string(),
        });
    };
    let add_text = |stack: &mut Vec<Open>, s: &str| {
        if let Some(top) = stack.last_mut()
            && top.text.len() < MAX_TEXT_CHARS * 4
        {
            top.text.push_str(s);
        }
    };

    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                if root_closed {
                    break;
                }
                return Err(ParseError::malformed(format!("XML: {e}")));
            }
        };
        match ev {
            Event::Start(s) => {
                if root_closed {
                    break;
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::malformed("XML nested too deeply"));
                }
                let name = local(s.local_name().as_ref());
                if stack.is_empty() && flat.root.is_empty() {
                    flat.root.clone_from(&name);
                }
                if let Some(top) = stack.last_mut() {
                    top.has_child = true;
                }
                next_id = next_id.wrapping_add(1);
                stack.push(Open {
                    name,
                    id: next_id,
                    text: String::new(),
                    has_child: false,
                });
            }
            Event::Empty(s) => {
                if root_closed {
                    break;
                }
                let name = local(s.local_name().as_ref());
                if stack.is_empty() && flat.root.is_empty() {
                    flat.root.clone_from(&name);
                    root_closed = true;
                }
                if let Some(top) = stack.last_mut() {
                    top.has_child = true;
                }
                next_id = next_id.wrapping_add(1);
                push_leaf(&mut flat, &stack, name, next_id, "");
            }
            Event::End(e) => {
                let name = local(e.local_name().as_ref());
                // Tolerate mismatched end tags: close up to the matching open element, or
                // just the innermost one when nothing matches.
                let depth = stack
                    .iter()
                    .rposition(|o| o.name == name)
                    .unwrap_or(stack.len().saturating_sub(1));
                while stack.len() > depth {
                    let Some(o) = stack.pop() else { break };
                    if !o.has_child {
                        let t = crate::util::truncate_chars(o.text.trim(), MAX_TEXT_CHARS);
                        push_leaf(&mut flat, &stack, o.name, o.id, &t);
                    }
                }
                if stack.is_empty() && !flat.root.is_empty() {
                    root_closed = true;
                }
            }
            Event::Text(t) => add_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => add_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                match resolved {
                    Some(c) => add_text(&mut stack, c.encode_utf8(&mut [0; 4])),
                    None => add_text(&mut stack, &format!("&{};", &*r)),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if flat.root.is_empty() {
        return Err(ParseError::malformed("no XML element"));
    }
    if !root_closed && !stack.is_empty() {
        // Truncated document: keep what was complete, but say so when nothing was.
        if flat.leaves.is_empty() {
            return Err(ParseError::Incomplete);
        }
    }
    Ok(flat)
}

/// A SOAP fault (1.1 or 1.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SoapFault {
    /// `Sender`, `Receiver` (1.2) or `Client`, `Server` (1.1), prefix stripped.
    pub code: String,
    /// Subcodes, outermost first, prefixes stripped (`NotAuthorized`, `ActionNotSupported`…).
    pub subcodes: Vec<String>,
    pub reason: String,
}

impl std::fmt::Display for SoapFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.code.is_empty() {
            "Fault"
        } else {
            &self.code
        })?;
        for s in &self.subcodes {
            write!(f, "/{s}")?;
        }
        if !self.reason.is_empty() {
            write!(f, ": {}", self.reason)?;
        }
        Ok(())
    }
}

/// `GetDeviceInformationResponse` fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceInformation {
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub firmware_version: Option<String>,
    pub serial_number: Option<String>,
    pub hardware_id: Option<String>,
}

/// A date and time as ONVIF splits it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateTimeParts {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl DateTimeParts {
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// `GetSystemDateAndTimeResponse` fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemDateTime {
    /// `NTP` or `Manual`.
    pub date_time_type: Option<String>,
    pub daylight_savings: Option<String>,
    /// POSIX TZ string.
    pub tz: Option<String>,
    pub utc: Option<DateTimeParts>,
    pub local: Option<DateTimeParts>,
}

impl SystemDateTime {
    /// `YYYY-MM-DDTHH:MM:SSZ` from the UTC time, or the local time without `Z` when the device
    /// gave no UTC time.
    pub fn display(&self) -> Option<String> {
        if let Some(u) = &self.utc {
            return Some(format!("{}Z", u.iso()));
        }
        self.local.as_ref().map(DateTimeParts::iso)
    }
}

/// What one ONVIF device-service reply carried.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SoapResponse {
    /// Local name of the first element in `Body` (`GetDeviceInformationResponse`, `Fault`…).
    pub body_element: Option<String>,
    pub fault: Option<SoapFault>,
    pub device_info: Option<DeviceInformation>,
    pub datetime: Option<SystemDateTime>,
    /// `GetScopesResponse` scope items.
    pub scopes: Vec<String>,
}

/// Parse an ONVIF device-service SOAP reply. The root must be an `Envelope`.
pub fn parse_soap(bytes: &[u8]) -> Result<SoapResponse, ParseError> {
    let flat = flatten(bytes)?;
    if flat.root != "Envelope" {
        return Err(ParseError::malformed(format!(
            "SOAP envelope (root element is {})",
            crate::util::truncate_chars(&flat.root, 40)
        )));
    }
    let mut r = SoapResponse {
        body_element: flat.leaves.iter().find_map(|l| {
            let i = l.path.iter().position(|p| p == "Body")?;
            l.path.get(i + 1).cloned()
        }),
        ..Default::default()
    };
    // Fault
    if flat.leaves.iter().any(|l| l.under("Fault")) {
        let mut f = SoapFault::default();
        for l in flat.leaves.iter().filter(|l| l.under("Fault")) {
            if l.ends_with(&["Code", "Value"]) || l.name() == "faultcode" {
                f.code = strip_prefix(&l.text).to_string();
            } else if l.ends_with(&["Subcode", "Value"]) {
                f.subcodes.push(strip_prefix(&l.text).to_string());
            } else if (l.ends_with(&["Reason", "Text"]) || l.name() == "faultstring")
                && f.reason.is_empty()
            {
                f.reason.clone_from(&l.text);
            }
        }
        r.fault = Some(f);
    }
    // GetDeviceInformation
    if flat
        .leaves
        .iter()
        .any(|l| l.under("GetDeviceInformationResponse"))
    {
        let mut d = DeviceInformation::default();
        for l in flat
            .leaves
            .iter()
            .filter(|l| l.under("GetDeviceInformationResponse") && !l.text.is_empty())
        {
            let slot = match l.name() {
                "Manufacturer" => &mut d.manufacturer,
                "Model" => &mut d.model,
                "FirmwareVersion" => &mut d.firmware_version,
                "SerialNumber" => &mut d.serial_number,
                "HardwareId" => &mut d.hardware_id,
                _ => continue,
            };
            slot.get_or_insert_with(|| l.text.clone());
        }
        r.device_info = Some(d);
    }
    // GetSystemDateAndTime
    if flat.leaves.iter().any(|l| l.under("SystemDateAndTime")) {
        let mut s = SystemDateTime::default();
        let mut utc = DateTimeParts::default();
        let mut local = DateTimeParts::default();
        let (mut utc_n, mut local_n) = (0, 0);
        for l in flat.leaves.iter().filter(|l| l.under("SystemDateAndTime")) {
            match l.name() {
                "DateTimeType" => s.date_time_type = Some(l.text.clone()),
                "DaylightSavings" => s.daylight_savings = Some(l.text.clone()),
                "TZ" => s.tz = Some(l.text.clone()),
                field => {
                    let Ok(v) = l.text.trim().parse::<u32>() else {
                        continue;
                    };
                    let (parts, n) = if l.under("UTCDateTime") {
                        (&mut utc, &mut utc_n)
                    } else if l.under("LocalDateTime") {
                        (&mut local, &mut local_n)
                    } else {
                        continue;
                    };
                    let slot = match field {
                        "Year" if v <= 9999 => &mut parts.year,
                        "Month" if v <= 99 => &mut parts.month,
                        "Day" if v <= 99 => &mut parts.day,
                        "Hour" if v <= 99 => &mut parts.hour,
                        "Minute" if v <= 99 => &mut parts.minute,
                        "Second" if v <= 99 => &mut parts.second,
                        _ => continue,
                    };
                    *slot = v;
                    *n += 1;
                }
            }
        }
        if utc_n > 0 {
            s.utc = Some(utc);
        }
        if local_n > 0 {
            s.local = Some(local);
        }
        r.datetime = Some(s);
    }
    // GetScopes
    r.scopes = flat
        .leaves
        .iter()
        .filter(|l| l.under("GetScopesResponse") && l.name() == "ScopeItem" && !l.text.is_empty())
        .map(|l| l.text.clone())
        .take(128)
        .collect();
    Ok(r)
}

/// One WS-Discovery `ProbeMatch`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeMatch {
    /// `EndpointReference/Address` (usually `urn:uuid:…`).
    pub address: Option<String>,
    /// QNames as sent (`dn:NetworkVideoTransmitter tds:Device`), whitespace-split.
    pub types: Vec<String>,
    pub scopes: Vec<String>,
    pub xaddrs: Vec<String>,
    pub metadata_version: Option<String>,
}

const MAX_LIST: usize = 64;

fn split_list(s: &str) -> Vec<String> {
    s.split_whitespace()
        .take(MAX_LIST)
        .map(str::to_string)
        .collect()
}

/// Parse a WS-Discovery reply; returns its `ProbeMatch` entries (empty for an envelope with
/// none, e.g. a `Hello`).
pub fn parse_probe_matches(bytes: &[u8]) -> Result<Vec<ProbeMatch>, ParseError> {
    let flat = flatten(bytes)?;
    if flat.root != "Envelope" {
        return Err(ParseError::malformed("SOAP envelope"));
    }
    let mut out: Vec<(u32, ProbeMatch)> = Vec::new();
    for l in flat.leaves.iter().filter(|l| l.under("ProbeMatch")) {
        let Some(id) = l.id_of("ProbeMatch") else {
            continue;
        };
        let idx = if let Some(i) = out.iter().position(|(i, _)| *i == id) {
            i
        } else {
            if out.len() >= MAX_LIST {
                break;
            }
            out.push((id, ProbeMatch::default()));
            out.len() - 1
        };
        let m = &mut out[idx].1;
        match l.name() {
            "Address" if l.under("EndpointReference") => m.address = Some(l.text.clone()),
            "Types" => m.types.extend(split_list(&l.text)),
            "Scopes" => m.scopes.extend(split_list(&l.text)),
            "XAddrs" => m.xaddrs.extend(split_list(&l.text)),
            "MetadataVersion" => m.metadata_version = Some(l.text.clone()),
            _ => {}
        }
    }
    Ok(out.into_iter().map(|(_, m)| m).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// GetDeviceInformation reply, shaped like gSOAP-based camera firmware (SOAP 1.2, many
    /// namespace declarations, a `tds:` prefix).
    pub(crate) const DEVICE_INFO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
  <SOAP-ENV:Header></SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <tds:GetDeviceInformationResponse>
      <tds:Manufacturer>HIKVISION</tds:Manufacturer>
      <tds:Model>DS-2CD2032-I</tds:Model>
      <tds:FirmwareVersion>V5.3.0 build 150513</tds:FirmwareVersion>
      <tds:SerialNumber>DS-2CD2032-I20150101AAWR000000000</tds:SerialNumber>
      <tds:HardwareId>88</tds:HardwareId>
    </tds:GetDeviceInformationResponse>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>"#;

    /// The fault ONVIF devices return to an operation that needs credentials (ONVIF Core
    /// spec, "ter:NotAuthorized"), with an `env:` prefix as several firmwares use.
    pub(crate) const NOT_AUTHORIZED: &str = r#"<?xml version="1.0" ?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Sender not Authorized</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#;

    pub(crate) const DATE_TIME: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetSystemDateAndTimeResponse xmlns="http://www.onvif.org/ver10/device/wsdl"><SystemDateAndTime><DateTimeType xmlns="http://www.onvif.org/ver10/schema">NTP</DateTimeType><DaylightSavings xmlns="http://www.onvif.org/ver10/schema">false</DaylightSavings><TimeZone xmlns="http://www.onvif.org/ver10/schema"><TZ>CST-7:00:00</TZ></TimeZone><UTCDateTime xmlns="http://www.onvif.org/ver10/schema"><Time><Hour>3</Hour><Minute>4</Minute><Second>5</Second></Time><Date><Year>2026</Year><Month>11</Month><Day>2</Day></Date></UTCDateTime><LocalDateTime xmlns="http://www.onvif.org/ver10/schema"><Time><Hour>10</Hour><Minute>4</Minute><Second>5</Second></Time><Date><Year>2026</Year><Month>11</Month><Day>2</Day></Date></LocalDateTime></SystemDateAndTime></GetSystemDateAndTimeResponse></s:Body></s:Envelope>"#;

    pub(crate) const SCOPES: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><env:Body><tds:GetScopesResponse><tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/type/video_encoder</tt:ScopeItem></tds:Scopes><tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/hardware/IPC-HDW1230S</tt:ScopeItem></tds:Scopes><tds:Scopes><tt:ScopeDef>Configurable</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/name/Dahua</tt:ScopeItem></tds:Scopes></tds:GetScopesResponse></env:Body></env:Envelope>"#;

    /// A ProbeMatches reply with the WS-Discovery 2005/04 namespaces that ONVIF devices use.
    pub(crate) const PROBE_MATCHES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<SOAP-ENV:Header><wsa:MessageID>uuid:11111111-2222-3333-4444-555555555555</wsa:MessageID><wsa:RelatesTo>uuid:0</wsa:RelatesTo><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
<SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch>
<wsa:EndpointReference><wsa:Address>urn:uuid:a1b2c3d4-0000-1111-2222-bcbaf5000000</wsa:Address></wsa:EndpointReference>
<wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types>
<wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming
 onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G0-I onvif://www.onvif.org/location/city/hangzhou</wsdd:Scopes>
<wsdd:XAddrs>http://192.0.2.10/onvif/device_service http://[fe80::1]/onvif/device_service</wsdd:XAddrs>
<wsdd:MetadataVersion>10</wsdd:MetadataVersion>
</wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

    #[test]
    fn device_information() {
        let r = parse_soap(DEVICE_INFO.as_bytes()).unwrap();
        assert_eq!(
            r.body_element.as_deref(),
            Some("GetDeviceInformationResponse")
        );
        let d = r.device_info.unwrap();
        assert_eq!(d.manufacturer.as_deref(), Some("HIKVISION"));
        assert_eq!(d.model.as_deref(), Some("DS-2CD2032-I"));
        assert_eq!(d.firmware_version.as_deref(), Some("V5.3.0 build 150513"));
        assert_eq!(d.hardware_id.as_deref(), Some("88"));
        assert!(r.fault.is_none());
    }

    #[test]
    fn prefix_agnostic() {
        let other = DEVICE_INFO.replace("tds:", "ns9:").replace("SOAP-ENV:", "");
        let r = parse_soap(other.as_bytes()).unwrap();
        assert_eq!(
            r.device_info.unwrap().model.as_deref(),
            Some("DS-2CD2032-I")
        );
    }

    #[test]
    fn fault_not_authorized() {
        let r = parse_soap(NOT_AUTHORIZED.as_bytes()).unwrap();
        let f = r.fault.unwrap();
        assert_eq!(f.code, "Sender");
        assert_eq!(f.subcodes, ["NotAuthorized"]);
        assert_eq!(f.to_string(), "Sender/NotAuthorized: Sender not Authorized");
        assert!(r.device_info.is_none());
    }

    #[test]
    fn soap11_fault() {
        let x = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Action not supported</faultstring></soap:Fault></soap:Body></soap:Envelope>"#;
        let f = parse_soap(x.as_bytes()).unwrap().fault.unwrap();
        assert_eq!(f.to_string(), "Client: Action not supported");
    }

    #[test]
    fn date_time() {
        let d = parse_soap(DATE_TIME.as_bytes()).unwrap().datetime.unwrap();
        assert_eq!(d.display().as_deref(), Some("2026-11-02T03:04:05Z"));
        assert_eq!(d.tz.as_deref(), Some("CST-7:00:00"));
        assert_eq!(d.date_time_type.as_deref(), Some("NTP"));
        assert_eq!(d.local.unwrap().hour, 10);
    }

    #[test]
    fn scopes() {
        let r = parse_soap(SCOPES.as_bytes()).unwrap();
        assert_eq!(r.scopes.len(), 3);
        assert_eq!(r.scopes[1], "onvif://www.onvif.org/hardware/IPC-HDW1230S");
    }

    #[test]
    fn probe_matches() {
        let m = parse_probe_matches(PROBE_MATCHES.as_bytes()).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].types, ["dn:NetworkVideoTransmitter", "tds:Device"]);
        assert_eq!(m[0].scopes.len(), 5);
        assert!(
            m[0].scopes
                .contains(&"onvif://www.onvif.org/hardware/DS-2CD2143G0-I".to_string())
        );
        assert_eq!(m[0].xaddrs.len(), 2);
        assert_eq!(
            m[0].address.as_deref(),
            Some("urn:uuid:a1b2c3d4-0000-1111-2222-bcbaf5000000")
        );
        assert_eq!(m[0].metadata_version.as_deref(), Some("10"));
    }

    #[test]
    fn entities_cdata_and_tolerance() {
        let x = "<E><Body><GetScopesResponse><ScopeItem>a&amp;b&#x41;&unknown;</ScopeItem><ScopeItem><![CDATA[<c>]]></ScopeItem></GetScopesResponse></Body></E>";
        let f = flatten(x.as_bytes()).unwrap();
        assert_eq!(f.leaves[0].text, "a&bA&unknown;");
        assert_eq!(f.leaves[1].text, "<c>");
        // mismatched end tag and trailing garbage after the root
        let x = "<Envelope><Body><A>1</B></Body></Envelope>\x00\x01garbage<<<";
        let f = flatten(x.as_bytes()).unwrap();
        assert_eq!(f.leaves[0].text, "1");
        // not SOAP
        assert!(parse_soap(b"<html><title>x</title></html>").is_err());
        assert!(parse_soap(b"").is_err());
        assert!(parse_soap(b"\xff\xfe garbage").is_err());
        assert!(parse_probe_matches(b"<a>").is_err());
    }

    #[test]
    fn bounded() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(flatten(deep.as_bytes()).is_err());
        let big = vec![b' '; MAX_SOAP_BYTES + 1];
        assert_eq!(
            flatten(&big),
            Err(ParseError::TooLarge {
                limit: MAX_SOAP_BYTES
            })
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let _ = parse_soap(&bytes);
            let _ = parse_probe_matches(&bytes);
        }

        #[test]
        fn never_panics_xmlish(s in "(<[a-zA-Z:]{1,6}>|</[a-zA-Z:]{1,6}>|<[a-z]{1,3}/>|&[a-z#0-9]{0,5};|<!\\[CDATA\\[|\\]\\]>|[a-z ]{0,5}){0,60}") {
            let _ = parse_soap(s.as_bytes());
            let _ = parse_probe_matches(s.as_bytes());
        }
    }
}
