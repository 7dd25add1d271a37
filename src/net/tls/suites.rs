//! The cipher suites the hand-built hellos offer: what each probe asks for, the IANA names,
//! and why a weak one is weak.

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
