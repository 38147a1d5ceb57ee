//! Telnet and FTP default credentials. A telnet login is a success only when a shell prompt
//! follows the password (and no "incorrect"/"failed"/login prompt); the connection is closed
//! right there, no command is typed. An FTP login is a success only on `230`.

use crate::budget::Budget;
use crate::creds::{Attempt, Target};
use crate::ctx::Ctx;
use crate::evidence::excerpt;
use crate::login;
use camguard_model::Secret;
use camguard_probe::TelnetDecoder;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

pub(crate) async fn run(ctx: &Ctx<'_>) {
    let telnet = async {
        if let Some(&port) = ctx.ports_with(&["telnet"]).first() {
            let mut b = Budget::new(ctx.opts.credential_budget, ctx.opts.attempt_interval);
            login::check(
                ctx,
                &Target::Telnet { port },
                &mut b,
                move |u: String, p: Secret| async move { telnet_attempt(ctx, port, &u, &p).await },
            )
            .await;
        }
    };
    let ftp = async {
        if let Some(&port) = ctx.ports_with(&["ftp"]).first() {
            let mut b = Budget::new(ctx.opts.credential_budget, ctx.opts.attempt_interval);
            login::check(
                ctx,
                &Target::Ftp { port },
                &mut b,
                move |u: String, p: Secret| async move { ftp_attempt(ctx, port, &u, &p).await },
            )
            .await;
        }
    };
    tokio::join!(telnet, ftp);
}

/// Longest text kept from one telnet/FTP conversation.
const MAX_TEXT: usize = 8 * 1024;

const LOGIN_PROMPTS: [&str; 5] = ["login:", "username:", "user name:", "user:", "login as:"];
const PASSWORD_PROMPTS: [&str; 2] = ["password:", "passwd:"];
const FAILURES: [&str; 8] = [
    "incorrect",
    "failed",
    "failure",
    "invalid",
    "denied",
    "wrong",
    "bad password",
    "locked",
];

fn ends_with_any(text: &str, list: &[&str]) -> bool {
    let t = text.trim_end().to_ascii_lowercase();
    list.iter().any(|p| t.ends_with(p))
}

/// A shell prompt: the text ends (spaces aside) with `#`, `$`, `>` or `%`.
pub(crate) fn looks_like_shell(text: &str) -> bool {
    let t = text.trim_end();
    !t.is_empty() && t.ends_with(['#', '$', '>', '%']) && !ends_with_any(t, &LOGIN_PROMPTS)
}

struct Telnet {
    s: TcpStream,
    dec: TelnetDecoder,
    text: String,
}

impl Telnet {
    /// Read until `done(text)` or `deadline`; `false` on timeout or close.
    async fn read_until(&mut self, deadline: Instant, done: impl Fn(&str) -> bool) -> bool {
        let mut buf = [0u8; 1024];
        loop {
            if done(&self.text) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.text.len() > MAX_TEXT {
                return false;
            }
            match timeout(left, self.s.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) | Err(_) => return done(&self.text),
                Ok(Ok(n)) => {
                    let mut data = Vec::new();
                    let mut replies = Vec::new();
                    self.dec.feed(&buf[..n], &mut data, &mut replies);
                    if !replies.is_empty() {
                        let _ = timeout(Duration::from_secs(2), self.s.write_all(&replies)).await;
                    }
                    self.text
                        .push_str(&String::from_utf8_lossy(&data).replace('\0', ""));
                }
            }
        }
    }

    async fn send_line(&mut self, line: &str) -> bool {
        let mut b = line.as_bytes().to_vec();
        b.extend_from_slice(b"\r\n");
        matches!(
            timeout(Duration::from_secs(2), self.s.write_all(&b)).await,
            Ok(Ok(()))
        )
    }
}

async fn connect(ctx: &Ctx<'_>, port: u16) -> Result<TcpStream, String> {
    let cfg = ctx.cfg();
    match timeout(
        cfg.connect_timeout,
        TcpStream::connect(SocketAddr::new(ctx.ip, port)),
    )
    .await
    {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(format!("connect: {e}")),
        Err(_) => Err("connect timed out".into()),
    }
}

pub(crate) async fn telnet_attempt(
    ctx: &Ctx<'_>,
    port: u16,
    user: &str,
    password: &Secret,
) -> Attempt {
    let s = match connect(ctx, port).await {
        Ok(s) => s,
        Err(e) => return Attempt::Error(e),
    };
    let deadline = Instant::now() + Duration::from_secs(8).min(ctx.left());
    let mut t = Telnet {
        s,
        dec: TelnetDecoder::new(),
        text: String::new(),
    };
    if !t
        .read_until(deadline, |x| {
            ends_with_any(x, &LOGIN_PROMPTS) || ends_with_any(x, &PASSWORD_PROMPTS)
        })
        .await
    {
        return Attempt::Error(format!(
            "no login prompt (got {:?})",
            excerpt(t.text.as_bytes(), 60)
        ));
    }
    let banner = excerpt(t.text.as_bytes(), 120);
    let mut asked_user = false;
    if ends_with_any(&t.text, &LOGIN_PROMPTS) {
        asked_user = true;
        t.text.clear();
        if !t.send_line(user).await
            || !t
                .read_until(deadline, |x| ends_with_any(x, &PASSWORD_PROMPTS))
                .await
        {
            return Attempt::Error("no password prompt".into());
        }
    }
    t.text.clear();
    if !t.send_line(password.expose()).await {
        return Attempt::Error("could not send the password".into());
    }
    // A prompt, a failure message or a new login prompt; a shell prompt must stay the last
    // thing said for a moment (some devices print "Login incorrect" after a delay).
    let decided = |x: &str| {
        let low = x.to_ascii_lowercase();
        FAILURES.iter().any(|f| low.contains(f))
            || ends_with_any(x, &LOGIN_PROMPTS)
            || looks_like_shell(x)
    };
    let got = t.read_until(deadline, decided).await;
    if got && looks_like_shell(&t.text) {
        // Settle: anything more within 500 ms?
        let settle = (Instant::now() + Duration::from_millis(500)).min(deadline);
        let before = t.text.len();
        let _ = t.read_until(settle, |x| x.len() > before).await;
    }
    let low = t.text.to_ascii_lowercase();
    // Judge the whole reply: a MOTD can push the prompt past the excerpt kept as evidence.
    let shell = looks_like_shell(&t.text);
    let after = excerpt(t.text.as_bytes(), 80);
    drop(t); // closed at once: no command is typed
    if FAILURES.iter().any(|f| low.contains(f)) || ends_with_any(&low, &LOGIN_PROMPTS) {
        if low.contains("locked") {
            return Attempt::Blocked(format!("telnet: {after:?}"));
        }
        return Attempt::Failure(format!("telnet: {after:?}"));
    }
    if shell {
        return Attempt::Success(json!({
            "banner_excerpt": banner,
            "dialogue": format!("{}Password: ****", if asked_user { format!("login: {user}\n") } else { String::new() }),
            "after_password": after,
            "closed_without_command": true,
        }));
    }
    Attempt::Failure(format!("telnet: no shell prompt ({after:?})"))
}

/// Read one FTP reply (multi-line aware); (code, text).
async fn ftp_reply(
    s: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Option<(u16, String)> {
    let mut tmp = [0u8; 1024];
    loop {
        let text = String::from_utf8_lossy(buf).into_owned();
        let mut consumed = 0;
        for line in text.split_inclusive('\n') {
            if !line.ends_with('\n') {
                break;
            }
            consumed += line.len();
            let l = line.trim_end();
            if l.len() >= 4
                && l.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                && l.as_bytes()[3] == b' '
            {
                let code = l[..3].parse().ok()?;
                let all = text[..consumed].trim().to_string();
                buf.drain(..consumed.min(buf.len()));
                return Some((code, all));
            }
        }
        if buf.len() > MAX_TEXT {
            return None;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match timeout(left, s.read(&mut tmp)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&tmp[..n]),
            _ => return None,
        }
    }
}

pub(crate) async fn ftp_attempt(
    ctx: &Ctx<'_>,
    port: u16,
    user: &str,
    password: &Secret,
) -> Attempt {
    let mut s = match connect(ctx, port).await {
        Ok(s) => s,
        Err(e) => return Attempt::Error(e),
    };
    let deadline = Instant::now() + Duration::from_secs(8).min(ctx.left());
    let mut buf = Vec::new();
    let Some((220, greeting)) = ftp_reply(&mut s, &mut buf, deadline).await else {
        return Attempt::Error("no 220 greeting".into());
    };
    let user_line = format!("USER {}\r\n", user.replace(['\r', '\n'], ""));
    if timeout(Duration::from_secs(2), s.write_all(user_line.as_bytes()))
        .await
        .is_err()
    {
        return Attempt::Error("send USER".into());
    }
    let Some((code, text)) = ftp_reply(&mut s, &mut buf, deadline).await else {
        return Attempt::Error("no reply to USER".into());
    };
    let (code, text) = if code == 331 {
        let pass_line = format!("PASS {}\r\n", password.expose().replace(['\r', '\n'], ""));
        if timeout(Duration::from_secs(2), s.write_all(pass_line.as_bytes()))
            .await
            .is_err()
        {
            return Attempt::Error("send PASS".into());
        }
        match ftp_reply(&mut s, &mut buf, deadline).await {
            Some(r) => r,
            None => return Attempt::Error("no reply to PASS".into()),
        }
    } else {
        (code, text)
    };
    let _ = timeout(Duration::from_millis(500), s.write_all(b"QUIT\r\n")).await;
    match code {
        230 => Attempt::Success(json!({
            "greeting": excerpt(greeting.as_bytes(), 120),
            "dialogue": format!("USER {user}\r\nPASS ****"),
            "reply": excerpt(text.as_bytes(), 120),
        })),
        421 => Attempt::Blocked(format!("FTP {code}")),
        c => Attempt::Failure(format!("FTP {c}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts() {
        assert!(looks_like_shell("\r\n# "));
        assert!(looks_like_shell("~ $"));
        assert!(looks_like_shell("root@cam:~# "));
        assert!(!looks_like_shell("\r\nLogin incorrect\r\nlogin: "));
        assert!(!looks_like_shell(""));
        assert!(ends_with_any("\r\nLocalHost login: ", &LOGIN_PROMPTS));
        assert!(ends_with_any("Password: ", &PASSWORD_PROMPTS));
    }
}
