//! Trust: `--ca-file` anchors beside the web PKI roots, the client TLS configuration, and the
//! lenient verifier of [`Client::lenient`].

use super::*;

/// Why `--ca-file` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error("--ca-file {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    #[error("--ca-file {}: not a PEM certificate file: {source}", path.display())]
    NotPem {
        path: std::path::PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    #[error("--ca-file {}: no PEM certificate found", .0.display())]
    Empty(std::path::PathBuf),
    #[error("--ca-file: certificate rejected: {0}")]
    Rejected(rustls::Error),
}

/// Reads `--ca-file`: every certificate in a PEM file.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let iter = CertificateDer::pem_file_iter(path).map_err(|source| CaFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let certs: Vec<_> = iter
        .collect::<Result<_, _>>()
        .map_err(|source| CaFileError::NotPem {
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(CaFileError::Empty(path.to_path_buf()));
    }
    Ok(certs)
}

/// The web PKI roots plus the extra anchors.
pub fn root_store(extra: &[CertificateDer<'static>]) -> Result<RootCertStore, CaFileError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra {
        roots.add(cert.clone()).map_err(CaFileError::Rejected)?;
    }
    Ok(roots)
}

pub fn tls_config(roots: RootCertStore) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// A verifier that accepts any certificate for the right name (see [`Client::lenient`]).
#[derive(Debug)]
pub(super) struct Lenient {
    pub(super) inner: Arc<rustls::client::WebPkiServerVerifier>,
}

impl rustls::client::danger::ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls_pki_types::ServerName<'_>,
        ocsp: &[u8],
        now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use rustls::CertificateError as C;
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(
                e @ rustls::Error::InvalidCertificate(
                    C::NotValidForName | C::NotValidForNameContext { .. },
                ),
            ) => Err(e),
            _ => Ok(rustls::client::danger::ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        let mut schemes = self.inner.supported_verify_schemes();
        for s in [
            rustls::SignatureScheme::RSA_PKCS1_SHA1,
            rustls::SignatureScheme::ECDSA_SHA1_Legacy,
        ] {
            if !schemes.contains(&s) {
                schemes.push(s);
            }
        }
        schemes
    }
}
