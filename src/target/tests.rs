use super::*;

#[test]
fn accepts_domains_and_bare_urls() {
    assert_eq!(
        validate_domain("Example.COM.").as_deref(),
        Ok("example.com")
    );
    assert_eq!(
        validate_domain("https://example.com/").as_deref(),
        Ok("example.com")
    );
    assert_eq!(
        validate_domain("http://shop.example.co.uk").as_deref(),
        Ok("shop.example.co.uk")
    );
    assert_eq!(
        validate_domain("https://example.com:8443").as_deref(),
        Ok("example.com")
    );
}

#[test]
fn rejects_what_is_not_a_domain() {
    for bad in [
        "exa mple.com",
        "example..com",
        "127.0.0.1",
        "[::1]",
        "https://example.com/pricing",
        "localhost",
        "-bad.com",
        "ex!ample.com",
        "",
        "bücher.de",
    ] {
        assert!(validate_domain(bad).is_err(), "{bad:?} should be rejected");
    }
}

#[test]
fn audited_hosts_are_the_apex_www_app_subdomains_and_staging() {
    let t = Target {
        domain: "example.com".into(),
        url: "https://app.example.com/dash".into(),
        subdomains: vec!["api.example.com".into()],
        ..Default::default()
    };
    for ok in [
        "https://example.com/x",
        "http://www.example.com/",
        "https://app.example.com/",
        "https://api.example.com/v1",
        "https://staging.example.com/",
        "https://EXAMPLE.com./",
    ] {
        assert!(t.audits(ok), "{ok}");
    }
    for no in [
        "https://evil.test/",
        "https://cdn.example.com/",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com.evil.test/",
        "not a url",
    ] {
        assert!(!t.audits(no), "{no}");
    }
}

#[test]
fn refuses_urls_with_credentials() {
    assert!(refuse_credentials("https://user:pw@example.com/").is_err());
    assert!(refuse_credentials("https://user@example.com/").is_err());
    assert!(refuse_credentials("https://example.com/a@b").is_ok());
    assert!(refuse_credentials("https://example.com/?email=a@b.c").is_ok());
}

#[test]
fn errors_name_the_input_and_the_label() {
    assert_eq!(
        validate_domain("-bad.com"),
        Err(TargetError::Label {
            input: "-bad.com".into(),
            label: LabelError::Hyphen("-bad".into()),
        })
    );
    assert_eq!(
        validate_domain("example..com"),
        Err(TargetError::Label {
            input: "example..com".into(),
            label: LabelError::Empty,
        })
    );
    assert_eq!(
        validate_domain("127.0.0.1"),
        Err(TargetError::IpAddress {
            input: "127.0.0.1".into()
        })
    );
    assert_eq!(
        validate_domain("localhost"),
        Err(TargetError::NoDot {
            input: "localhost".into()
        })
    );
    assert_eq!(
        validate_domain("https://u:p@example.com/"),
        Err(TargetError::Credentials)
    );
    assert_eq!(
        validate_label_path("ap!p"),
        Err(TargetError::SubdomainLabel {
            subdomain: "ap!p".into(),
            label: LabelError::Characters("ap!p".into()),
        })
    );
    assert_eq!(validate_label_path(" . "), Err(TargetError::EmptySubdomain));
    assert_eq!(
        parse_url("ftp://example.com/"),
        Err(TargetError::Scheme {
            input: "ftp://example.com/".into()
        })
    );
    // The messages the CLI prints are unchanged.
    assert_eq!(
        validate_domain("-bad.com").unwrap_err().to_string(),
        "\"-bad.com\" is not a domain: label \"-bad\" starts or ends with '-'"
    );
    assert_eq!(
        parse_url("https://").unwrap_err().to_string(),
        "\"https://\" is not a URL"
    );
}

#[test]
fn qualifies_subdomains() {
    assert_eq!(qualify("app", "example.com"), "app.example.com");
    assert_eq!(qualify("api.example.com", "example.com"), "api.example.com");
}
