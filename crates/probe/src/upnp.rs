//! UPnP, unicast only: an SSDP `M-SEARCH` sent to UDP 1900 of the scanned host (never to the
//! multicast group), and the device description the host serves over HTTP: at the `LOCATION`
//! its SSDP reply names, fetched only when that URL's host is exactly the scanned address, or
//! at a path of an HTTP port that was scanned.
//!
//! The description (UPnP Device Architecture 1.0 §2.3) says what the device is
//! (`deviceType`, e.g. `urn:schemas-upnp-org:device:DigitalSecurityCamera:1` or
//! `…:InternetGatewayDevice:1`), who made it and which model it is; its fields become `upnp.*`
//! observations that the knowledge base's words and maker dictionary read like any other
//! identity field. Everything is bounded: datagram size and count, description size (the SOAP
//! flattener's bounds), field length, number of embedded devices.

use crate::config::ProbeConfig;
use crate::error::ParseError;
use crate::keys;
use crate::soap::flatten;
use crate::util::truncate_chars;
use camguard_model::Observation;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout};

/// The SSDP port.
pub const SSDP_PORT: u16 = 1900;
/// Largest SSDP datagram looked at (replies are a few hundred bytes).
const MAX_DATAGRAM: usize = 4096;
/// Most datagrams looked at per probe.
const MAX_DATAGRAMS: usize = 8;
/// Largest description parsed.
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
/// Longest field value kept.
const MAX_FIELD_CHARS: usize = 256;
/// Most embedded device types kept.
const MAX_EMBEDDED: usize = 8;
/// Longest `LOCATION` followed.
const MAX_LOCATION_CHARS: usize = 512;

/// What an SSDP reply says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SsdpReply {
    pub location: Option<String>,
    pub server: Option<String>,
    pub st: Option<String>,
    pub usn: Option<String>,
}

/// The identity fields of a UPnP device description: the root device's, plus the device types
/// of its embedded devices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceDescription {
    pub device_type: Option<String>,
    pub friendly_name: Option<String>,
    pub manufacturer: Option<String>,
    pub manufacturer_url: Option<String>,
    pub model_name: Option<String>,
    pub model_number: Option<String>,
    pub model_description: Option<String>,
    pub serial_number: Option<String>,
    pub embedded_types: Vec<String>,
}

impl DeviceDescription {
    /// Whether the document named anything at all.
    pub fn is_empty(&self) -> bool {
        *self == DeviceDescription::default()
    }
}

/// The unicast `M-SEARCH` for root devices, addressed to `ip` itself.
pub fn msearch_message(ip: IpAddr) -> String {
    let host = match ip {
        IpAddr::V4(a) => format!("{a}:{SSDP_PORT}"),
        IpAddr::V6(a) => format!("[{a}]:{SSDP_PORT}"),
    };
    format!(
        "M-SEARCH * HTTP/1.1\r\nHOST: {host}\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n"
    )
}

/// Parse an SSDP `M-SEARCH` reply (`HTTP/1.1 200 OK` and header lines). Bounded by
/// 4 KiB; tolerant of bare `\n` line ends and of headers in any case.
pub fn parse_ssdp_reply(bytes: &[u8]) -> Result<SsdpReply, ParseError> {
    if bytes.len() > MAX_DATAGRAM {
        return Err(ParseError::TooLarge {
            limit: MAX_DATAGRAM,
        });
    }
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let status = lines.next().unwrap_or_default();
    let mut parts = status.split_ascii_whitespace();
    let proto_ok = parts
        .next()
        .and_then(|p| p.get(..5))
        .is_some_and(|p| p.eq_ignore_ascii_case("HTTP/"));
    if !proto_ok || parts.next() != Some("200") {
        return Err(ParseError::malformed("SSDP reply status line"));
    }
    let mut r = SsdpReply::default();
    for line in lines {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = clean(value);
        if value.is_empty() {
            continue;
        }
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "location" => &mut r.location,
            "server" => &mut r.server,
            "st" => &mut r.st,
            "usn" => &mut r.usn,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    Ok(r)
}

/// The TCP port and path of a `LOCATION` URL whose host is exactly `ip` (a literal address,
/// never a name: no DNS lookup, no other host). Plain `http` only; a URL with user
/// information is refused (a host hidden behind `@`).
pub fn location_on_host(location: &str, ip: IpAddr) -> Option<(u16, String)> {
    let loc = location.trim();
    if loc.len() > MAX_LOCATION_CHARS || loc.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let rest = match (loc.get(..7), loc.get(7..)) {
        (Some(scheme), Some(rest)) if scheme.eq_ignore_ascii_case("http://") => rest,
        _ => return None,
    };
    let (auth, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if auth.contains('@') || !path.starts_with('/') {
        return None;
    }
    let (host, port) = if let Some(h) = auth.strip_prefix('[') {
        let end = h.find(']')?;
        (&h[..end], h[end + 1..].strip_prefix(':'))
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (auth, None),
        }
    };
    let port = match port {
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0)?,
        None => 80,
    };
    let host_ip: IpAddr = host.parse().ok()?;
    (host_ip == ip).then(|| (port, path.to_string()))
}

/// Whether a body looks like a UPnP device description (worth parsing).
pub fn looks_like_description(body: &[u8]) -> bool {
    let head = &body[..body.len().min(4096)];
    crate::util::find_ci(head, b"urn:schemas-upnp-org:device-1-0", 0).is_some()
        || crate::util::find_ci(head, b"<deviceType>", 0).is_some()
}

/// Parse a UPnP device description. Namespace prefixes are ignored; the root device's fields
/// are the leaves directly under the first `device` element (one `device` on their path),
/// embedded devices' types those with more. Bounded by [`MAX_DESCRIPTION_BYTES`] and the SOAP
/// flattener's depth, leaf and text bounds; never panics.
pub fn parse_description(bytes: &[u8]) -> Result<DeviceDescription, ParseError> {
    if bytes.len() > MAX_DESCRIPTION_BYTES {
        return Err(ParseError::TooLarge {
            limit: MAX_DESCRIPTION_BYTES,
        });
    }
    let flat = flatten(bytes)?;
    let mut d = DeviceDescription::default();
    for leaf in &flat.leaves {
        let Some((field, ancestors)) = leaf.path.split_last() else {
            continue;
        };
        let devices = ancestors.iter().filter(|p| *p == "device").count();
        if devices == 0 || ancestors.last().map(String::as_str) != Some("device") {
            continue;
        }
        let value = clean(&leaf.text);
        if value.is_empty() {
            continue;
        }
        if devices > 1 {
            if field == "deviceType"
                && d.embedded_types.len() < MAX_EMBEDDED
                && !d.embedded_types.contains(&value)
            {
                d.embedded_types.push(value);
            }
            continue;
        }
        let slot = match field.as_str() {
            "deviceType" => &mut d.device_type,
            "friendlyName" => &mut d.friendly_name,
            "manufacturer" => &mut d.manufacturer,
            "manufacturerURL" => &mut d.manufacturer_url,
            "modelName" => &mut d.model_name,
            "modelNumber" => &mut d.model_number,
            "modelDescription" => &mut d.model_description,
            "serialNumber" => &mut d.serial_number,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    if d.is_empty() {
        return Err(ParseError::malformed("UPnP description without a device"));
    }
    Ok(d)
}

/// Observations of a parsed description, on the TCP port it was served from.
pub fn description_observations(port: u16, d: &DeviceDescription) -> Vec<Observation> {
    let mut out = Vec::new();
    for (k, v) in [
        (keys::UPNP_DEVICE_TYPE, &d.device_type),
        (keys::UPNP_FRIENDLY_NAME, &d.friendly_name),
        (keys::UPNP_MANUFACTURER, &d.manufacturer),
        (keys::UPNP_MANUFACTURER_URL, &d.manufacturer_url),
        (keys::UPNP_MODEL_NAME, &d.model_name),
        (keys::UPNP_MODEL_NUMBER, &d.model_number),
        (keys::UPNP_MODEL_DESCRIPTION, &d.model_description),
        (keys::UPNP_SERIAL, &d.serial_number),
    ] {
        if let Some(v) = v {
            out.push(Observation::new(port, k, v.clone()));
        }
    }
    for t in &d.embedded_types {
        out.push(Observation::new(port, keys::UPNP_DEVICE_TYPE, t.clone()));
    }
    out
}

/// Observations of a body fetched from `port` when it is a UPnP description (none otherwise).
pub fn body_observations(port: u16, body: &[u8]) -> Vec<Observation> {
    if !looks_like_description(body) {
        return Vec::new();
    }
    parse_description(body)
        .map(|d| description_observations(port, &d))
        .unwrap_or_default()
}

/// Collapse whitespace, drop control characters, bound the length.
fn clean(s: &str) -> String {
    let joined = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    truncate_chars(&joined, MAX_FIELD_CHARS)
}

/// Is `ip` an address a unicast datagram may go to? (Never multicast or broadcast.)
pub fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            !a.is_multicast() && !a.is_broadcast() && !a.is_unspecified() && a.octets()[3] != 255
        }
        IpAddr::V6(a) => !a.is_multicast() && !a.is_unspecified(),
    }
}

/// Send one unicast `M-SEARCH` to `ip:1900/udp` and turn the replies from that address into
/// `ssdp.*` observations (port 1900), then fetch the description at the first `LOCATION` on
/// the same address and add its `upnp.*` observations (on the description's TCP port). Waits
/// at most `read_timeout` for replies, one step for the description; never sends to a
/// multicast or broadcast address, never connects to any other address.
pub async fn ssdp_probe(ip: IpAddr, cfg: &ProbeConfig) -> Vec<Observation> {
    let replies = ssdp_replies(ip, cfg.read_timeout.min(cfg.step_timeout)).await;
    let mut out: Vec<Observation> = Vec::new();
    let push = |out: &mut Vec<Observation>, port: u16, k: &str, v: &str| {
        if !out.iter().any(|o| o.key == k && o.value == v) {
            out.push(Observation::new(port, k, v));
        }
    };
    let mut target: Option<(u16, String)> = None;
    for r in &replies {
        for (k, v) in [
            (keys::SSDP_SERVER, &r.server),
            (keys::SSDP_LOCATION, &r.location),
            (keys::SSDP_ST, &r.st),
            (keys::SSDP_USN, &r.usn),
        ] {
            if let Some(v) = v {
                push(&mut out, SSDP_PORT, k, v);
            }
        }
        if target.is_none() {
            target = r.location.as_deref().and_then(|l| location_on_host(l, ip));
        }
    }
    if let Some((port, path)) = target
        && let Ok(resp) = crate::http::http_get(ip, port, false, &path, cfg).await
        && (200..300).contains(&resp.status)
    {
        for o in body_observations(port, &resp.body) {
            push(&mut out, o.port, &o.key, &o.value);
        }
    }
    out
}

/// The parsed replies to one unicast `M-SEARCH` (at most eight, from `ip` only).
async fn ssdp_replies(ip: IpAddr, wait: Duration) -> Vec<SsdpReply> {
    let mut out = Vec::new();
    if !is_unicast(ip) || wait.is_zero() {
        return out;
    }
    let bind: SocketAddr = match ip {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let Ok(sock) = UdpSocket::bind(bind).await else {
        return out;
    };
    // Connected: the kernel drops datagrams from anyone else, and an ICMP "port unreachable"
    // (no SSDP service, the common case) ends the wait at once.
    if sock.connect(SocketAddr::new(ip, SSDP_PORT)).await.is_err()
        || sock.send(msearch_message(ip).as_bytes()).await.is_err()
    {
        return out;
    }
    let deadline = Instant::now() + wait;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut seen = 0;
    while seen < MAX_DATAGRAMS {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let mut left = deadline - now;
        if !out.is_empty() {
            // After a reply, linger only briefly for more.
            left = left.min(Duration::from_millis(250));
        }
        match timeout(left, sock.recv(&mut buf)).await {
            Ok(Ok(n)) => {
                seen += 1;
                if let Ok(r) = parse_ssdp_reply(&buf[..n]) {
                    out.push(r);
                }
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root description of an AXIS M1014 fixed network camera, as the axis-js project
    /// records it for its SSDP discovery tests (FantasticFiasco/axis-js,
    /// packages/axis-discovery-ssdp/test/root-descriptions/RootDescription.mock.ts, commit
    /// 647c15a475cc40011e21893e3a4fa243eb590a00); whitespace as there.
    pub(crate) const AXIS_M1014: &str = r#"<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">    <specVersion>        <major>1</major>        <minor>0</minor>    </specVersion>    <device>        <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>        <friendlyName>AXIS M1014 - ACCC8E270AD8</friendlyName>        <manufacturer>AXIS</manufacturer>        <manufacturerURL>http://www.axis.com/</manufacturerURL>        <modelDescription>AXIS M1014 Fixed Network Camera</modelDescription>        <modelName>AXIS M1014</modelName>        <modelNumber>M1014</modelNumber>        <modelURL>http://www.axis.com/</modelURL>        <serialNumber>ACCC8E270AD8</serialNumber>        <UDN>uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8</UDN>        <serviceList>            <service>                <serviceType>urn:axis-com:service:BasicService:1</serviceType>                <serviceId>urn:axis-com:serviceId:BasicServiceId</serviceId>                <controlURL>/upnp/control/BasicServiceId</controlURL>                <eventSubURL>/upnp/event/BasicServiceId</eventSubURL>                <SCPDURL>/scpd_basic.xml</SCPDURL>            </service>        </serviceList>        <presentationURL>http://192.168.1.102:80/</presentationURL>    </device>    <URLBase>http://192.168.1.102:51578/</URLBase></root>"#;

    /// The same project's record of that camera's `M-SEARCH` reply (test/sockets/Message.mock.ts).
    pub(crate) const AXIS_MSEARCH_REPLY: &str = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: Sun, 02 Oct 2016 21:11:25 GMT\r\nEXT:\r\nLOCATION: http://192.168.1.102:45895/rootdesc1.xml\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n01-NLS: 8fb2638a-1dd2-11b2-a915-c89968cce2ca\r\nSERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\nX-User-Agent: redsonic\r\nST: urn:axis-com:service:BasicService:1\r\nUSN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1\r\n";

    /// A MikroTik RouterOS internet gateway's description, as tailscale's port mapper tests
    /// keep it (tailscale/tailscale net/portmapper/upnp_test.go, `testSelectRootDesc`
    /// "adapted from mikrotikRootDescXML", commit 18f65b97798836f82cdf23f5b6aec16f1c5f08c3);
    /// services trimmed.
    pub(crate) const MIKROTIK_IGD: &str = r#"<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
    <friendlyName>MikroTik Router</friendlyName>
    <manufacturer>MikroTik</manufacturer>
    <manufacturerURL>https://www.mikrotik.com/</manufacturerURL>
    <modelName>Router OS</modelName>
    <UDN>uuid:UUID-MIKROTIK-INTERNET-GATEWAY-DEVICE-</UDN>
    <deviceList>
      <device>
        <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
        <friendlyName>WAN Device</friendlyName>
        <manufacturer>MikroTik</manufacturer>
        <modelName>Router OS</modelName>
        <deviceList>
          <device>
            <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
            <friendlyName>WAN Connection Device</friendlyName>
          </device>
        </deviceList>
      </device>
    </deviceList>
    <presentationURL>@SERVERURL@</presentationURL>
  </device>
  <URLBase>@SERVERURL@</URLBase>
</root>"#;

    #[test]
    fn axis_camera_description() {
        let d = parse_description(AXIS_M1014.as_bytes()).unwrap();
        assert_eq!(
            d.device_type.as_deref(),
            Some("urn:schemas-upnp-org:device:Basic:1")
        );
        assert_eq!(
            d.friendly_name.as_deref(),
            Some("AXIS M1014 - ACCC8E270AD8")
        );
        assert_eq!(d.manufacturer.as_deref(), Some("AXIS"));
        assert_eq!(d.manufacturer_url.as_deref(), Some("http://www.axis.com/"));
        assert_eq!(d.model_name.as_deref(), Some("AXIS M1014"));
        assert_eq!(d.model_number.as_deref(), Some("M1014"));
        assert_eq!(
            d.model_description.as_deref(),
            Some("AXIS M1014 Fixed Network Camera")
        );
        assert_eq!(d.serial_number.as_deref(), Some("ACCC8E270AD8"));
        assert!(d.embedded_types.is_empty());
        let o = description_observations(45895, &d);
        assert!(o.iter().all(|o| o.port == 45895));
        assert!(
            o.iter()
                .any(|o| o.key == keys::UPNP_MANUFACTURER && o.value == "AXIS")
        );
    }

    #[test]
    fn gateway_description_keeps_embedded_types_apart() {
        let d = parse_description(MIKROTIK_IGD.as_bytes()).unwrap();
        assert_eq!(
            d.device_type.as_deref(),
            Some("urn:schemas-upnp-org:device:InternetGatewayDevice:1")
        );
        // The root device's fields, not an embedded device's.
        assert_eq!(d.friendly_name.as_deref(), Some("MikroTik Router"));
        assert_eq!(
            d.embedded_types,
            [
                "urn:schemas-upnp-org:device:WANDevice:1",
                "urn:schemas-upnp-org:device:WANConnectionDevice:1"
            ]
        );
    }

    #[test]
    fn prefixed_and_entity_encoded_fields() {
        let xml = br#"<u:root xmlns:u="urn:schemas-upnp-org:device-1-0"><u:device><u:deviceType>urn:schemas-upnp-org:device:DigitalSecurityCamera:1</u:deviceType><u:friendlyName>Gate &amp; Yard
   camera</u:friendlyName></u:device></u:root>"#;
        let d = parse_description(xml).unwrap();
        assert_eq!(
            d.device_type.as_deref(),
            Some("urn:schemas-upnp-org:device:DigitalSecurityCamera:1")
        );
        assert_eq!(d.friendly_name.as_deref(), Some("Gate & Yard camera"));
    }

    #[test]
    fn not_a_description() {
        assert!(parse_description(b"<html><title>x</title></html>").is_err());
        assert!(parse_description(b"").is_err());
        assert!(body_observations(80, b"<html>urn:nothing</html>").is_empty());
        let big = vec![b'a'; MAX_DESCRIPTION_BYTES + 1];
        assert!(matches!(
            parse_description(&big),
            Err(ParseError::TooLarge { .. })
        ));
    }

    #[test]
    fn ssdp_reply_fields() {
        let r = parse_ssdp_reply(AXIS_MSEARCH_REPLY.as_bytes()).unwrap();
        assert_eq!(
            r.location.as_deref(),
            Some("http://192.168.1.102:45895/rootdesc1.xml")
        );
        assert_eq!(
            r.server.as_deref(),
            Some("Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18")
        );
        assert_eq!(r.st.as_deref(), Some("urn:axis-com:service:BasicService:1"));
        assert!(parse_ssdp_reply(b"NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\n\r\n").is_err());
        assert!(parse_ssdp_reply(b"HTTP/1.1 404 Not Found\r\n\r\n").is_err());
        assert!(parse_ssdp_reply(b"").is_err());
    }

    #[test]
    fn only_locations_on_the_scanned_address_are_followed() {
        let ip: IpAddr = "192.168.1.102".parse().unwrap();
        assert_eq!(
            location_on_host("http://192.168.1.102:45895/rootdesc1.xml", ip),
            Some((45895, "/rootdesc1.xml".to_string()))
        );
        assert_eq!(
            location_on_host("HTTP://192.168.1.102/d.xml", ip),
            Some((80, "/d.xml".to_string()))
        );
        for other in [
            "http://192.168.1.103:45895/rootdesc1.xml",
            "http://camera.example:80/d.xml",
            "http://192.168.1.102@10.0.0.1/d.xml",
            "http://user@192.168.1.102/d.xml",
            "https://192.168.1.102/d.xml",
            "//192.168.1.102/d.xml",
            "/d.xml",
            "http://192.168.1.102:0/d.xml",
            "http://192.168.1.102:99999/d.xml",
            "http://192.168.1.102 /d.xml",
            "ftp://192.168.1.102/d.xml",
        ] {
            assert_eq!(location_on_host(other, ip), None, "{other}");
        }
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(
            location_on_host("http://[::1]:5000/desc.xml", v6),
            Some((5000, "/desc.xml".to_string()))
        );
    }

    #[test]
    fn multibyte_text_where_a_scheme_or_status_is_expected() {
        // Byte offsets 5 and 7 fall inside a character: no slicing panic.
        assert!(parse_ssdp_reply("\u{20ac}\u{20ac}\u{20ac} 200 OK\r\n\r\n".as_bytes()).is_err());
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(location_on_host("ab\u{20ac}\u{20ac}/x", ip), None);
        assert_eq!(location_on_host("http:/\u{20ac}127.0.0.1/x", ip), None);
    }

    #[test]
    fn never_multicast_or_broadcast() {
        assert!(!is_unicast("239.255.255.250".parse().unwrap()));
        assert!(!is_unicast("255.255.255.255".parse().unwrap()));
        assert!(!is_unicast("10.1.2.255".parse().unwrap()));
        assert!(!is_unicast("ff02::c".parse().unwrap()));
        assert!(is_unicast("127.0.0.1".parse().unwrap()));
        assert!(msearch_message("127.0.0.1".parse().unwrap()).contains("HOST: 127.0.0.1:1900"));
    }

    proptest::proptest! {
        #[test]
        fn hostile_descriptions_are_bounded(body in proptest::collection::vec(proptest::num::u8::ANY, 0..20_000),
                                            value in "\\PC{0,5000}") {
            let _ = parse_description(&body);
            let _ = parse_ssdp_reply(&body);
            let xml = format!("<root><device><deviceType>{v}</deviceType><friendlyName>{v}</friendlyName><deviceList><device><deviceType>{v}</deviceType></device></deviceList></device></root>", v = value.replace('&', "&amp;").replace('<', "&lt;"));
            if let Ok(d) = parse_description(xml.as_bytes()) {
                for v in [&d.device_type, &d.friendly_name].into_iter().flatten() {
                    proptest::prop_assert!(v.chars().count() <= MAX_FIELD_CHARS);
                }
                proptest::prop_assert!(d.embedded_types.len() <= MAX_EMBEDDED);
            }
        }

        #[test]
        fn many_embedded_devices_are_bounded(n in 0usize..400) {
            let inner: String = (0..n).map(|i| format!("<device><deviceType>urn:x:device:T{i}:1</deviceType></device>")).collect();
            let xml = format!("<root><device><deviceType>urn:x:device:Root:1</deviceType><deviceList>{inner}</deviceList></device></root>");
            if let Ok(d) = parse_description(xml.as_bytes()) {
                proptest::prop_assert!(d.embedded_types.len() <= MAX_EMBEDDED.min(n));
                proptest::prop_assert!(description_observations(80, &d).len() <= 1 + MAX_EMBEDDED + 7);
            }
        }
    }
}
