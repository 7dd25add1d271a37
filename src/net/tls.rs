//! TLS probes. They observe and know nothing about findings.
//!
//! * [`handshake`]: one full rustls handshake per host, with a certificate verifier that
//!   *records* the presented chain and lets the handshake finish, so that a chain which does not
//!   validate is still seen and can be classified precisely afterwards (expired, wrong host,
//!   self-signed, incomplete…) with [`verify`] and [`parse_cert`]. The connection carries no
//!   data and is closed right after the handshake, which is why accepting an unverifiable chain
//!   (or a handshake signature ring refuses, e.g. from an RSA-1024 key) is harmless here.
//! * [`hello_probe`]: rustls speaks only TLS 1.2 and 1.3, so whether a server still accepts
//!   TLS 1.0/1.1, or a weak cipher suite, is asked with a small hand-built ClientHello over a raw
//!   TCP socket (module [`hello`]). We read only the server's first answer: a ServerHello (its
//!   version and chosen suite say what it accepted) or an alert (refused). That is all a probe
//!   needs, and no key exchange with a legacy algorithm is ever completed.
//!
//! Every probe has a connect and a read timeout ([`PROBE_TIMEOUT`]), reads at most
//! [`READ_CAP`] bytes, and turns garbage into an error value, never a panic.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The connect timeout and the read timeout of every TLS probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// The most a hello probe reads from a server.
pub const READ_CAP: usize = 32 * 1024;

pub const TLS1_0: u16 = 0x0301;
pub const TLS1_1: u16 = 0x0302;
pub const TLS1_2: u16 = 0x0303;

pub fn version_name(v: u16) -> &'static str {
    match v {
        0x0300 => "SSLv3",
        TLS1_0 => "TLSv1.0",
        TLS1_1 => "TLSv1.1",
        TLS1_2 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        _ => "unknown version",
    }
}

// ---------------------------------------------------------------------------------------
// The full handshake.

/// What one completed (or half-completed) handshake showed.
#[derive(Debug, Clone)]
pub struct Session {
    pub addr: SocketAddr,
    /// The chain exactly as presented, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// "TLSv1.3", "TLSv1.2"; None when the handshake failed after the certificate.
    pub version: Option<&'static str>,
    pub cipher: Option<String>,
    /// The handshake failed after the certificate was seen.
    pub failed_after_certificate: Option<String>,
    /// The server's handshake signature, which webpki/ring refused (e.g. an RSA key < 2048).
    pub signature_refused: Option<String>,
}

impl Session {
    pub fn tls13(&self) -> bool {
        self.version == Some("TLSv1.3")
    }
}

#[derive(Debug, Default)]
struct Seen {
    chain: Vec<CertificateDer<'static>>,
    signature_refused: Option<String>,
}

/// A verifier that records instead of judging; judging happens later with [`verify`].
#[derive(Debug)]
struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    seen: Mutex<Seen>,
}

impl Recorder {
    fn with_seen<R>(&self, f: impl FnOnce(&mut Seen) -> R) -> R {
        match self.seen.lock() {
            Ok(mut s) => f(&mut s),
            Err(p) => f(&mut p.into_inner()),
        }
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.with_seen(|s| {
            s.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
        });
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Err(e) = self.inner.verify_tls12_signature(message, cert, dss) {
            self.with_seen(|s| s.signature_refused = Some(e.to_string()));
        }
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Err(e) = self.inner.verify_tls13_signature(message, cert, dss) {
            self.with_seen(|s| s.signature_refused = Some(e.to_string()));
        }
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self.inner.supported_verify_schemes();
        // Also accept what ring can't verify, so that weak servers still show their chain.
        for s in [
            SignatureScheme::RSA_PKCS1_SHA1,
            SignatureScheme::ECDSA_SHA1_Legacy,
        ] {
            if !schemes.contains(&s) {
                schemes.push(s);
            }
        }
        schemes
    }
}

/// The webpki verifier over the run's roots (web PKI plus `--ca-file`).
pub fn verifier(
    roots: Arc<RootCertStore>,
) -> Result<Arc<WebPkiServerVerifier>, rustls::client::VerifierBuilderError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    WebPkiServerVerifier::builder_with_provider(roots, provider).build()
}

/// Ends a connect error that is this machine's (no route out, EMFILE…), not the host's.
pub const LOCAL_MARK: &str = "a local error on this machine";

/// Whether a handshake error says the TCP connection itself failed (refused, timed out, no
/// route), as opposed to a TLS failure after connecting.
pub fn connect_failed(why: &str) -> bool {
    why.starts_with("cannot connect to ") || why.starts_with("connecting to ")
}

/// Why no TLS session came about; the messages are the ones the findings quote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("no address to connect to")]
    NoAddress,
    /// The last address refused or failed; `local` when every address failed with an error
    /// of this machine's ([`LOCAL_MARK`]).
    #[error("cannot connect to {addr}: {error}{}", if *local { format!(" ({LOCAL_MARK})") } else { String::new() })]
    Connect {
        addr: SocketAddr,
        error: String,
        local: bool,
    },
    #[error("connecting to {addr} timed out after {secs}s")]
    ConnectTimeout { addr: SocketAddr, secs: u64 },
    #[error("{host} is not a valid TLS server name: {error}")]
    ServerName { host: String, error: String },
    #[error("{0}")]
    Config(String),
    /// The handshake failed before any certificate was seen; `why` is the described error.
    #[error("{why}")]
    Handshake { addr: SocketAddr, why: String },
}

/// Connects to the first address that answers, within the probe timeout.
pub async fn connect(addrs: &[SocketAddr]) -> Result<(TcpStream, SocketAddr), TlsError> {
    let mut last = TlsError::NoAddress;
    let mut all_local = !addrs.is_empty();
    for addr in addrs {
        match tokio::time::timeout(PROBE_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok((s, *addr));
            }
            Ok(Err(e)) => {
                all_local &= crate::net::http::is_local_io(&e);
                last = TlsError::Connect {
                    addr: *addr,
                    error: e.to_string(),
                    local: false,
                }
            }
            Err(_) => {
                all_local = false;
                last = TlsError::ConnectTimeout {
                    addr: *addr,
                    secs: PROBE_TIMEOUT.as_secs(),
                }
            }
        }
    }
    if let TlsError::Connect { local, .. } = &mut last {
        *local = all_local;
    }
    Err(last)
}

/// One full handshake to `host` (the SNI and the name checked later) at the first reachable
/// address. `Err` means no certificate was seen at all: the host is unreachable over TLS.
pub async fn handshake(
    inner: Arc<WebPkiServerVerifier>,
    addrs: &[SocketAddr],
    host: &str,
) -> Result<Session, TlsError> {
    let (tcp, addr) = connect(addrs).await?;
    handshake_on(inner, tcp, addr, host).await
}

/// The handshake of [`handshake`] over a connection that is already open (e.g. an SMTP
/// session after `STARTTLS`).
pub async fn handshake_on<S>(
    inner: Arc<WebPkiServerVerifier>,
    tcp: S,
    addr: SocketAddr,
    host: &str,
) -> Result<Session, TlsError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let name = ServerName::try_from(host.to_string()).map_err(|e| TlsError::ServerName {
        host: host.to_string(),
        error: e.to_string(),
    })?;
    let recorder = Arc::new(Recorder {
        inner,
        seen: Mutex::new(Seen::default()),
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let result = tokio::time::timeout(PROBE_TIMEOUT, connector.connect(name, tcp)).await;
    let seen = recorder.with_seen(std::mem::take);
    let failure = match result {
        Ok(Ok(stream)) => {
            let (_, conn) = stream.get_ref();
            let version = conn.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
                _ => "older than TLSv1.2",
            });
            let cipher = conn
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()));
            return Ok(Session {
                addr,
                chain: seen.chain,
                version,
                cipher,
                failed_after_certificate: None,
                signature_refused: seen.signature_refused,
            });
        }
        Ok(Err(e)) => describe_handshake_error(&e),
        Err(_) => format!(
            "{addr}: no TLS handshake within {}s (the server accepted the connection and did not answer)",
            PROBE_TIMEOUT.as_secs()
        ),
    };
    if seen.chain.is_empty() {
        return Err(TlsError::Handshake { addr, why: failure });
    }
    Ok(Session {
        addr,
        chain: seen.chain,
        version: None,
        cipher: None,
        failed_after_certificate: Some(failure),
        signature_refused: seen.signature_refused,
    })
}

fn describe_handshake_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    if text.contains("InvalidContentType") || text.contains("corrupt message") {
        format!("the server does not speak TLS on this port ({text})")
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "the server closed the connection during the TLS handshake".to_string()
    } else {
        format!("TLS handshake failed: {text}")
    }
}

/// Verifies a chain for `host` with webpki at the given time. The caller picks the time: the
/// checks verify at a moment inside the leaf's validity, so that trust and expiry are judged
/// separately.
pub fn verify(
    inner: &WebPkiServerVerifier,
    chain: &[CertificateDer<'static>],
    host: &str,
    at_unix_secs: u64,
) -> Result<(), rustls::Error> {
    let Some((leaf, rest)) = chain.split_first() else {
        return Err(rustls::Error::NoCertificatesPresented);
    };
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| rustls::Error::General(e.to_string()))?;
    inner
        .verify_server_cert(
            leaf,
            rest,
            &name,
            &[],
            UnixTime::since_unix_epoch(Duration::from_secs(at_unix_secs)),
        )
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------
// Certificate details.

/// What a certificate says, read with x509-parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// DNS names of the subjectAltName extension.
    pub sans: Vec<String>,
    pub not_before: i64,
    pub not_after: i64,
    /// "RSA", "EC", "Ed25519", …
    pub key_type: String,
    pub key_bits: usize,
    /// A readable name of the signature algorithm.
    pub signature: String,
    /// Signed with SHA-1 or MD5.
    pub weak_signature: bool,
    /// Issuer and subject are the same name.
    pub self_issued: bool,
    pub is_ca: bool,
    /// caIssuers URLs of the Authority Information Access extension.
    pub ca_issuers: Vec<String>,
    pub sha256: String,
}

fn signature_name(oid: &str) -> (&'static str, bool) {
    match oid {
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", true),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", true),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", true),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", true),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", false),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", false),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", false),
        "1.2.840.113549.1.1.10" => ("rsassa-pss", false),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", false),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", false),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", false),
        "1.3.101.112" => ("Ed25519", false),
        _ => ("unknown", false),
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CertError {
    /// Not a DER X.509 certificate x509-parser can read.
    #[error("unreadable certificate: {0}")]
    Unreadable(x509_parser::nom::Err<x509_parser::error::X509Error>),
}

/// Reads a DER certificate.
pub fn parse_cert(der: &[u8]) -> Result<CertInfo, CertError> {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::{FromDer, X509Certificate};
    use x509_parser::public_key::PublicKey;

    let (_, cert) = X509Certificate::from_der(der).map_err(CertError::Unreadable)?;
    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(d.to_ascii_lowercase()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let (key_type, key_bits) = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(k)) => ("RSA".to_string(), k.key_size()),
        Ok(PublicKey::EC(k)) => ("EC".to_string(), k.key_size()),
        Ok(PublicKey::DSA(_)) => ("DSA".to_string(), 0),
        Ok(PublicKey::GostR3410(_) | PublicKey::GostR3410_2012(_)) => ("GOST".to_string(), 0),
        Ok(PublicKey::Unknown(_)) | Err(_) => {
            let oid = cert.public_key().algorithm.algorithm.to_id_string();
            let t = match oid.as_str() {
                "1.3.101.112" => "Ed25519",
                "1.3.101.113" => "Ed448",
                _ => "unknown",
            };
            (t.to_string(), 0)
        }
    };
    let (signature, weak_signature) =
        signature_name(&cert.signature_algorithm.algorithm.to_id_string());
    let mut ca_issuers = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for d in aia.iter() {
                if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.2" {
                    if let GeneralName::URI(u) = d.access_location {
                        ca_issuers.push(u.to_string());
                    }
                }
            }
        }
    }
    Ok(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        key_type,
        key_bits,
        signature: signature.to_string(),
        weak_signature,
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
        is_ca: cert.is_ca(),
        ca_issuers,
        sha256: sha256_hex(der),
    })
}

/// Whether a certificate name (a SAN, maybe `*.example.com`) covers `host` (RFC 6125 §6.4:
/// a wildcard only as the whole left-most label, matching exactly one label).
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => pattern == host,
    }
}

// ---------------------------------------------------------------------------------------
// Hand-built hellos for what rustls cannot speak.

/// The answer of a server to one hand-built ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelloAnswer {
    /// A ServerHello: the server accepted this version and picked this suite.
    Accepted { version: u16, suite: u16 },
    /// An alert or a closed connection: the server refused.
    Refused(String),
    /// The server answered something that is not TLS.
    NotTls(String),
    /// No answer (connect failure or timeout).
    NoAnswer(String),
}

/// Sends one ClientHello for `version` offering `suites`, and reads the server's first answer.
pub async fn hello_probe(
    addrs: &[SocketAddr],
    host: &str,
    version: u16,
    suites: &[u16],
) -> HelloAnswer {
    let (mut tcp, addr) = match connect(addrs).await {
        Ok(t) => t,
        Err(e) => return HelloAnswer::NoAnswer(e.to_string()),
    };
    let hello = hello::client_hello(host, version, suites);
    let exchange = async {
        tcp.write_all(&hello).await.map_err(|e| e.to_string())?;
        let mut buf = Vec::with_capacity(4096);
        let mut chunk = [0u8; 4096];
        loop {
            match hello::parse_server_answer(&buf) {
                hello::Parsed::Done(answer) => return Ok::<_, String>(answer),
                hello::Parsed::Incomplete if buf.len() >= READ_CAP => {
                    return Ok(HelloAnswer::NotTls(format!(
                        "no complete ServerHello in the first {READ_CAP} bytes"
                    )))
                }
                hello::Parsed::Incomplete => {}
            }
            let n = tcp.read(&mut chunk).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Ok(if buf.is_empty() {
                    HelloAnswer::Refused("closed the connection".into())
                } else {
                    HelloAnswer::NotTls("closed the connection mid-record".into())
                });
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    match tokio::time::timeout(PROBE_TIMEOUT, exchange).await {
        Ok(Ok(answer)) => answer,
        // A reset after our hello is how some servers refuse.
        Ok(Err(e)) => HelloAnswer::Refused(format!("{addr}: {e}")),
        Err(_) => HelloAnswer::NoAnswer(format!(
            "{addr}: no answer within {}s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

pub mod hello;
pub mod suites;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_unreadable_certificate() {
        assert!(matches!(
            parse_cert(b"not a certificate"),
            Err(CertError::Unreadable(_))
        ));
        let e = parse_cert(&[0x30, 0x03, 0x02, 0x01, 0x01]).expect_err("not a certificate");
        assert!(e.to_string().starts_with("unreadable certificate: "), "{e}");
    }

    #[test]
    fn wildcards_match_one_label() {
        assert!(name_matches("*.example.test", "www.example.test"));
        assert!(!name_matches("*.example.test", "example.test"));
        assert!(!name_matches("*.example.test", "a.b.example.test"));
        assert!(name_matches("Example.TEST", "example.test."));
        assert!(!name_matches("example.net", "example.test"));
    }
}
