//! Small daemons: telnet login, FTP control channel, SSH banner, vendor SDK ports, raw (printer)
//! ports and tarpits.

use crate::auth::ct_eq;
use crate::runtime::SvcRt;
use crate::template::{render, unescape_bytes};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LINE_MAX: usize = 512;
const IDLE: Duration = Duration::from_secs(30);
const TARPIT_HOLD: Duration = Duration::from_secs(60);

async fn send(s: &mut TcpStream, b: &[u8]) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(10), s.write_all(b)).await,
        Ok(Ok(()))
    )
}

fn banner_bytes(svc: &SvcRt, text: Option<&String>, default: &str) -> Vec<u8> {
    let t = text.map_or(default, std::string::String::as_str);
    unescape_bytes(&render(t, &svc.host.plan.vars))
}

/// Reads one line, dropping telnet IAC negotiation; `None` on EOF, timeout or overlong input.
async fn read_line(s: &mut TcpStream, pending: &mut Vec<u8>) -> Option<String> {
    loop {
        // Strip IAC sequences from what we have.
        let mut clean = Vec::with_capacity(pending.len());
        let mut i = 0;
        while i < pending.len() {
            if pending[i] == 0xFF && i + 1 < pending.len() {
                match pending[i + 1] {
                    0xFB..=0xFE => {
                        if i + 2 < pending.len() {
                            i += 3;
                            continue;
                        }
                        break;
                    }
                    0xFA => {
                        // Subnegotiation: skip to IAC SE.
                        match pending[i..].windows(2).position(|w| w == [0xFF, 0xF0]) {
                            Some(p) => {
                                i += p + 2;
                                continue;
                            }
                            None => break,
                        }
                    }
                    _ => {
                        i += 2;
                        continue;
                    }
                }
            }
            clean.push(pending[i]);
            i += 1;
        }
        if let Some(pos) = clean.iter().position(|&c| c == b'\n' || c == b'\r') {
            let line = String::from_utf8_lossy(&clean[..pos])
                .trim_end_matches(['\r', '\n', '\0'])
                .to_string();
            let mut rest = clean[pos + 1..].to_vec();
            if clean[pos] == b'\r' && matches!(rest.first(), Some(b'\n' | 0)) {
                rest.remove(0);
            }
            rest.extend_from_slice(&pending[i..]);
            *pending = rest;
            return Some(line);
        }
        if pending.len() > LINE_MAX {
            return None;
        }
        let mut tmp = [0u8; 256];
        match tokio::time::timeout(IDLE, s.read(&mut tmp)).await {
            Ok(Ok(n)) if n > 0 => pending.extend_from_slice(&tmp[..n]),
            _ => return None,
        }
    }
}

/// Telnet: banner, login and password prompts, three attempts, a shell prompt on success.
pub(crate) async fn telnet(mut s: TcpStream, svc: &SvcRt) {
    let Some(def) = svc.def.as_ref() else { return };
    let host = &svc.host;
    let (u, p) = &host.plan.telnet;
    if !send(&mut s, &banner_bytes(svc, def.banner.as_ref(), "")).await {
        return;
    }
    let login = banner_bytes(svc, def.login_prompt.as_ref(), "login: ");
    let pass = banner_bytes(svc, def.password_prompt.as_ref(), "Password: ");
    let failed = banner_bytes(svc, def.login_failed.as_ref(), r"\r\nLogin incorrect\r\n");
    let shell = banner_bytes(svc, def.shell_prompt.as_ref(), "# ");
    let mut pending = Vec::new();
    let lock = host.locks.telnet.as_ref();
    for _ in 0..3 {
        if !send(&mut s, &login).await {
            return;
        }
        let Some(user) = read_line(&mut s, &mut pending).await else {
            return;
        };
        if !send(&mut s, &pass).await {
            return;
        }
        let Some(pw) = read_line(&mut s, &mut pending).await else {
            return;
        };
        let ok = !lock.is_some_and(super::auth::Lockout::locked)
            && user == *u
            && ct_eq(pw.as_bytes(), p.as_bytes());
        if ok {
            if !send(&mut s, b"\r\n").await || !send(&mut s, &shell).await {
                return;
            }
            // A shell that only knows how to leave.
            for _ in 0..20 {
                let Some(cmd) = read_line(&mut s, &mut pending).await else {
                    return;
                };
                if cmd.trim() == "exit" || cmd.trim() == "logout" {
                    return;
                }
                let reply = if cmd.trim().is_empty() {
                    Vec::new()
                } else {
                    format!("-sh: {}: not found\r\n", cmd.trim()).into_bytes()
                };
                if !send(&mut s, &reply).await || !send(&mut s, &shell).await {
                    return;
                }
            }
            return;
        }
        if let Some(l) = lock {
            l.failure();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        if !send(&mut s, &failed).await {
            return;
        }
    }
}

/// FTP control channel: USER/PASS checking, SYST, PWD, QUIT; no data connections.
pub(crate) async fn ftp(mut s: TcpStream, svc: &SvcRt) {
    let Some(def) = svc.def.as_ref() else { return };
    let host = &svc.host;
    let plan = &host.plan;
    let mut b = banner_bytes(svc, def.banner.as_ref(), "220 FTP server ready.");
    if !b.ends_with(b"\r\n") {
        b.extend_from_slice(b"\r\n");
    }
    if !send(&mut s, &b).await {
        return;
    }
    let mut pending = Vec::new();
    let mut user: Option<String> = None;
    let mut logged = false;
    let lock = host.locks.ftp.as_ref();
    for _ in 0..50 {
        let Some(line) = read_line(&mut s, &mut pending).await else {
            return;
        };
        let (cmd, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let reply: String = match cmd.to_ascii_uppercase().as_str() {
            "USER" => {
                user = Some(arg.to_string());
                logged = false;
                "331 Password required.\r\n".into()
            }
            "PASS" => {
                let ok = !lock.is_some_and(super::auth::Lockout::locked)
                    && user.as_deref() == Some(plan.user.as_str())
                    && ct_eq(arg.as_bytes(), plan.password.as_bytes());
                if ok {
                    logged = true;
                    "230 User logged in.\r\n".into()
                } else {
                    if let Some(l) = lock {
                        l.failure();
                    }
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    "530 Login incorrect.\r\n".into()
                }
            }
            "SYST" => "215 UNIX Type: L8\r\n".into(),
            "FEAT" => "211 No features.\r\n".into(),
            "NOOP" => "200 NOOP ok.\r\n".into(),
            "QUIT" => {
                let _ = send(&mut s, b"221 Goodbye.\r\n").await;
                return;
            }
            "PWD" | "XPWD" if logged => "257 \"/\" is the current directory.\r\n".into(),
            "TYPE" if logged => "200 Type set.\r\n".into(),
            _ if !logged => "530 Please login with USER and PASS.\r\n".into(),
            _ => "502 Command not implemented.\r\n".into(),
        };
        if !send(&mut s, reply.as_bytes()).await {
            return;
        }
    }
}

/// SSH: the identification string, then wait for the client's and close (no key exchange).
pub(crate) async fn ssh(mut s: TcpStream, svc: &SvcRt) {
    let Some(def) = svc.def.as_ref() else { return };
    let mut b = banner_bytes(svc, def.banner.as_ref(), "SSH-2.0-OpenSSH");
    if !b.ends_with(b"\r\n") {
        b.extend_from_slice(b"\r\n");
    }
    if !send(&mut s, &b).await {
        return;
    }
    let mut tmp = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read(&mut tmp)).await;
}

/// A vendor's proprietary port, behaving as its profile says.
pub(crate) async fn sdk(mut s: TcpStream, svc: &SvcRt) {
    use crate::profile::SdkMode;
    let Some(def) = svc.def.as_ref() else { return };
    let mode = def.sdk_mode.unwrap_or(SdkMode::Close);
    let mut tmp = [0u8; 2048];
    match mode {
        SdkMode::Close => {
            let _ = tokio::time::timeout(Duration::from_secs(5), s.read(&mut tmp)).await;
        }
        SdkMode::Silent => raw(s).await,
        SdkMode::Banner => {
            if send(&mut s, &banner_bytes(svc, def.banner.as_ref(), "")).await {
                drain(&mut s, IDLE).await;
            }
        }
        SdkMode::DelayedBanner => {
            let wait = Duration::from_millis(def.delay_ms.unwrap_or(2000));
            let _ = tokio::time::timeout(wait, s.read(&mut tmp)).await;
            if send(&mut s, &banner_bytes(svc, def.banner.as_ref(), "")).await {
                drain(&mut s, IDLE).await;
            }
        }
    }
}

async fn drain(s: &mut TcpStream, idle: Duration) {
    let mut tmp = [0u8; 4096];
    let mut total = 0usize;
    loop {
        match tokio::time::timeout(idle, s.read(&mut tmp)).await {
            Ok(Ok(n)) if n > 0 => {
                total += n;
                if total > 1 << 20 {
                    return;
                }
            }
            _ => return,
        }
    }
}

/// Accepts whatever comes (a printer's raw port) and never answers.
pub(crate) async fn raw(mut s: TcpStream) {
    drain(&mut s, IDLE).await;
}

/// Holds the connection without ever sending a byte, until the peer closes or a minute passes.
pub(crate) async fn tarpit(mut s: TcpStream) {
    let deadline = tokio::time::Instant::now() + TARPIT_HOLD;
    let mut tmp = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut tmp)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        }
    }
}
