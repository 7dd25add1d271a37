//! Why the sandbox could not start: a scenario that asks for something the sandbox does not
//! know, or a local resource (a port, a directory, randomness) it could not have.

/// What stopped the sandbox; `what` names the server or file concerned.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("unknown scenario {0:?}; `launchready demo --list` shows them")]
    UnknownScenario(String),
    /// The scenario's TOML does not parse or does not fit the schema.
    #[error("scenario {scenario}: {message}")]
    Toml { scenario: String, message: String },
    #[error("scenario {scenario}: no recording {recording} (known: {known})")]
    NoRecording {
        scenario: String,
        recording: String,
        known: String,
    },
    /// A setting of the scenario (`[tls] cert`, `dns.servfail`…) with a value the sandbox
    /// cannot serve.
    #[error("{setting} = {value:?}: {expected}")]
    Setting {
        setting: &'static str,
        value: String,
        expected: String,
    },
    #[error("{0}")]
    Zone(#[from] crate::net::zonefile::ZoneError),
    #[error("{0}")]
    Name(#[from] crate::net::dns::DnsError),
    #[error("{what}: {source}")]
    Io {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Certificate {
        what: &'static str,
        source: rcgen::Error,
    },
    #[error("{what}: {source}")]
    Tls {
        what: &'static str,
        source: rustls::Error,
    },
    #[error("{what}: no CA to issue the certificate")]
    NoIssuer { what: &'static str },
    #[error("DNSSEC {what}: {message}")]
    Dnssec { what: &'static str, message: String },
    #[error("sandbox: no system randomness")]
    Randomness,
    #[error("sandbox: no prime found")]
    NoPrime,
    #[error("sandbox: cannot create a private directory: {0}")]
    PrivateDir(String),
    #[error("sandbox DNS: cannot bind the extra nameservers: {0}")]
    DnsBind(String),
    #[error("sandbox: {0}")]
    Runtime(std::io::Error),
    #[error("sandbox thread died")]
    ThreadDied,
}

impl SandboxError {
    pub(crate) fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> SandboxError {
        move |source| SandboxError::Io { what, source }
    }

    pub(crate) fn cert(what: &'static str) -> impl Fn(rcgen::Error) -> SandboxError + Copy {
        move |source| SandboxError::Certificate { what, source }
    }

    pub(crate) fn tls(what: &'static str) -> impl FnOnce(rustls::Error) -> SandboxError {
        move |source| SandboxError::Tls { what, source }
    }
}
