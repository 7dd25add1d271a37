//! The sandbox's TLS: the rustls server configuration of a scenario's `[tls]` table, and what
//! rustls cannot play.
//!
//! * Legacy TLS 1.0/1.1 and weak cipher suites: rustls implements neither, so a minimal
//!   hand-written responder sits in front of the rustls port. It reads the ClientHello; if the
//!   scenario accepts what the hello offers (a legacy version, or only weak suites), it answers
//!   with a ServerHello of that version and suite and closes — the audit's probes read nothing
//!   more. Any other hello is passed through, byte for byte, to the real rustls server.
//! * Hostile ports: `garbage` answers plain text instead of TLS, `silent` accepts and never
//!   speaks; both replace the HTTPS port as the audit sees it.
//! * The incomplete-chain scenario publishes its intermediate over plain HTTP on its own
//!   loopback port, named in the leaf's AIA caIssuers URL.

use super::pki::{self, CertKind, LeafKey, WeakRsaKey};
use super::scenario::Tls;
use super::SandboxError;
use crate::net::tls::{hello, TLS1_0, TLS1_1, TLS1_2};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{ServerConfig, SignatureAlgorithm, SignatureScheme};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The server side of a scenario's TLS.
pub struct Prepared {
    pub config: Arc<ServerConfig>,
    /// The trust anchor the audit gets with `--ca-file`.
    pub ca_pem: String,
    /// Helper servers (the AIA publisher).
    pub tasks: Vec<JoinHandle<()>>,
    /// The CA behind `ca_pem`, for the other servers' certificates (SMTP).
    pub issuer: Option<Arc<pki::Issuer>>,
}

/// Issues the scenario's certificates and builds its rustls configuration.
pub async fn prepare(tls: &Tls, domain: &str) -> Result<Prepared, SandboxError> {
    prepare_with(tls, domain, &[]).await
}

/// [`prepare`] with a leaf that also names `aliases` (the multi-target sandbox).
pub async fn prepare_with(
    tls: &Tls,
    domain: &str,
    aliases: &[String],
) -> Result<Prepared, SandboxError> {
    let kind = CertKind::parse(&tls.cert)?;
    let mut tasks = Vec::new();
    let pki = if kind == CertKind::IncompleteChain {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(SandboxError::io("sandbox AIA"))?;
        let addr = listener
            .local_addr()
            .map_err(SandboxError::io("sandbox AIA"))?;
        let url = format!("http://{addr}/launchready-sandbox-intermediate.der");
        let pki = pki::issue_kind_with(domain, aliases, kind, Some(&url))?;
        let der = pki.aia_intermediate.clone().unwrap_or_default();
        tasks.push(tokio::spawn(serve_aia(listener, der)));
        pki
    } else {
        pki::issue_kind_with(domain, aliases, kind, None)?
    };
    Ok(Prepared {
        config: server_config(tls, &pki)?,
        issuer: pki.issuer.clone(),
        ca_pem: pki.ca_pem,
        tasks,
    })
}

/// The rustls configuration: the scenario's chain and key, TLS 1.3 unless `tls13 = false`.
pub fn server_config(tls: &Tls, pki: &pki::Pki) -> Result<Arc<ServerConfig>, SandboxError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls.tls13 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS12]
    };
    let builder = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(SandboxError::tls("sandbox TLS"))?
        .with_no_client_auth();
    let config = match &pki.key {
        LeafKey::Standard(key) => builder
            .with_single_cert(pki.chain.clone(), key.clone_key())
            .map_err(SandboxError::tls("sandbox TLS"))?,
        LeafKey::WeakRsa(key) => {
            let certified =
                CertifiedKey::new(pki.chain.clone(), Arc::new(WeakSigning(key.clone())));
            builder.with_cert_resolver(Arc::new(OneCert(Arc::new(certified))))
        }
    };
    Ok(Arc::new(config))
}

#[derive(Debug)]
struct OneCert(Arc<CertifiedKey>);

impl ResolvesServerCert for OneCert {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// rustls' signing interface over the RSA-1024 test key.
#[derive(Debug)]
struct WeakSigning(Arc<WeakRsaKey>);

#[derive(Debug)]
struct WeakSigner(Arc<WeakRsaKey>, SignatureScheme);

impl SigningKey for WeakSigning {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        [
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PKCS1_SHA256,
        ]
        .into_iter()
        .find(|s| offered.contains(s))
        .map(|s| Box::new(WeakSigner(self.0.clone(), s)) as Box<dyn Signer>)
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

impl Signer for WeakSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        Ok(match self.1 {
            SignatureScheme::RSA_PSS_SHA256 => self.0.sign_pss_sha256(message),
            _ => self.0.sign_pkcs1_sha256(message),
        })
    }
    fn scheme(&self) -> SignatureScheme {
        self.1
    }
}

/// Publishes the intermediate: any request gets it, as `application/pkix-cert`.
async fn serve_aia(listener: TcpListener, der: Vec<u8>) {
    let der = Arc::new(der);
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let der = der.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf)).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/pkix-cert\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                der.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&der).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// Suites rustls serves: a hello offering any of them is a modern client, not a weak probe.
const MODERN_SUITES: &[u16] = &[
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA8, 0xCCA9,
];

/// The suites the legacy scenario accepts over TLS 1.0/1.1, in its order of preference.
const LEGACY_PREFERENCE: &[u16] = &[0xC013, 0xC014, 0xC009, 0xC00A];

/// The weak suites the weak-cipher scenario accepts, in its order of preference.
const WEAK_PREFERENCE: &[u16] = &[0x000A, 0xC012, 0x0005, 0x0004, 0x002F, 0x0035, 0x009C];

/// Whether the scenario needs a front in place of the rustls port.
pub fn needs_front(tls: &Tls) -> bool {
    tls.legacy || tls.weak_cipher || matches!(tls.mode.as_str(), "garbage" | "silent")
}

/// Starts the front for `backend` (the rustls port) when the scenario needs one; returns the
/// address the audit must reach as HTTPS.
pub async fn front(
    tls: &Tls,
    backend: SocketAddr,
) -> Result<(SocketAddr, Option<JoinHandle<()>>), SandboxError> {
    if !needs_front(tls) {
        return Ok((backend, None));
    }
    match tls.mode.as_str() {
        "normal" | "garbage" | "silent" => {}
        other => {
            return Err(SandboxError::Setting {
                setting: "[tls] mode",
                value: other.to_string(),
                expected: "expected normal, garbage or silent".into(),
            })
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(SandboxError::io("sandbox TLS front"))?;
    let addr = listener
        .local_addr()
        .map_err(SandboxError::io("sandbox TLS front"))?;
    let tls = Arc::new(tls.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(serve_front(stream, tls.clone(), backend));
        }
    });
    Ok((addr, Some(task)))
}

async fn serve_front(mut stream: TcpStream, tls: Arc<Tls>, backend: SocketAddr) {
    match tls.mode.as_str() {
        "silent" => {
            // Read and discard until the client gives up (bounded, so tasks never pile up).
            let mut sink = [0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_secs(60), async {
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
            return;
        }
        "garbage" => {
            let mut sink = [0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut sink)).await;
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 22\r\n\r\nthis port is not TLS!\n")
                .await;
            let _ = stream.shutdown().await;
            return;
        }
        _ => {}
    }
    // Read the ClientHello (bounded in time and size).
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let parsed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(p) = hello::parse_client_hello(&buf) {
                return Some(p);
            }
            if buf.len() > 20_000 {
                return None;
            }
            match stream.read(&mut chunk).await {
                Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return None,
            }
        }
    })
    .await;
    let info = match parsed {
        Ok(Some(Ok(info))) => Some(info),
        Ok(Some(Err(_))) => None,
        Ok(None) | Err(_) => return,
    };
    if let Some(info) = &info {
        let answer = if tls.legacy && (TLS1_0..=TLS1_1).contains(&info.max_version) {
            // Like a 2015 nginx: TLS 1.0/1.1 with ECDHE CBC suites; no SSLv3, nothing weaker.
            LEGACY_PREFERENCE
                .iter()
                .copied()
                .find(|s| info.suites.contains(s))
                .map(|s| (info.max_version, s))
        } else if tls.weak_cipher
            && info.max_version >= TLS1_2
            && !info.suites.iter().any(|s| MODERN_SUITES.contains(s))
        {
            // Server preference, like an old OpenSSL default list: 3DES first.
            WEAK_PREFERENCE
                .iter()
                .copied()
                .find(|s| info.suites.contains(s))
                .map(|s| (TLS1_2, s))
        } else {
            None
        };
        if let Some((version, suite)) = answer {
            let _ = stream.write_all(&hello::server_hello(version, suite)).await;
            let _ = stream.shutdown().await;
            return;
        }
    }
    // Everything else is rustls' business.
    let Ok(Ok(mut upstream)) =
        tokio::time::timeout(Duration::from_secs(3), TcpStream::connect(backend)).await
    else {
        return;
    };
    if upstream.write_all(&buf).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
}
