//! Default-credential checks, protocol-independent part: the try order, the failure budget and
//! pacing, stop at the first success, and the control (a random user and password must be
//! refused, otherwise the device accepts anything and nothing is reported).
//!
//! A leaf: it knows nothing of HTTP, RTSP, ONVIF, telnet or FTP. The caller hands it an
//! attempt function (one login with a user and password, whatever the protocol), so the
//! logic is tested here against fake devices.

use crate::budget::{self, Budget, Refusal};
use crate::data::Login;
use camguard_model::Secret;
use serde_json::Value;
use tokio::time::Instant;

/// A credential to try.
#[derive(Clone, Debug)]
pub struct Cred {
    pub user: String,
    pub password: Secret,
    /// The public document the pair comes from (kb `source`); evidence shows it redacted.
    pub source: String,
}

/// Where a credential is tried.
#[derive(Clone, Debug)]
pub enum Target {
    /// HTTP Basic/Digest on a path that answered 401.
    HttpAuth {
        port: u16,
        tls: bool,
        path: String,
        success_contains: Vec<String>,
    },
    /// A vendor web login (form, JSON, Dahua RPC2_Login).
    HttpLogin {
        port: u16,
        tls: bool,
        login: Login,
    },
    /// RTSP DESCRIBE on a route that asks for credentials.
    Rtsp {
        port: u16,
        route: String,
    },
    /// ONVIF GetDeviceInformation with WS-UsernameToken (or HTTP Digest when the endpoint
    /// answers 401).
    Onvif {
        port: u16,
        tls: bool,
        path: String,
        offset_secs: i64,
        http_digest: bool,
    },
    Telnet {
        port: u16,
    },
    Ftp {
        port: u16,
    },
}

impl Target {
    /// The `<proto>` of `default-credential:<proto>`.
    pub fn protocol(&self) -> &'static str {
        match self {
            Target::HttpAuth { .. } | Target::HttpLogin { .. } => "http",
            Target::Rtsp { .. } => "rtsp",
            Target::Onvif { .. } => "onvif",
            Target::Telnet { .. } => "telnet",
            Target::Ftp { .. } => "ftp",
        }
    }

    pub fn port(&self) -> u16 {
        match self {
            Target::HttpAuth { port, .. }
            | Target::HttpLogin { port, .. }
            | Target::Rtsp { port, .. }
            | Target::Onvif { port, .. }
            | Target::Telnet { port }
            | Target::Ftp { port } => *port,
        }
    }
}

/// The outcome of one login attempt.
#[derive(Clone, Debug)]
pub(crate) enum Attempt {
    /// A success status (2xx, FTP 230, a shell prompt), with evidence of the exchange.
    Success(Value),
    /// Refused (401, 530, "Login incorrect", a 404 or any other non-success status).
    Failure(String),
    /// The device says it is throttling or locked (403, 423, 429, a lock message): stop.
    Blocked(String),
    /// No usable answer (connection, timeout, garbage).
    Error(String),
}

/// A user and password no device has.
pub(crate) fn random_cred() -> (String, Secret) {
    let r: u64 = rand::random();
    (
        format!("cg{:06x}", r & 0xff_ffff),
        Secret::new(format!("Cg-{:012x}!", r >> 16)),
    )
}

/// A credential that worked (and whose control did not show that anything works).
#[derive(Clone, Debug)]
pub(crate) struct Hit {
    pub cred: Cred,
    /// The attempt's own evidence (request and response summaries).
    pub evidence: Value,
    /// Failed attempts before the success.
    pub failures_before: usize,
    /// Attempts made, the control included.
    pub attempts: usize,
    /// What the control showed, for people.
    pub control: String,
}

#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Found(Hit),
    /// A credential worked, and so did a random one: nothing is reported.
    AcceptsAnything,
    NotFound,
}

/// What [`run`] concluded, and what people should know about how (budget used, deadline…).
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub outcome: Outcome,
    pub notes: Vec<String>,
}

/// What the control attempt showed.
enum Control {
    Refused(String),
    Accepted,
    NotRun(String),
}

/// Try `creds` in order for `proto` on `port`, within `budget` and before `deadline`, with
/// `attempt` doing one login. Stops at the first success, then runs the control (a random
/// user and password): a device that accepts it too is not reported.
///
/// `attempt` takes owned values so that its future borrows nothing of this function (and stays
/// `Send` for the scanner's tasks).
pub(crate) async fn run<F, Fut>(
    proto: &str,
    port: u16,
    creds: Vec<Cred>,
    budget: &mut Budget,
    deadline: Instant,
    mut attempt: F,
) -> Run
where
    F: FnMut(String, Secret) -> Fut,
    Fut: Future<Output = Attempt>,
{
    let total = creds.len();
    let mut notes = Vec::new();
    let mut errors = 0;
    for (i, c) in creds.into_iter().enumerate() {
        if budget::expired(deadline) {
            notes.push(format!(
                "{proto}: deadline reached after {i} of {total} credential pairs"
            ));
            break;
        }
        match budget.acquire(deadline).await {
            Ok(()) => {}
            Err(Refusal::Exhausted) => {
                notes.push(format!(
                    "{proto}/{port}: failed-login budget ({}) used after {i} of {total} credential pairs; the rest were not tried",
                    budget.max_failures()
                ));
                break;
            }
            Err(Refusal::Deadline) => {
                notes.push(format!(
                    "{proto}/{port}: pacing (never 5 failures in 30 s) would pass the deadline; stopped after {i} of {total}"
                ));
                break;
            }
        }
        match attempt(c.user.clone(), c.password.clone()).await {
            Attempt::Success(evidence) => {
                budget.succeeded();
                let failures_before = budget.failures();
                let control = control(budget, deadline, &mut attempt).await;
                budget.settle();
                let outcome = match control {
                    Control::Accepted => {
                        notes.push(format!(
                            "{proto}/{port}: a random user and password are accepted too; the device accepts anything, so no default credential is reported"
                        ));
                        Outcome::AcceptsAnything
                    }
                    Control::Refused(control) | Control::NotRun(control) => Outcome::Found(Hit {
                        cred: c,
                        evidence,
                        failures_before,
                        attempts: budget.attempts,
                        control,
                    }),
                };
                return Run { outcome, notes };
            }
            Attempt::Failure(_) => {}
            Attempt::Blocked(why) => {
                notes.push(format!(
                    "{proto}/{port}: the device refuses further logins ({why}); stopped"
                ));
                break;
            }
            Attempt::Error(e) => {
                errors += 1;
                if errors >= 2 {
                    notes.push(format!(
                        "{proto}/{port}: no usable answer to login attempts ({e}); stopped"
                    ));
                    break;
                }
            }
        }
    }
    budget.settle();
    Run {
        outcome: Outcome::NotFound,
        notes,
    }
}

async fn control<F, Fut>(budget: &mut Budget, deadline: Instant, attempt: &mut F) -> Control
where
    F: FnMut(String, Secret) -> Fut,
    Fut: Future<Output = Attempt>,
{
    if budget::expired(deadline) {
        return Control::NotRun(
            "control not run (deadline); the success is reported unverified".into(),
        );
    }
    if let Err(r) = budget.acquire(deadline).await {
        return Control::NotRun(format!(
            "control not run ({r:?}); the success is reported unverified"
        ));
    }
    let (u, p) = random_cred();
    match attempt(u, p).await {
        Attempt::Success(_) => Control::Accepted,
        Attempt::Failure(s) | Attempt::Blocked(s) => {
            Control::Refused(format!("a random user and password were refused ({s})"))
        }
        Attempt::Error(e) => {
            Control::Refused(format!("a random user and password got no success ({e})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::{LOCKOUT_FAILURES, LOCKOUT_WINDOW};
    use serde_json::json;
    use std::time::Duration;

    fn cred(user: &str, password: &str) -> Cred {
        Cred {
            user: user.into(),
            password: Secret::new(password),
            source: "test list".into(),
        }
    }

    fn list(n: usize) -> Vec<Cred> {
        (0..n).map(|i| cred("admin", &format!("p{i}"))).collect()
    }

    type Answer = Box<dyn Fn(&str, &str) -> Attempt>;

    /// A fake device: which (user, password) it accepts, and every attempt it saw (with when).
    struct Device {
        accepts: Answer,
        seen: Vec<(String, String, Instant)>,
    }

    impl Device {
        fn new(accepts: impl Fn(&str, &str) -> Attempt + 'static) -> Self {
            Device {
                accepts: Box::new(accepts),
                seen: Vec::new(),
            }
        }

        async fn run(&mut self, creds: Vec<Cred>, budget: &mut Budget, deadline: Instant) -> Run {
            let seen = &mut self.seen;
            let accepts = &self.accepts;
            run(
                "http",
                80,
                creds,
                budget,
                deadline,
                |u: String, p: Secret| {
                    seen.push((u.clone(), p.expose().to_string(), Instant::now()));
                    let answer = accepts(&u, p.expose());
                    async move { answer }
                },
            )
            .await
        }

        fn passwords(&self) -> Vec<&str> {
            self.seen.iter().map(|(_, p, _)| p.as_str()).collect()
        }
    }

    fn ok() -> Attempt {
        Attempt::Success(json!({"status": 200}))
    }

    fn refused() -> Attempt {
        Attempt::Failure("HTTP 401".into())
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(3600)
    }

    #[tokio::test(start_paused = true)]
    async fn a_device_accepting_any_password_has_no_default_one() {
        let mut d = Device::new(|_, _| ok());
        let mut b = Budget::new(4, Duration::ZERO);
        let r = d.run(list(3), &mut b, far()).await;
        assert!(matches!(r.outcome, Outcome::AcceptsAnything), "{r:?}");
        assert!(r.notes.iter().any(|n| n.contains("accepts anything")));
        // The first pair, then the control with a random user and password.
        assert_eq!(d.seen.len(), 2);
        assert_eq!(d.seen[0].1, "p0");
        assert!(d.seen[1].0.starts_with("cg") && d.seen[1].1.starts_with("Cg-"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_device_accepting_any_password_for_its_user_only_is_not_fooled_either() {
        // Accepts any password, but only for "admin": the control's random user is refused, so
        // this device is reported — its admin account really has no password check. The
        // control catches "anything goes", not a per-user bypass; document it by a test.
        let mut d = Device::new(|u, _| if u == "admin" { ok() } else { refused() });
        let mut b = Budget::new(4, Duration::ZERO);
        let r = d.run(list(2), &mut b, far()).await;
        assert!(matches!(r.outcome, Outcome::Found(_)), "{r:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_working_pair_is_found_and_the_first_success_stops_the_list() {
        let mut d = Device::new(|u, p| {
            if u == "admin" && p == "p2" {
                ok()
            } else {
                refused()
            }
        });
        let mut b = Budget::new(4, Duration::ZERO);
        let r = d.run(list(6), &mut b, far()).await;
        let Outcome::Found(hit) = r.outcome else {
            panic!("{r:?}")
        };
        assert_eq!(hit.cred.password.expose(), "p2");
        assert_eq!(hit.failures_before, 2);
        assert_eq!(hit.attempts, 4, "three pairs and the control");
        assert!(hit.control.contains("refused"), "{}", hit.control);
        // p3.. never tried: the list stops at the first success, then only the control.
        let seen = d.passwords();
        assert_eq!(&seen[..3], ["p0", "p1", "p2"]);
        assert_eq!(seen.len(), 4);
        assert!(seen[3].starts_with("Cg-"));
        // The success did not use the failure budget; the control's refusal did.
        assert_eq!(b.failures(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_caps_failed_attempts() {
        let mut d = Device::new(|_, _| refused());
        let mut b = Budget::new(4, Duration::ZERO);
        let r = d.run(list(10), &mut b, far()).await;
        assert!(matches!(r.outcome, Outcome::NotFound));
        assert_eq!(d.seen.len(), 4, "{:?}", d.passwords());
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("budget (4) used after 4 of 10")),
            "{:?}",
            r.notes
        );
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_never_allows_five_failures_within_thirty_seconds() {
        // A large budget and a long list: only the pacing protects the device (virtual time).
        let mut d = Device::new(|_, _| refused());
        let mut b = Budget::new(12, Duration::from_millis(250));
        let r = d.run(list(12), &mut b, far()).await;
        assert!(matches!(r.outcome, Outcome::NotFound));
        assert_eq!(d.seen.len(), 12);
        let times: Vec<Instant> = d.seen.iter().map(|s| s.2).collect();
        for (i, t) in times.iter().enumerate() {
            let n = times[i..]
                .iter()
                .filter(|x| x.duration_since(*t) < LOCKOUT_WINDOW)
                .count();
            assert!(
                n < LOCKOUT_FAILURES,
                "{n} failures within 30 s from attempt {i}"
            );
        }
        for w in times.windows(2) {
            assert!(w[1] - w[0] >= Duration::from_millis(250), "interval");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_that_would_pass_the_deadline_stops_instead() {
        let mut d = Device::new(|_, _| refused());
        let mut b = Budget::new(12, Duration::ZERO);
        let r = d
            .run(list(12), &mut b, Instant::now() + Duration::from_secs(10))
            .await;
        assert!(matches!(r.outcome, Outcome::NotFound));
        assert_eq!(d.seen.len(), 4, "one window's worth, then the deadline");
        assert!(
            r.notes.iter().any(|n| n.contains("pacing")),
            "{:?}",
            r.notes
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_blocking_device_stops_the_list_at_once() {
        let mut d = Device::new(|_, _| Attempt::Blocked("HTTP 429".into()));
        let mut b = Budget::new(4, Duration::ZERO);
        let r = d.run(list(4), &mut b, far()).await;
        assert!(matches!(r.outcome, Outcome::NotFound));
        assert_eq!(d.seen.len(), 1);
        assert!(r.notes[0].contains("refuses further logins"));
    }

    #[tokio::test(start_paused = true)]
    async fn two_errors_stop_the_list() {
        let mut d = Device::new(|_, _| Attempt::Error("timeout".into()));
        let mut b = Budget::new(4, Duration::ZERO);
        let r = d.run(list(4), &mut b, far()).await;
        assert!(matches!(r.outcome, Outcome::NotFound));
        assert_eq!(d.seen.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_whose_control_cannot_run_is_reported_unverified() {
        // The first pair works, but the least interval between attempts (20 s) would put the
        // control past the deadline (10 s): it is not sent, and the success says so.
        let mut d = Device::new(|_, p| if p == "p0" { ok() } else { refused() });
        let mut b = Budget::new(12, Duration::from_secs(20));
        let r = d
            .run(list(3), &mut b, Instant::now() + Duration::from_secs(10))
            .await;
        let Outcome::Found(hit) = r.outcome else {
            panic!("{r:?}")
        };
        assert!(hit.control.contains("not run"), "{}", hit.control);
        assert_eq!(d.passwords(), ["p0"], "no control attempt was sent");
    }
}
