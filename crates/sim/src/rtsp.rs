//! RTSP/1.0 server: OPTIONS, DESCRIBE, SETUP, PLAY (RTP interleaved or over UDP to the peer's
//! 127.x address), PAUSE, TEARDOWN, GET/SET_PARAMETER, with Basic/Digest auth per variant.

use crate::HostKind;
use crate::http::{self, Head, find_head_end, parse_head, split_target};
use crate::profile::{RtspDef, Scheme};
use crate::runtime::{self, HostRt, SvcRt};
use crate::template::{crlf, render, render_extra, runtime_rng};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

const MAX_MSG: usize = 8 * 1024;
const IDLE: Duration = Duration::from_secs(60);
const FIRST: Duration = Duration::from_secs(15);
const MAX_PLAY: Duration = Duration::from_secs(120);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const DEFAULT_SDP: &str = "v=0
o=- {sess} {sess} IN IP4 {ip}
s=Media Presentation
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=range:npt=now-
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=420029;sprop-parameter-sets=Z0IAKZY1QPAET8s3AQEBQAAAAwBAAAAHoQ==,aM4xsg==
a=control:trackID=1
a=recvonly
";

struct Track {
    interleaved: Option<u8>,
    udp_port: Option<u16>,
}

struct State {
    session: Option<String>,
    tracks: Vec<Track>,
    playing: Option<Instant>,
    udp: Option<UdpSocket>,
    seq: u16,
    ts: u32,
    ssrc: u32,
    pt: u8,
    sent: usize,
}

enum Action {
    None,
    Play,
    Close,
}

fn route_ok(r: &RtspDef, path: &str, prefix: bool) -> bool {
    let norm = |s: &str| {
        if r.case_insensitive {
            s.to_ascii_lowercase()
        } else {
            s.to_string()
        }
    };
    let p = norm(path);
    let p = p.trim_end_matches('/');
    r.routes.iter().any(|route| {
        let route = norm(route);
        if let Some(pre) = route.strip_suffix('*') {
            p.starts_with(pre)
        } else {
            let route = route.trim_end_matches('/');
            p == route || (prefix && p.starts_with(route) && p[route.len()..].starts_with('/'))
        }
    })
}

fn url_creds(path: &str) -> Option<(String, String)> {
    let mut u = None;
    let mut p = None;
    for part in path.trim_start_matches('/').split(['&', '_']) {
        if let Some(v) = part.strip_prefix("user=") {
            u = Some(http::percent_decode(v));
        } else if let Some(v) = part.strip_prefix("password=") {
            p = Some(http::percent_decode(v));
        }
    }
    Some((u?, p?))
}

fn sdp_payload_type(sdp: &str) -> u8 {
    sdp.lines()
        .find_map(|l| {
            l.strip_prefix("m=video ")
                .and_then(|rest| rest.split_whitespace().nth(2))
                .and_then(|pt| pt.parse().ok())
        })
        .unwrap_or(96)
}

/// Serves one RTSP connection.
pub(crate) async fn serve(mut s: TcpStream, svc: &SvcRt, peer: SocketAddr) {
    let host = &svc.host;
    let Some(rdef) = host.plan.profile.def.rtsp.as_ref() else {
        return;
    };
    let mut rng = runtime_rng();
    let mut st = State {
        session: None,
        tracks: Vec::new(),
        playing: None,
        udp: None,
        seq: rng.next_u64() as u16,
        ts: rng.next_u64() as u32,
        ssrc: rng.next_u64() as u32,
        pt: 96,
        sent: 0,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut first = true;
    loop {
        // Handle every complete message in the buffer.
        loop {
            if buf.first() == Some(&b'$') {
                if buf.len() < 4 {
                    break;
                }
                let n = u16::from_be_bytes([buf[2], buf[3]]) as usize;
                if buf.len() < 4 + n {
                    break;
                }
                buf.drain(..4 + n);
                continue;
            }
            let Some(end) = find_head_end(&buf, 0) else {
                if buf.len() > MAX_MSG {
                    return;
                }
                break;
            };
            let Some(head) = parse_head(&buf[..end]) else {
                let _ = write(&mut s, b"RTSP/1.0 400 Bad Request\r\n\r\n").await;
                return;
            };
            if !head.version.starts_with("RTSP/1.") {
                let _ = write(&mut s, b"RTSP/1.0 505 RTSP Version Not Supported\r\n\r\n").await;
                return;
            }
            let clen: usize = head
                .header("content-length")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if clen > MAX_MSG {
                return;
            }
            if buf.len() < end + clen {
                break;
            }
            buf.drain(..end + clen);
            let (resp, action) = handle(host, rdef, &head, &mut st).await;
            if !write(&mut s, resp.as_bytes()).await {
                return;
            }
            match action {
                Action::Close => return,
                Action::Play => {
                    st.playing = Some(Instant::now());
                    if !send_rtp(&mut s, &mut st, peer, true).await {
                        return;
                    }
                }
                Action::None => {}
            }
        }
        let mut tmp = [0u8; 4096];
        let to = if first { FIRST } else { IDLE };
        first = false;
        tokio::select! {
            r = tokio::time::timeout(to, s.read(&mut tmp)) => match r {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&tmp[..n]),
                _ => return,
            },
            _ = tick.tick(), if st.playing.is_some() => {
                if st.playing.is_some_and(|t| t.elapsed() > MAX_PLAY) {
                    st.playing = None;
                } else if !send_rtp(&mut s, &mut st, peer, false).await {
                    return;
                }
            }
        }
    }
}

async fn write(s: &mut TcpStream, b: &[u8]) -> bool {
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, s.write_all(b)).await,
        Ok(Ok(()))
    )
}

async fn handle(host: &HostRt, r: &RtspDef, head: &Head, st: &mut State) -> (String, Action) {
    let plan = &host.plan;
    let vars = &plan.vars;
    let cseq = head.header("cseq").unwrap_or("0").to_string();
    let any_path = plan.kind == HostKind::RtspAny;
    let realm = render(&r.realm, vars);
    let date = http::http_date();
    let mut out = String::new();
    let status_line = |code: u16| format!("RTSP/1.0 {code} {}\r\n", http::reason(code));
    let mut hdrs = format!("CSeq: {cseq}\r\n");
    if let Some(sv) = &r.server {
        hdrs.push_str(&format!("Server: {}\r\n", render(sv, vars)));
    }
    for [k, v] in &r.headers {
        hdrs.push_str(&format!(
            "{k}: {}\r\n",
            render_extra(v, vars, &[("date", date.as_str())])
        ));
    }
    let (path, _query) = split_target(&head.target);
    let url = head.target.trim_end_matches('/').to_string();
    let scheme = if any_path {
        Scheme::None
    } else {
        plan.variant.rtsp_auth
    };
    let authorized = || -> bool {
        if scheme == Scheme::None {
            return true;
        }
        if r.url_credentials
            && let Some((u, p)) = url_creds(&path)
        {
            return u == plan.user && p == plan.password;
        }
        http::check_auth(
            host,
            scheme,
            &head.method,
            &head.target,
            head.header("authorization"),
            &realm,
            host.locks.rtsp.as_ref(),
        )
    };
    let unauthorized = |hdrs: &str| -> String {
        let mut s = status_line(401);
        s.push_str(hdrs);
        for c in http::challenges(
            host,
            scheme,
            &r.digest_challenge,
            &r.basic_challenge,
            &realm,
            r.nonce_upper,
        ) {
            s.push_str(&format!("WWW-Authenticate: {c}\r\n"));
        }
        s.push_str("\r\n");
        s
    };
    let session_hdr = |st: &State| {
        st.session
            .as_ref()
            .map(|id| format!("Session: {id}\r\n"))
            .unwrap_or_default()
    };
    match head.method.as_str() {
        "OPTIONS" => {
            out.push_str(&status_line(200));
            out.push_str(&hdrs);
            out.push_str(&format!("Public: {}\r\n\r\n", r.public));
            (out, Action::None)
        }
        "DESCRIBE" | "SETUP" | "PLAY" => {
            let prefix = head.method != "DESCRIBE";
            let valid = any_path
                || route_ok(r, &path, prefix)
                || (head.method == "PLAY" && st.session.is_some());
            if r.auth_before_route && !authorized() {
                return (unauthorized(&hdrs), Action::None);
            }
            if !valid {
                out.push_str(&status_line(r.not_found_status));
                out.push_str(&hdrs);
                out.push_str("\r\n");
                return (out, Action::None);
            }
            if !r.auth_before_route && !authorized() {
                return (unauthorized(&hdrs), Action::None);
            }
            match head.method.as_str() {
                "DESCRIBE" => {
                    let sess = format!(
                        "{}",
                        1_000_000_000_000u64 + runtime_rng().next_u64() % 9_000_000_000_000
                    );
                    let sdp = crlf(&render_extra(
                        r.sdp.as_deref().unwrap_or(DEFAULT_SDP),
                        vars,
                        &[
                            ("sess", sess.as_str()),
                            ("url", url.as_str()),
                            ("path", path.as_str()),
                        ],
                    ));
                    st.pt = sdp_payload_type(&sdp);
                    let base = render_extra(
                        &r.content_base,
                        vars,
                        &[("url", url.as_str()), ("path", path.as_str())],
                    );
                    out.push_str(&status_line(200));
                    out.push_str(&hdrs);
                    out.push_str(&format!("Content-Base: {base}\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}", sdp.len()));
                    (out, Action::None)
                }
                "SETUP" => {
                    let tr = head.header("transport").unwrap_or("");
                    let pair = |key: &str| -> Option<(u16, u16)> {
                        let v = tr.split(';').find_map(|p| p.trim().strip_prefix(key))?;
                        let (a, b) = v.split_once('-').unwrap_or((v, v));
                        Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
                    };
                    if let Some(sid) = head.header("session")
                        && st.session.as_deref().is_some_and(|x| !sid.starts_with(x))
                    {
                        out.push_str(&status_line(454));
                        out.push_str(&hdrs);
                        out.push_str("\r\n");
                        return (out, Action::None);
                    }
                    let id = st
                        .session
                        .get_or_insert_with(|| format!("{:08X}", runtime_rng().next_u64() as u32))
                        .clone();
                    let transport = if let Some((a, b)) = pair("interleaved=") {
                        st.tracks.push(Track {
                            interleaved: Some(a.min(255) as u8),
                            udp_port: None,
                        });
                        format!(
                            "RTP/AVP/TCP;unicast;interleaved={a}-{b};ssrc={:08X}",
                            st.ssrc
                        )
                    } else if let Some((a, b)) = pair("client_port=") {
                        if st.udp.is_none() {
                            st.udp = runtime::bind_udp_ephemeral(plan.ip).ok();
                        }
                        let sp = st
                            .udp
                            .as_ref()
                            .and_then(|u| u.local_addr().ok())
                            .map_or(0, |a| a.port());
                        st.tracks.push(Track {
                            interleaved: None,
                            udp_port: Some(a),
                        });
                        format!(
                            "RTP/AVP;unicast;client_port={a}-{b};server_port={sp}-{};ssrc={:08X}",
                            sp.wrapping_add(1),
                            st.ssrc
                        )
                    } else {
                        out.push_str(&status_line(461));
                        out.push_str(&hdrs);
                        out.push_str("\r\n");
                        return (out, Action::None);
                    };
                    out.push_str(&status_line(200));
                    out.push_str(&hdrs);
                    out.push_str(&format!(
                        "Session: {id};timeout=60\r\nTransport: {transport}\r\n\r\n"
                    ));
                    (out, Action::None)
                }
                _ => {
                    let ok_session = match (head.header("session"), &st.session) {
                        (Some(h), Some(id)) => h.split(';').next().unwrap_or("").trim() == id,
                        _ => false,
                    };
                    if !ok_session || st.tracks.is_empty() {
                        out.push_str(&status_line(454));
                        out.push_str(&hdrs);
                        out.push_str("\r\n");
                        return (out, Action::None);
                    }
                    out.push_str(&status_line(200));
                    out.push_str(&hdrs);
                    out.push_str(&session_hdr(st));
                    out.push_str(&format!(
                        "Range: npt=0.000-\r\nRTP-Info: url={url};seq={};rtptime={}\r\n\r\n",
                        st.seq, st.ts
                    ));
                    (
                        out,
                        if r.send_rtp {
                            Action::Play
                        } else {
                            Action::None
                        },
                    )
                }
            }
        }
        "PAUSE" | "GET_PARAMETER" | "SET_PARAMETER" => {
            if head.method == "PAUSE" {
                st.playing = None;
            }
            out.push_str(&status_line(200));
            out.push_str(&hdrs);
            out.push_str(&session_hdr(st));
            out.push_str("\r\n");
            (out, Action::None)
        }
        "TEARDOWN" => {
            out.push_str(&status_line(200));
            out.push_str(&hdrs);
            out.push_str(&session_hdr(st));
            out.push_str("\r\n");
            (out, Action::Close)
        }
        _ => {
            out.push_str(&status_line(501));
            out.push_str(&hdrs);
            out.push_str("\r\n");
            (out, Action::None)
        }
    }
}

/// H.264 parameter sets and a tiny IDR slice: enough for a client to see media arrive.
const NALS: &[&[u8]] = &[
    &[
        0x67, 0x42, 0x00, 0x29, 0x96, 0x35, 0x40, 0xf0, 0x04, 0x4f, 0xcb, 0x37, 0x01, 0x01, 0x01,
        0x40,
    ],
    &[0x68, 0xce, 0x31, 0xb2],
    &[
        0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0xfe, 0xf6, 0xf0, 0xfe, 0x05, 0x36, 0x56, 0x04, 0x50,
        0x96,
    ],
];

async fn send_rtp(s: &mut TcpStream, st: &mut State, peer: SocketAddr, burst: bool) -> bool {
    let nals: Vec<&[u8]> = if burst {
        NALS.to_vec()
    } else {
        vec![&[0x41, 0x9a, 0x02, 0x10, 0x0f, 0x80]]
    };
    let peer_ip = match peer {
        SocketAddr::V4(a) if a.ip().octets()[0] == 127 => *a.ip(),
        _ => return false,
    };
    for (i, nal) in nals.iter().enumerate() {
        let marker = if i + 1 == nals.len() { 0x80 } else { 0 };
        let mut pkt = Vec::with_capacity(12 + nal.len());
        pkt.push(0x80);
        pkt.push(marker | (st.pt & 0x7f));
        pkt.extend_from_slice(&st.seq.to_be_bytes());
        pkt.extend_from_slice(&st.ts.to_be_bytes());
        pkt.extend_from_slice(&st.ssrc.to_be_bytes());
        pkt.extend_from_slice(nal);
        st.seq = st.seq.wrapping_add(1);
        // One track carries the video; the others (audio, metadata) stay quiet.
        if let Some(t) = st.tracks.first() {
            if let Some(ch) = t.interleaved {
                let mut f = vec![b'$', ch];
                f.extend_from_slice(&(pkt.len() as u16).to_be_bytes());
                f.extend_from_slice(&pkt);
                if !write(s, &f).await {
                    return false;
                }
            } else if let (Some(port), Some(u)) = (t.udp_port, st.udp.as_ref()) {
                let _ = u.send_to(&pkt, SocketAddr::from((peer_ip, port))).await;
            }
        }
        st.sent += 1;
    }
    st.ts = st.ts.wrapping_add(18_000);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(routes: &[&str], ci: bool) -> RtspDef {
        let mut t: RtspDef = toml::from_str("").unwrap();
        t.routes = routes
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        t.case_insensitive = ci;
        t
    }

    #[test]
    fn routes_match() {
        let d = def(&["/Streaming/Channels/101", "/user=*"], true);
        assert!(route_ok(&d, "/streaming/channels/101", false));
        assert!(route_ok(&d, "/Streaming/Channels/101/", false));
        assert!(!route_ok(&d, "/Streaming/Channels/1011", false));
        assert!(route_ok(&d, "/Streaming/Channels/101/trackID=1", true));
        assert!(!route_ok(&d, "/Streaming/Channels/101/trackID=1", false));
        assert!(route_ok(
            &d,
            "/user=admin&password=&channel=1&stream=0.sdp",
            false
        ));
        assert!(!route_ok(&d, "/random", false));
    }

    #[test]
    fn url_credentials() {
        assert_eq!(
            url_creds("/user=admin&password=&channel=1&stream=0.sdp"),
            Some(("admin".into(), String::new()))
        );
        assert_eq!(
            url_creds("/user=admin_password=tlJwpbo6_channel=1_stream=0.sdp"),
            Some(("admin".into(), "tlJwpbo6".into()))
        );
        assert_eq!(url_creds("/live"), None);
        assert_eq!(sdp_payload_type("v=0\r\nm=video 0 RTP/AVP 97\r\n"), 97);
    }
}
