//! Certificates: one simulated site CA per fleet, and per profile one ECDSA certificate of each
//! kind (issued by the CA, self-signed, expired), generated once and shared by every host.

use crate::SimError;
use crate::profile::{Profile, TlsKind};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tokio_rustls::TlsAcceptor;

pub(crate) struct CertStore {
    ca_params: CertificateParams,
    ca_key: KeyPair,
    ca_der: CertificateDer<'static>,
    cache: HashMap<(String, TlsKind), TlsAcceptor>,
}

fn err(e: impl std::fmt::Display) -> SimError {
    SimError::Tls(e.to_string())
}

impl CertStore {
    pub fn new() -> Result<Self, SimError> {
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "camguard-sim Site CA");
        dn.push(DnType::OrganizationName, "camguard-sim");
        p.distinguished_name = dn;
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        p.not_before = now - Duration::days(30);
        p.not_after = now + Duration::days(3650);
        let key = KeyPair::generate().map_err(err)?;
        let cert = p.self_signed(&key).map_err(err)?;
        Ok(CertStore {
            ca_der: cert.der().clone(),
            ca_params: p,
            ca_key: key,
            cache: HashMap::new(),
        })
    }

    /// The acceptor for `profile`'s certificate of `kind`.
    pub fn acceptor(&mut self, profile: &Profile, kind: TlsKind) -> Result<TlsAcceptor, SimError> {
        let key = (profile.id.clone(), kind);
        if let Some(a) = self.cache.get(&key) {
            return Ok(a.clone());
        }
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, profile.def.tls.cn.as_str());
        if let Some(o) = &profile.def.tls.org {
            dn.push(DnType::OrganizationName, o.as_str());
        }
        p.distinguished_name = dn;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let (nb, na) = match kind {
            TlsKind::Ca => (now - Duration::days(30), now + Duration::days(365)),
            TlsKind::SelfSigned => (now - Duration::days(1), now + Duration::days(3650)),
            TlsKind::Expired => (now - Duration::days(400), now - Duration::days(35)),
        };
        p.not_before = nb;
        p.not_after = na;
        let leaf_key = KeyPair::generate().map_err(err)?;
        let chain: Vec<CertificateDer<'static>> = match kind {
            TlsKind::SelfSigned => vec![p.self_signed(&leaf_key).map_err(err)?.der().clone()],
            TlsKind::Ca | TlsKind::Expired => {
                let issuer = Issuer::from_params(&self.ca_params, &self.ca_key);
                vec![
                    p.signed_by(&leaf_key, &issuer).map_err(err)?.der().clone(),
                    self.ca_der.clone(),
                ]
            }
        };
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(err)?;
        let acc = TlsAcceptor::from(Arc::new(cfg));
        self.cache.insert(key, acc.clone());
        Ok(acc)
    }
}
