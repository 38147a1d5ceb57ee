//! Who is calling: a session cookie (browsers) or a bearer API token (scripts), the caller's
//! reach (tenancy, [`camguard_store::Reach`]), CSRF for cookie sessions, and login throttling.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use camguard_auth::{Action, valid_username};
use camguard_store::{Actor, Reach, User};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "camguard_session";
/// The header a cookie session's changes must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How a caller proved who it is.
#[derive(Clone, Debug)]
pub enum Via {
    /// A session cookie; changes need the session's CSRF token.
    Session,
    /// `Authorization: Bearer` with an API token.
    Token,
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub reach: Reach,
    pub client: IpAddr,
    pub via: Via,
}

impl Caller {
    /// Refuse (`403 forbidden`) an action the caller's role does not allow.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.user.role.may(action) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The caller as the audit log records it.
    pub fn actor(&self) -> Actor {
        Actor {
            name: self.user.username.clone(),
            client: Some(self.client.to_string()),
        }
    }
}

/// The client's address (the TCP peer).
pub fn client_addr(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip())
}

/// A cookie's value from the `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty() && t.len() <= 256)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client = client_addr(parts);
        let (user, via) = if let Some(token) = bearer(&parts.headers) {
            let user = state
                .store
                .user_for_token(token)
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            (user, Via::Token)
        } else if let Some(id) = cookie(&parts.headers, SESSION_COOKIE).filter(|c| c.len() <= 256) {
            let s = state
                .store
                .session(id)
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .map(axum::http::HeaderValue::as_bytes)
                    .unwrap_or_default();
                if !bool::from(sent.ct_eq(s.csrf_token.as_bytes())) {
                    return Err(ApiError::csrf());
                }
            }
            (s.user, Via::Session)
        } else {
            return Err(ApiError::unauthenticated());
        };
        let reach = state.store.reach_of(&user).await?;
        Ok(Caller {
            user,
            reach,
            client,
            via,
        })
    }
}

/// Limits on login attempts.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleConfig {
    /// Attempts one account may take at once, then one more per `account_every`.
    pub account_burst: u32,
    pub account_every: Duration,
    /// Attempts one client address may take at once, then one more per `address_every`.
    pub address_burst: u32,
    pub address_every: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            account_burst: 10,
            account_every: Duration::from_secs(60),
            address_burst: 30,
            address_every: Duration::from_secs(10),
        }
    }
}

/// Login throttling per account and per client address (OWASP ASVS 2.2.1): each attempt takes
/// one cell of both buckets (`governor`'s GCRA); an empty bucket answers `429` with the wait.
/// Attempts, not only failures, are counted so that a password-guessing client learns nothing
/// from the throttle; the defaults leave room for people who mistype.
pub struct LoginThrottle {
    by_account: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(burst: u32, every: Duration) -> Quota {
    Quota::with_period(every.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl LoginThrottle {
    pub fn new(c: ThrottleConfig) -> LoginThrottle {
        LoginThrottle {
            by_account: RateLimiter::keyed(quota(c.account_burst, c.account_every)),
            by_address: RateLimiter::keyed(quota(c.address_burst, c.address_every)),
        }
    }

    /// Take one attempt for this username and address, or say how long to wait.
    pub fn attempt(&self, username: &str, client: IpAddr) -> Result<(), ApiError> {
        let now = DefaultClock::default().now();
        let wait = |n: governor::NotUntil<_>| n.wait_time_from(now).as_secs() + 1;
        // An address is checked first, so that one spraying many names is stopped by it.
        self.by_address
            .check_key(&client)
            .map_err(|n| ApiError::too_many_requests(wait(n)))?;
        let key = valid_username(username).unwrap_or_else(|| "\u{0}invalid".to_string());
        self.by_account
            .check_key(&key)
            .map_err(|n| ApiError::too_many_requests(wait(n)))
    }

    /// Forget buckets that are full again (bounded memory under a spray of names).
    pub fn forget_idle(&self) {
        self.by_account.retain_recent();
        self.by_account.shrink_to_fit();
        self.by_address.retain_recent();
        self.by_address.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_per_account_and_per_address() {
        let t = LoginThrottle::new(ThrottleConfig {
            account_burst: 2,
            account_every: Duration::from_secs(3600),
            address_burst: 3,
            address_every: Duration::from_secs(3600),
        });
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(t.attempt("alice", a).is_ok());
        assert!(t.attempt("ALICE", b).is_ok());
        let e = t.attempt("alice", a).unwrap_err();
        assert_eq!(e.code, "too_many_requests");
        assert!(e.retry_after.unwrap() > 60);
        // Another account from the same address has one attempt left, then the address is out.
        assert!(t.attempt("bob", a).is_ok());
        assert!(t.attempt("dave", a).is_err());
        assert!(t.attempt("carol", b).is_ok());
    }

    #[test]
    fn reads_cookies_and_bearer_tokens() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; camguard_session=xyz ; b=2".parse().unwrap(),
        );
        h.insert(header::AUTHORIZATION, "bearer  cgt_abc".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(bearer(&h), Some("cgt_abc"));
        h.insert(header::AUTHORIZATION, "Basic Zm9v".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
