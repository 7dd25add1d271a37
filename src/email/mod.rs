//! Email authentication records other than SPF, one parser per module: DMARC (RFC 7489),
//! DKIM key records (RFC 6376), MTA-STS (RFC 8461) and TLS-RPT (RFC 8460). Parsers only:
//! the email stage (`checks::email`) does the lookups and judges.

pub mod dkim;
pub mod dmarc;
pub mod mtasts;
