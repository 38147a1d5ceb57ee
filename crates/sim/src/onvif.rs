//! ONVIF device and media service (SOAP 1.2) with WS-Security UsernameToken checking.
//!
//! Pre-authentication operations (ONVIF Core access class PRE_AUTH) always answer:
//! GetSystemDateAndTime, GetCapabilities, GetServices, GetServiceCapabilities, GetWsdlUrl,
//! GetEndpointReference. Everything else needs a valid token when the variant asks for one.

use crate::auth::{self, UsernameToken};
use crate::http::{Request, Resp};
use crate::profile::{OnvifAuth, OnvifDef, Role};
use crate::runtime::HostRt;
use crate::template::render;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::time::Duration;

const PRE_AUTH: &[&str] = &[
    "GetSystemDateAndTime",
    "GetCapabilities",
    "GetServices",
    "GetServiceCapabilities",
    "GetWsdlUrl",
    "GetEndpointReference",
];

/// What a SOAP request asked for.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct SoapReq {
    /// Local name of the first element of the Body.
    pub op: String,
    pub token: Option<UsernameToken>,
    pub profile_token: Option<String>,
    pub message_id: Option<String>,
    pub types: Option<String>,
}

fn entity(name: &str) -> &'static str {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

/// Extracts the operation, the UsernameToken and a few parameters. `None` if not a SOAP
/// envelope with a body element.
pub(crate) fn parse_soap(xml: &str) -> Option<SoapReq> {
    let mut r = Reader::from_str(xml);
    r.config_mut().trim_text(true);
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut out = SoapReq::default();
    let mut token = UsernameToken::default();
    let mut saw_token = false;
    let mut saw_envelope = false;
    let mut events = 0usize;
    loop {
        events += 1;
        if events > 20_000 || stack.len() > 64 {
            return None;
        }
        let ev = r.read_event().ok()?;
        match ev {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                on_open(
                    &e,
                    &name,
                    &stack,
                    &mut out,
                    &mut token,
                    &mut saw_token,
                    &mut saw_envelope,
                )?;
                stack.push((name, String::new()));
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                on_open(
                    &e,
                    &name,
                    &stack,
                    &mut out,
                    &mut token,
                    &mut saw_token,
                    &mut saw_envelope,
                )?;
                assign(&name, String::new(), &stack, &mut out, &mut token);
            }
            Event::End(_) => {
                let (name, text) = stack.pop()?;
                assign(&name, text, &stack, &mut out, &mut token);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.1.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.1.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(g) => {
                if let Some(top) = stack.last_mut() {
                    let n = g.into_inner();
                    top.1.push_str(entity(&n));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_envelope || out.op.is_empty() {
        return None;
    }
    if saw_token {
        out.token = Some(token);
    }
    Some(out)
}

fn assign(
    name: &str,
    text: String,
    parents: &[(String, String)],
    out: &mut SoapReq,
    token: &mut UsernameToken,
) {
    let in_token = parents.iter().any(|(n, _)| n == "UsernameToken");
    match name {
        "Username" if in_token => token.username = text,
        "Password" if in_token => token.password = text,
        "Nonce" if in_token => token.nonce_b64 = text,
        "Created" if in_token => token.created = text,
        "ProfileToken" => out.profile_token = Some(text),
        "MessageID" => out.message_id = Some(text),
        "Types" => out.types = Some(text),
        _ => {}
    }
}

fn on_open(
    e: &quick_xml::events::BytesStart<'_>,
    name: &str,
    stack: &[(String, String)],
    out: &mut SoapReq,
    token: &mut UsernameToken,
    saw_token: &mut bool,
    saw_envelope: &mut bool,
) -> Option<()> {
    if stack.is_empty() {
        if name != "Envelope" {
            return None;
        }
        *saw_envelope = true;
    }
    if out.op.is_empty() && stack.last().is_some_and(|(n, _)| n == "Body") {
        out.op = name.to_string();
    }
    if name == "Password" {
        for a in e.attributes().flatten() {
            if a.key.local_name().as_ref() == "Type" {
                token.password_type = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(std::borrow::Cow::into_owned)
                    .unwrap_or_default();
            }
        }
    }
    if name == "UsernameToken" {
        *saw_token = true;
    }
    Some(())
}

const NS: &str = r#"xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:ter="http://www.onvif.org/ver10/error" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#;

pub(crate) fn envelope(prefix: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{prefix}:Envelope xmlns:{prefix}=\"http://www.w3.org/2003/05/soap-envelope\" {NS}><{prefix}:Header></{prefix}:Header><{prefix}:Body>{body}</{prefix}:Body></{prefix}:Envelope>\n"
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn soap_resp(o: &OnvifDef, status: u16, body: &str) -> Resp {
    Resp::new(status).body(
        "application/soap+xml; charset=utf-8",
        envelope(&o.envelope_prefix, body),
    )
}

pub(crate) fn fault(o: &OnvifDef, status: u16, code: &str, subcode: &str, reason: &str) -> Resp {
    let p = &o.envelope_prefix;
    let body = format!(
        "<{p}:Fault><{p}:Code><{p}:Value>{p}:{code}</{p}:Value><{p}:Subcode><{p}:Value>{subcode}</{p}:Value></{p}:Subcode></{p}:Code><{p}:Reason><{p}:Text xml:lang=\"en\">{reason}</{p}:Text></{p}:Reason></{p}:Fault>"
    );
    soap_resp(o, status, &body)
}

fn base_url(ip: &str, port: u16) -> String {
    if port == 80 {
        format!("http://{ip}")
    } else {
        format!("http://{ip}:{port}")
    }
}

/// Handles one SOAP POST.
pub(crate) fn handle(host: &HostRt, req: &Request, port: u16) -> Resp {
    let plan = &host.plan;
    let Some(o) = plan.profile.def.onvif.as_ref() else {
        return Resp::new(404);
    };
    let text = String::from_utf8_lossy(&req.body);
    let Some(soap) = parse_soap(&text) else {
        return fault(o, 400, "Sender", "ter:WellFormed", "Well-formed Error");
    };
    let op = soap.op.as_str();
    if !PRE_AUTH.contains(&op) && plan.variant.onvif_auth == OnvifAuth::Wsse {
        let lock = host.locks.onvif.as_ref();
        let ok = match &soap.token {
            Some(t) if !lock.is_some_and(super::auth::Lockout::locked) => auth::verify_wsse(
                t,
                &plan.user,
                &plan.password,
                o.accept_password_text,
                Duration::from_secs(o.max_skew_secs),
            )
            .is_ok(),
            _ => false,
        };
        if !ok {
            if soap.token.is_some()
                && let Some(l) = lock
            {
                l.failure();
            }
            return fault(
                o,
                o.fault_status,
                "Sender",
                "ter:NotAuthorized",
                "Sender not Authorized",
            );
        }
    }
    let v = &plan.vars;
    let ip = plan.ip.to_string();
    let base = base_url(&ip, port);
    let dev = format!("{base}{}", o.device_service);
    let media = format!("{base}{}", o.media_service);
    let e = |s: &str| xml_escape(s);
    let body = match op {
        "GetSystemDateAndTime" => {
            let now = time::OffsetDateTime::now_utc();
            format!(
                "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>GMT0</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>{}</tt:Hour><tt:Minute>{}</tt:Minute><tt:Second>{}</tt:Second></tt:Time><tt:Date><tt:Year>{}</tt:Year><tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>",
                now.hour(),
                now.minute(),
                now.second(),
                now.year(),
                u8::from(now.month()),
                now.day()
            )
        }
        "GetDeviceInformation" => format!(
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>{}</tds:Manufacturer><tds:Model>{}</tds:Model><tds:FirmwareVersion>{}</tds:FirmwareVersion><tds:SerialNumber>{}</tds:SerialNumber><tds:HardwareId>{}</tds:HardwareId></tds:GetDeviceInformationResponse>",
            e(&v["manufacturer"]),
            e(&v["model"]),
            e(&v["firmware"]),
            e(&v["serial"]),
            e(&v["hardware_id"])
        ),
        "GetScopes" => {
            let mut s = String::from("<tds:GetScopesResponse>");
            for sc in &o.scopes {
                s.push_str(&format!("<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>{}</tt:ScopeItem></tds:Scopes>", e(&render(sc, v))));
            }
            s.push_str("</tds:GetScopesResponse>");
            s
        }
        "GetCapabilities" => format!(
            "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>{dev}</tt:XAddr></tt:Device><tt:Media><tt:XAddr>{media}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>"
        ),
        "GetServices" => format!(
            "<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>{dev}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service><tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>{media}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service></tds:GetServicesResponse>"
        ),
        "GetServiceCapabilities" => "<tds:GetServiceCapabilitiesResponse><tds:Capabilities><tds:Network/><tds:Security UsernameToken=\"true\" HttpDigest=\"false\"/><tds:System/></tds:Capabilities></tds:GetServiceCapabilitiesResponse>".to_string(),
        "GetHostname" => format!("<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP><tt:Name>{}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>", e(&v["device_name"])),
        "GetNetworkInterfaces" => format!(
            "<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token=\"eth0\"><tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>{}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info><tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>{ip}</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>",
            e(&v["mac"])
        ),
        "GetUsers" => format!("<tds:GetUsersResponse><tds:User><tt:Username>{}</tt:Username><tt:UserLevel>Administrator</tt:UserLevel></tds:User></tds:GetUsersResponse>", e(&plan.user)),
        "GetProfiles" => {
            let mut s = String::from("<trt:GetProfilesResponse>");
            for (tok, name, w, h) in [("Profile_1", "mainStream", 1920, 1080), ("Profile_2", "subStream", 640, 360)] {
                s.push_str(&format!(
                    "<trt:Profiles token=\"{tok}\" fixed=\"true\"><tt:Name>{name}</tt:Name><tt:VideoEncoderConfiguration token=\"VideoEncoderToken_{tok}\"><tt:Name>VideoEncoder_{tok}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution><tt:Quality>3</tt:Quality></tt:VideoEncoderConfiguration></trt:Profiles>"
                ));
            }
            s.push_str("</trt:GetProfilesResponse>");
            s
        }
        "GetStreamUri" => {
            let sub = soap.profile_token.as_deref() == Some("Profile_2");
            format!(
                "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>{}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>",
                e(&stream_uri(host, sub))
            )
        }
        "GetSnapshotUri" => match &o.snapshot_uri {
            Some(u) => format!(
                "<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>{}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>",
                e(&render(u, v))
            ),
            None => return fault(o, 400, "Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented"),
        },
        "GetVideoSources" => "<trt:GetVideoSourcesResponse><trt:VideoSources token=\"VideoSource_1\"><tt:Framerate>25</tt:Framerate><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>".to_string(),
        _ => return fault(o, 400, "Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented"),
    };
    soap_resp(o, 200, &body)
}

/// The RTSP URI of the main (or sub) stream.
pub(crate) fn stream_uri(host: &HostRt, sub: bool) -> String {
    let plan = &host.plan;
    let def = &plan.profile.def;
    let port = def
        .services
        .iter()
        .find(|s| s.role == Role::Rtsp)
        .map_or(554, |s| s.port);
    let r = def.rtsp.as_ref();
    let first = r
        .and_then(|r| r.routes.iter().find(|x| !x.ends_with('*')).cloned())
        .unwrap_or_else(|| "/".into());
    let path = match (sub, r) {
        (true, Some(r)) if r.sub_stream.is_some() => r.sub_stream.clone().unwrap_or_default(),
        (_, Some(r)) => r.main_stream.clone().unwrap_or(first),
        _ => first,
    };
    let path = render(&path, &plan.vars);
    if port == 554 {
        format!("rtsp://{}{}", plan.ip, path)
    } else {
        format!("rtsp://{}:{port}{}", plan.ip, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_soap_with_token() {
        let x = r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>admin</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">abc=</Password><Nonce EncodingType="x">bm9uY2U=</Nonce><Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2024-01-01T00:00:00Z</Created></UsernameToken></Security></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>"#;
        let r = parse_soap(x).unwrap();
        assert_eq!(r.op, "GetDeviceInformation");
        let t = r.token.unwrap();
        assert_eq!(t.username, "admin");
        assert_eq!(t.password, "abc=");
        assert!(t.password_type.ends_with("#PasswordDigest"));
        assert_eq!(t.nonce_b64, "bm9uY2U=");
        assert_eq!(t.created, "2024-01-01T00:00:00Z");
    }

    #[test]
    fn parses_plain_and_refuses_garbage() {
        let x = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><trt:GetStreamUri xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><trt:StreamSetup/><trt:ProfileToken>Profile_2</trt:ProfileToken></trt:GetStreamUri></soap:Body></soap:Envelope>"#;
        let r = parse_soap(x).unwrap();
        assert_eq!(r.op, "GetStreamUri");
        assert_eq!(r.profile_token.as_deref(), Some("Profile_2"));
        assert!(r.token.is_none());
        assert!(parse_soap("hello").is_none());
        assert!(parse_soap("<a><b/></a>").is_none());
        assert!(parse_soap("<s:Envelope><s:Body></s:Body></s:Envelope>").is_none());
        let _ = parse_soap("<s:Envelope><s:Body><x>"); // must not panic
        let _ = parse_soap("<s:Envelope><s:Body><x>&bogus;</x></s:Body></s:Envelope>");
    }
}
