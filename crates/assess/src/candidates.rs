//! The credentials tried on one device, in order: the knowledge base's list reshaped by the
//! device's password policy.

use crate::creds::Cred;
use crate::policy;
use camguard_kb::Kb;
use camguard_model::Secret;

/// The credentials to try for `protocol` on a device of `vendor`/`brand`/`model`, in order, before the
/// budget cuts the list: `credentials.toml`'s order (vendor pairs, then generic ones), reshaped
/// by the device's password policy (`password-policy.toml`) when there is one: the vendor's
/// factory pairs first when they predate the rules (or not at all when such devices never had
/// one), then the policy's common weak passwords, then the generic pairs, every pair but the
/// exempt factory ones satisfying the rules.
pub fn candidate_credentials(
    kb: &Kb,
    policies: &[policy::PasswordPolicy],
    vendor: Option<&str>,
    brand: Option<&str>,
    model: Option<&str>,
    protocol: &str,
) -> Vec<Cred> {
    let listed = kb.credentials_for(vendor, protocol);
    let cred = |user: &str, password: &str, source: &str| Cred {
        user: user.to_string(),
        password: Secret::new(password.to_string()),
        source: source.to_string(),
    };
    let Some(p) = policy::for_device(policies, vendor, brand, model, protocol) else {
        return listed
            .into_iter()
            .map(|c| cred(&c.username, &c.password, &c.source))
            .collect();
    };
    let mut out: Vec<Cred> = Vec::new();
    let push = |c: Cred, out: &mut Vec<Cred>| {
        if !out
            .iter()
            .any(|x| x.user == c.user && x.password.expose() == c.password.expose())
        {
            out.push(c);
        }
    };
    let (own, generic): (Vec<_>, Vec<_>) = listed.into_iter().partition(|c| !c.is_generic());
    if p.factory_defaults == policy::FactoryDefaults::Legacy {
        for c in &own {
            push(cred(&c.username, &c.password, &c.source), &mut out);
        }
    }
    // The source names the policy, not its text: that quotes the passwords themselves, and
    // evidence never carries a password (nor a word that is one, like the file's name).
    let weak_source = format!(
        "common weak choice under the {}{} rules (kb/assess policy file, its weak_source)",
        p.vendor,
        p.brand
            .as_deref()
            .map(|b| format!("/{b}"))
            .unwrap_or_default(),
    );
    for w in &p.weak {
        push(cred(&p.weak_user, w, &weak_source), &mut out);
    }
    for c in generic.iter().filter(|c| p.allows(&c.password)) {
        push(cred(&c.username, &c.password, &c.source), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use camguard_kb::Kb;

    /// Is `word` in `text` as a word of its own (not inside a longer one), ignoring case?
    fn has_word(text: &str, word: &str) -> bool {
        let (text, word) = (text.to_lowercase(), word.to_lowercase());
        text.match_indices(&word).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && !text[i + word.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        })
    }

    #[test]
    fn no_source_names_its_credential() {
        // Evidence shows the source: it is a reference to the public list, never the pair.
        let kb = Kb::embedded().unwrap();
        let mut bad = Vec::new();
        for c in &kb.credentials {
            let s = &c.source;
            let names_password = !c.password.is_empty() && has_word(s, &c.password);
            let names_blank = ["<blank>", "<empty>", "/none", "(none)", "blank or"]
                .iter()
                .any(|m| s.to_lowercase().contains(m));
            let names_pair = [",", "/", ":"]
                .iter()
                .any(|sep| s.contains(&format!("{}{sep}", c.username)) && !c.username.is_empty());
            if names_password || names_blank || names_pair {
                bad.push(format!("{}/{}: {s}", c.vendor, c.username));
            }
        }
        assert!(
            bad.is_empty(),
            "sources naming the credential:\n{}",
            bad.join("\n")
        );
    }
}
