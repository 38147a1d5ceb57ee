//! The default-credential check of one protocol on one device: the candidate list of the
//! device, the login control logic of [`crate::creds`] with the protocol's attempt function,
//! and the `default-credential:<proto>` finding, whose evidence never carries the password
//! (unless `--reveal-secrets`), in any field.

use crate::budget::Budget;
use crate::creds::{self, Attempt, Hit, Outcome, Target};
use crate::ctx::{Ctx, Found};
use crate::evidence;
use camguard_model::Secret;
use serde_json::{Value, json};

/// Try the device's candidate credentials for `target`'s protocol with `attempt`, within
/// `budget`. Adds a `default-credential:<proto>` finding and returns `true` when one works and
/// a random credential does not.
pub(crate) async fn check<F, Fut>(
    ctx: &Ctx<'_>,
    target: &Target,
    budget: &mut Budget,
    mut attempt: F,
) -> bool
where
    F: FnMut(String, Secret) -> Fut,
    Fut: Future<Output = Attempt>,
{
    let proto = target.protocol();
    let run = creds::run(
        proto,
        target.port(),
        ctx.creds(proto),
        budget,
        ctx.deadline,
        |u: String, p: Secret| {
            let expired = ctx.expired();
            let next = (!expired).then(|| attempt(u, p));
            async move {
                match next {
                    Some(f) => f.await,
                    None => Attempt::Error("assessment deadline reached".into()),
                }
            }
        },
    )
    .await;
    for n in run.notes {
        ctx.note(n);
    }
    match run.outcome {
        Outcome::Found(hit) => {
            report(ctx, target, hit);
            true
        }
        Outcome::AcceptsAnything | Outcome::NotFound => false,
    }
}

/// The finding's evidence: what was tried and how it answered. `credential_source` names the
/// public list the pair comes from; like every other string here it is redacted of the
/// password (a list's row may quote it), unless `reveal`.
pub(crate) fn evidence_of(proto: &str, port: u16, hit: &Hit, reveal: bool) -> Value {
    let c = &hit.cred;
    let mut e = json!({
        "protocol": proto,
        "port": port,
        "username": c.user,
        "password": c.password.to_json(reveal),
        "failed_attempts_before": hit.failures_before,
        "attempts": hit.attempts,
        "control": hit.control,
        "credential_source": c.source,
    });
    if let (Some(m), Value::Object(extra)) = (e.as_object_mut(), hit.evidence.clone()) {
        for (k, v) in extra {
            m.entry(k).or_insert(v);
        }
    }
    if !reveal {
        evidence::redact_secrets(&mut e, &[c.password.expose()]);
    }
    e
}

fn report(ctx: &Ctx<'_>, target: &Target, hit: Hit) {
    let proto = target.protocol();
    let e = evidence_of(proto, target.port(), &hit, ctx.opts.reveal_secrets);
    ctx.add(
        &format!("default-credential:{proto}"),
        Some(target.port()),
        e,
    );
    if let Ok(mut f) = ctx.found.lock() {
        f.entry(proto.to_string()).or_insert(Found {
            target: target.clone(),
            cred: hit.cred,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Cred;

    fn hit(user: &str, password: &str, source: &str, extra: Value) -> Hit {
        Hit {
            cred: Cred {
                user: user.into(),
                password: Secret::new(password),
                source: source.into(),
            },
            evidence: extra,
            failures_before: 1,
            attempts: 3,
            control: "a random user and password were refused (HTTP 401)".into(),
        }
    }

    #[test]
    fn no_field_of_the_evidence_carries_the_password() {
        // A knowledge-base source that quotes the row (as the public lists write it), and a
        // device that echoes the password after the login.
        let h = hit(
            "root",
            "pass",
            "DefaultCreds 'Axis,root,pass'",
            json!({"after_password": "pass\r\nroot@axis:~# ", "path": "/axis-cgi/pass/x"}),
        );
        let e = evidence_of("telnet", 23, &h, false);
        let text = e.to_string();
        assert!(
            !text.contains(",pass'") && !text.contains("\"pass\\r") && !text.contains("/pass/"),
            "{text}"
        );
        assert_eq!(e["password"], "****");
        assert_eq!(e["username"], "root");
        assert_eq!(e["credential_source"], "DefaultCreds 'Axis,root,****'");
        // Words that merely contain it stay.
        assert!(text.contains("\"password\""));
        // Revealed on request, everywhere.
        let e = evidence_of("telnet", 23, &h, true);
        assert_eq!(e["password"], "pass");
        assert_eq!(e["credential_source"], "DefaultCreds 'Axis,root,pass'");
    }

    #[test]
    fn a_password_equal_to_the_user_name_leaves_the_user_name_field() {
        let h = hit(
            "admin",
            "admin",
            "Mirai scanner.c (admin/admin)",
            json!({"dialogue": "login: admin\nPassword: ****"}),
        );
        let e = evidence_of("telnet", 23, &h, false);
        assert_eq!(e["username"], "admin", "the account to fix is named");
        assert_eq!(e["credential_source"], "Mirai scanner.c (****/****)");
        assert_eq!(e["dialogue"], "login: ****\nPassword: ****");
    }
}
