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
pub fn verifier(roots: Arc<RootCertStore>) -> Result<Arc<WebPkiServerVerifier>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .map_err(|e| e.to_string())
}

/// Ends a connect error that is this machine's (no route out, EMFILE…), not the host's.
pub const LOCAL_MARK: &str = "a local error on this machine";

/// Whether a handshake error says the TCP connection itself failed (refused, timed out, no
/// route), as opposed to a TLS failure after connecting.
pub fn connect_failed(why: &str) -> bool {
    why.starts_with("cannot connect to ") || why.starts_with("connecting to ")
}

/// Connects to the first address that answers, within the probe timeout.
pub async fn connect(addrs: &[SocketAddr]) -> Result<(TcpStream, SocketAddr), String> {
    let mut last = "no address to connect to".to_string();
    let mut all_local = !addrs.is_empty();
    for addr in addrs {
        match tokio::time::timeout(PROBE_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok((s, *addr));
            }
            Ok(Err(e)) => {
                all_local &= crate::net::http::is_local_io(&e);
                last = format!("cannot connect to {addr}: {e}")
            }
            Err(_) => {
                all_local = false;
                last = format!(
                    "connecting to {addr} timed out after {}s",
                    PROBE_TIMEOUT.as_secs()
                )
            }
        }
    }
    if all_local {
        last = format!("{last} ({LOCAL_MARK})");
    }
    Err(last)
}

/// One full handshake to `host` (the SNI and the name checked later) at the first reachable
/// address. `Err` means no certificate was seen at all: the host is unreachable over TLS.
pub async fn handshake(
    inner: Arc<WebPkiServerVerifier>,
    addrs: &[SocketAddr],
    host: &str,
) -> Result<Session, String> {
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
) -> Result<Session, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| format!("{host} is not a valid TLS server name: {e}"))?;
    let recorder = Arc::new(Recorder {
        inner,
        seen: Mutex::new(Seen::default()),
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
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
        return Err(failure);
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

/// Reads a DER certificate.
pub fn parse_cert(der: &[u8]) -> Result<CertInfo, String> {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::{FromDer, X509Certificate};
    use x509_parser::public_key::PublicKey;

    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("unreadable certificate: {e}"))?;
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
        Err(e) => return HelloAnswer::NoAnswer(e),
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

/// The wire format of the first flight: a ClientHello built by hand (RFC 5246 §7.4.1.2,
/// RFC 2246 for TLS 1.0), the ServerHello or alert that answers it, and — for the sandbox's
/// legacy responder — the reverse: reading a ClientHello and writing a ServerHello.
pub mod hello {
    use super::HelloAnswer;

    /// Suites a TLS 1.0/1.1 server of the last decade commonly accepts (the legacy probe):
    /// CBC suites only, since GCM and ChaCha20 exist from TLS 1.2 on.
    pub const LEGACY_SUITES: &[u16] = &[
        0xC013, 0xC014, 0xC009, 0xC00A, 0x0033, 0x0039, 0x002F, 0x0035, 0x000A, 0x00FF,
    ];

    /// Anonymous, NULL, EXPORT, RC4, (3)DES and static-RSA suites: the weak-cipher probe offers
    /// only these, so any ServerHello means the server accepts one of them.
    pub const WEAK_SUITES: &[u16] = &[
        0x0003, 0x0008, 0x0014, 0x0011, // EXPORT
        0x0001, 0x0002, 0x003B, 0xC006, 0xC010, // NULL
        0x0018, 0x0034, 0x003A, 0x00A6, 0xC018, // anonymous
        0x0004, 0x0005, 0xC007, 0xC011, // RC4
        0x0009, 0x000A, 0x0016, 0xC012, // DES / 3DES
        0x002F, 0x0035, 0x003C, 0x003D, 0x009C, 0x009D, // static RSA key exchange
        0x00FF,
    ];

    /// The IANA name of a suite we offer, or its number.
    pub fn suite_name(suite: u16) -> String {
        let name = match suite {
            0x0001 => "TLS_RSA_WITH_NULL_MD5",
            0x0002 => "TLS_RSA_WITH_NULL_SHA",
            0x0003 => "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
            0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
            0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
            0x0008 => "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
            0x0009 => "TLS_RSA_WITH_DES_CBC_SHA",
            0x000A => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            0x0011 => "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
            0x0014 => "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
            0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
            0x0018 => "TLS_DH_anon_WITH_RC4_128_MD5",
            0x002F => "TLS_RSA_WITH_AES_128_CBC_SHA",
            0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
            0x0034 => "TLS_DH_anon_WITH_AES_128_CBC_SHA",
            0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
            0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
            0x003A => "TLS_DH_anon_WITH_AES_256_CBC_SHA",
            0x003B => "TLS_RSA_WITH_NULL_SHA256",
            0x003C => "TLS_RSA_WITH_AES_128_CBC_SHA256",
            0x003D => "TLS_RSA_WITH_AES_256_CBC_SHA256",
            0x009C => "TLS_RSA_WITH_AES_128_GCM_SHA256",
            0x009D => "TLS_RSA_WITH_AES_256_GCM_SHA384",
            0x00A6 => "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
            0xC006 => "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
            0xC007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
            0xC009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            0xC00A => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            0xC010 => "TLS_ECDHE_RSA_WITH_NULL_SHA",
            0xC011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
            0xC012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
            0xC013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            0xC014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            0xC018 => "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
            0xC02B => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            0xC02F => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            _ => return format!("0x{suite:04X}"),
        };
        name.to_string()
    }

    /// Why a suite is weak, for the evidence.
    pub fn weakness(suite: u16) -> &'static str {
        match suite {
            0x0003 | 0x0008 | 0x0011 | 0x0014 => "EXPORT-grade (40-bit)",
            0x0001 | 0x0002 | 0x003B | 0xC006 | 0xC010 => "NULL encryption",
            0x0018 | 0x0034 | 0x003A | 0x00A6 | 0xC018 => "anonymous (no authentication)",
            0x0004 | 0x0005 | 0xC007 | 0xC011 => "RC4",
            0x0009 | 0x000A | 0x0016 | 0xC012 => "DES/3DES (Sweet32)",
            0x002F | 0x0035 | 0x003C | 0x003D | 0x009C | 0x009D => {
                "static RSA key exchange (no forward secrecy)"
            }
            _ => "weak",
        }
    }

    /// Bytes that differ per hello; no security rests on them (the probe never finishes).
    fn random32() -> [u8; 32] {
        use std::hash::{BuildHasher, Hasher};
        let mut out = [0u8; 32];
        for (i, chunk) in out.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            chunk.copy_from_slice(&h.finish().to_be_bytes());
        }
        out
    }

    fn push_u16(v: &mut Vec<u8>, x: u16) {
        v.extend_from_slice(&x.to_be_bytes());
    }

    fn push_ext(v: &mut Vec<u8>, ty: u16, body: &[u8]) {
        push_u16(v, ty);
        push_u16(v, body.len() as u16);
        v.extend_from_slice(body);
    }

    /// A TLS record holding a ClientHello for `version`, with SNI, the common groups and
    /// point formats, renegotiation_info and (for TLS 1.2) signature_algorithms.
    pub fn client_hello(host: &str, version: u16, suites: &[u16]) -> Vec<u8> {
        let mut body = Vec::with_capacity(256);
        push_u16(&mut body, version);
        body.extend_from_slice(&random32());
        body.push(0); // no session id
        push_u16(&mut body, (suites.len() * 2) as u16);
        for s in suites {
            push_u16(&mut body, *s);
        }
        body.extend_from_slice(&[1, 0]); // compression: null only

        let mut ext = Vec::new();
        let name = host.as_bytes();
        if !name.is_empty() && name.len() < 256 && host.parse::<std::net::IpAddr>().is_err() {
            let mut sni = Vec::new();
            push_u16(&mut sni, (name.len() + 3) as u16);
            sni.push(0); // host_name
            push_u16(&mut sni, name.len() as u16);
            sni.extend_from_slice(name);
            push_ext(&mut ext, 0x0000, &sni);
        }
        // supported_groups: x25519, secp256r1, secp384r1
        push_ext(
            &mut ext,
            0x000a,
            &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
        );
        // ec_point_formats: uncompressed
        push_ext(&mut ext, 0x000b, &[1, 0]);
        if version >= super::TLS1_2 {
            // signature_algorithms: rsa_pkcs1_sha256/384, ecdsa_sha256/384, rsa_pss_sha256, rsa_pkcs1_sha1
            let algs: [u16; 6] = [0x0401, 0x0501, 0x0403, 0x0503, 0x0804, 0x0201];
            let mut sa = Vec::new();
            push_u16(&mut sa, (algs.len() * 2) as u16);
            for a in algs {
                push_u16(&mut sa, a);
            }
            push_ext(&mut ext, 0x000d, &sa);
        }
        push_ext(&mut ext, 0xff01, &[0]); // renegotiation_info, empty
        push_u16(&mut body, ext.len() as u16);
        body.extend_from_slice(&ext);

        handshake_record(1, &body, super::TLS1_0)
    }

    fn handshake_record(msg_type: u8, body: &[u8], record_version: u16) -> Vec<u8> {
        let mut hs = Vec::with_capacity(body.len() + 4);
        hs.push(msg_type);
        hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(body);
        let mut rec = Vec::with_capacity(hs.len() + 5);
        rec.push(0x16);
        push_u16(&mut rec, record_version);
        push_u16(&mut rec, hs.len() as u16);
        rec.extend_from_slice(&hs);
        rec
    }

    /// A bounds-checked reader: peer bytes never index out of range.
    struct Reader<'a> {
        data: &'a [u8],
        pos: usize,
    }

    impl<'a> Reader<'a> {
        fn new(data: &'a [u8]) -> Self {
            Reader { data, pos: 0 }
        }
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let end = self.pos.checked_add(n)?;
            let s = self.data.get(self.pos..end)?;
            self.pos = end;
            Some(s)
        }
        fn u8(&mut self) -> Option<u8> {
            self.take(1).map(|b| b[0])
        }
        fn u16(&mut self) -> Option<u16> {
            self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
        }
        fn u24(&mut self) -> Option<usize> {
            self.take(3)
                .map(|b| (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2]))
        }
        fn vec8(&mut self) -> Option<&'a [u8]> {
            let n = self.u8()?;
            self.take(usize::from(n))
        }
        fn vec16(&mut self) -> Option<&'a [u8]> {
            let n = self.u16()?;
            self.take(usize::from(n))
        }
        fn rest(&self) -> &'a [u8] {
            self.data.get(self.pos..).unwrap_or_default()
        }
    }

    pub enum Parsed {
        Incomplete,
        Done(HelloAnswer),
    }

    /// Reads the records at the start of `buf`: the handshake payload so far, or the answer if
    /// the first record is an alert or not TLS at all.
    fn handshake_payload(buf: &[u8]) -> Result<(Vec<u8>, bool), HelloAnswer> {
        let mut r = Reader::new(buf);
        let mut payload = Vec::new();
        loop {
            if r.rest().is_empty() {
                return Ok((payload, false));
            }
            let head = r.rest();
            if head.len() < 5 {
                // Judge the content type as soon as it is there.
                if !matches!(head[0], 0x15 | 0x16) {
                    return Err(not_tls(head));
                }
                return Ok((payload, false));
            }
            let ty = head[0];
            let major = head[1];
            if !matches!(ty, 0x15 | 0x16) || major != 3 {
                return Err(not_tls(head));
            }
            let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
            if len > 18_432 {
                return Err(not_tls(head));
            }
            let _ = r.take(5);
            let Some(frag) = r.take(len) else {
                return Ok((payload, false));
            };
            if ty == 0x15 {
                if payload.is_empty() {
                    return Err(match frag {
                        [level, desc, ..] => HelloAnswer::Refused(format!(
                            "alert {} ({desc}, level {level})",
                            alert_name(*desc)
                        )),
                        _ => HelloAnswer::Refused("a truncated alert".into()),
                    });
                }
                return Ok((payload, true));
            }
            payload.extend_from_slice(frag);
        }
    }

    fn not_tls(head: &[u8]) -> HelloAnswer {
        let shown: String = head
            .iter()
            .take(16)
            .map(|b| {
                if b.is_ascii_graphic() || *b == b' ' {
                    char::from(*b)
                } else {
                    '.'
                }
            })
            .collect();
        HelloAnswer::NotTls(format!(
            "the server answered bytes that are not TLS: {shown:?}"
        ))
    }

    pub fn alert_name(desc: u8) -> &'static str {
        match desc {
            0 => "close_notify",
            10 => "unexpected_message",
            20 => "bad_record_mac",
            40 => "handshake_failure",
            47 => "illegal_parameter",
            50 => "decode_error",
            70 => "protocol_version",
            71 => "insufficient_security",
            80 => "internal_error",
            86 => "inappropriate_fallback",
            112 => "unrecognized_name",
            _ => "alert",
        }
    }

    /// Parses the server's first flight as far as it has arrived.
    pub fn parse_server_answer(buf: &[u8]) -> Parsed {
        let (payload, closed) = match handshake_payload(buf) {
            Ok(p) => p,
            Err(answer) => return Parsed::Done(answer),
        };
        let mut r = Reader::new(&payload);
        let (Some(msg_type), Some(len)) = (r.u8(), r.u24()) else {
            return incomplete_or(closed);
        };
        if msg_type != 2 {
            return Parsed::Done(HelloAnswer::NotTls(format!(
                "the first handshake message is type {msg_type}, not a ServerHello"
            )));
        }
        let Some(body) = r.take(len) else {
            return incomplete_or(closed);
        };
        match server_hello_fields(body) {
            Some((version, suite)) => Parsed::Done(HelloAnswer::Accepted { version, suite }),
            None => Parsed::Done(HelloAnswer::NotTls("a malformed ServerHello".into())),
        }
    }

    fn incomplete_or(closed: bool) -> Parsed {
        if closed {
            Parsed::Done(HelloAnswer::Refused(
                "an alert after a partial answer".into(),
            ))
        } else {
            Parsed::Incomplete
        }
    }

    /// (version, suite) of a ServerHello body; the supported_versions extension wins.
    fn server_hello_fields(body: &[u8]) -> Option<(u16, u16)> {
        let mut r = Reader::new(body);
        let mut version = r.u16()?;
        r.take(32)?;
        r.vec8()?;
        let suite = r.u16()?;
        r.u8()?;
        if let Some(exts) = r.vec16() {
            let mut e = Reader::new(exts);
            while let (Some(ty), Some(data)) = (e.u16(), e.vec16()) {
                if ty == 0x002b && data.len() == 2 {
                    version = u16::from_be_bytes([data[0], data[1]]);
                }
            }
        }
        Some((version, suite))
    }

    /// What the sandbox's responder needs to know about a ClientHello.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ClientHelloInfo {
        /// The highest version offered (supported_versions if present, else client_version).
        pub max_version: u16,
        pub suites: Vec<u16>,
        pub sni: Option<String>,
    }

    /// Reads a ClientHello from the start of a buffer. `None` until a whole first record is
    /// there, `Some(Err)` when it is not a ClientHello.
    pub fn parse_client_hello(buf: &[u8]) -> Option<Result<ClientHelloInfo, String>> {
        let (payload, _) = match handshake_payload(buf) {
            Ok(p) => p,
            Err(e) => return Some(Err(format!("{e:?}"))),
        };
        let mut r = Reader::new(&payload);
        let msg_type = r.u8()?;
        let len = r.u24()?;
        if msg_type != 1 {
            return Some(Err(format!("handshake type {msg_type}, not a ClientHello")));
        }
        let body = r.take(len)?;
        Some(client_hello_fields(body).ok_or_else(|| "malformed ClientHello".to_string()))
    }

    fn client_hello_fields(body: &[u8]) -> Option<ClientHelloInfo> {
        let mut r = Reader::new(body);
        let mut max_version = r.u16()?;
        r.take(32)?;
        r.vec8()?;
        let suites = r
            .vec16()?
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        r.vec8()?;
        let mut sni = None;
        if let Some(exts) = r.vec16() {
            let mut e = Reader::new(exts);
            while let (Some(ty), Some(data)) = (e.u16(), e.vec16()) {
                let mut d = Reader::new(data);
                match ty {
                    0x0000 => {
                        if let Some(list) = d.vec16() {
                            let mut l = Reader::new(list);
                            if let (Some(0), Some(name)) = (l.u8(), l.vec16()) {
                                sni = Some(String::from_utf8_lossy(name).into_owned());
                            }
                        }
                    }
                    0x002b => {
                        if let Some(list) = d.vec8() {
                            if let Some(v) = list
                                .chunks_exact(2)
                                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                                .filter(|v| v & 0x0f0f != 0x0a0a) // GREASE
                                .max()
                            {
                                max_version = v;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(ClientHelloInfo {
            max_version,
            suites,
            sni,
        })
    }

    /// A ServerHello record for `version` and `suite` (the sandbox's legacy responder).
    pub fn server_hello(version: u16, suite: u16) -> Vec<u8> {
        let mut body = Vec::with_capacity(80);
        push_u16(&mut body, version);
        body.extend_from_slice(&random32());
        body.push(0);
        push_u16(&mut body, suite);
        body.push(0);
        let mut ext = Vec::new();
        push_ext(&mut ext, 0xff01, &[0]);
        push_u16(&mut body, ext.len() as u16);
        body.extend_from_slice(&ext);
        handshake_record(2, &body, version)
    }
}

#[cfg(test)]
mod tests {
    use super::hello::*;
    use super::*;

    #[test]
    fn client_hello_round_trips() {
        let rec = client_hello("www.example.test", TLS1_0, LEGACY_SUITES);
        assert_eq!(rec[0], 0x16);
        let info = parse_client_hello(&rec).expect("complete").expect("valid");
        assert_eq!(info.max_version, TLS1_0);
        assert_eq!(info.suites, LEGACY_SUITES);
        assert_eq!(info.sni.as_deref(), Some("www.example.test"));
        // A prefix is not yet a hello.
        assert!(parse_client_hello(&rec[..rec.len() - 3]).is_none());
    }

    #[test]
    fn reads_server_hello_version_and_suite() {
        let rec = server_hello(TLS1_1, 0xC013);
        match parse_server_answer(&rec) {
            Parsed::Done(HelloAnswer::Accepted { version, suite }) => {
                assert_eq!((version, suite), (TLS1_1, 0xC013))
            }
            _ => panic!("not accepted"),
        }
        // Split across reads: incomplete until the whole message is there.
        assert!(matches!(
            parse_server_answer(&rec[..20]),
            Parsed::Incomplete
        ));
    }

    #[test]
    fn reads_alerts_as_refusals() {
        let alert = [0x15, 3, 3, 0, 2, 2, 70];
        match parse_server_answer(&alert) {
            Parsed::Done(HelloAnswer::Refused(why)) => assert!(why.contains("protocol_version")),
            _ => panic!("not refused"),
        }
    }

    #[test]
    fn garbage_is_not_tls_and_never_panics() {
        for junk in [
            &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..],
            &b"\x16\x03"[..],
            &b"\x16\x03\x03\xff\xff"[..],
            &b"\x16\x03\x03\x00\x04\x02\xff\xff\xff"[..],
            &b"\x16\x03\x03\x00\x05\x02\x00\x00\x01\x03"[..],
            &b"\x16\x03\x03\x00\x01\x0b"[..],
            &[0u8; 64][..],
        ] {
            let _ = parse_server_answer(junk);
            let _ = parse_client_hello(junk);
        }
        assert!(matches!(
            parse_server_answer(b"HTTP/1.1 400 Bad Request\r\n"),
            Parsed::Done(HelloAnswer::NotTls(_))
        ));
        // Every prefix of a valid hello, and every single-byte corruption, stays panic-free.
        let rec = client_hello("example.test", TLS1_2, WEAK_SUITES);
        for i in 0..rec.len() {
            let _ = parse_client_hello(&rec[..i]);
            let mut bad = rec.clone();
            bad[i] ^= 0xff;
            let _ = parse_client_hello(&bad);
            let _ = parse_server_answer(&bad);
        }
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
