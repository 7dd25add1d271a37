//! The rule catalog: one entry per kind of secret, in priority order (when two rules match the
//! same characters, the earlier, more specific one wins — so the Firebase web key comes before
//! the Google API key and every named rule before the generic assignment rule).
//!
//! Conventions every pattern follows, so the engine stays simple:
//! - every capture group is the secret (alternatives use one group each; the first group that
//!   took part is the value); everything else is a non-capturing group;
//! - each rule's keywords are literals that any match must contain: the keyword prefilter
//!   only looks at the text around them;
//! - a single-line rule's match lies within [`LOOKBEHIND`] bytes before a keyword and
//!   `max_len` bytes after it.

use crate::Severity;

/// How far before a keyword a match may start.
pub const LOOKBEHIND: usize = 256;
/// Default reach after a keyword for single-line rules.
pub const DEFAULT_MAX_LEN: usize = 512;

/// What a rule's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Grants access: must never be committed or shipped to a browser.
    Secret,
    /// Meant to be public (Stripe `pk_live_`, Firebase web keys): reported as info.
    Publishable,
}

/// How sure a match is. Weak rules (assignments, URLs with passwords) don't fire in
/// documentation files, where examples live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    Strong,
    Weak,
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    /// The severity of this secret in the working tree.
    pub severity: Severity,
    pub kind: Kind,
    pub confidence: Confidence,
    /// Literals one of which every match contains.
    pub keywords: &'static [&'static str],
    /// Whether the keywords match ASCII case-insensitively.
    pub keywords_ci: bool,
    pub pattern: &'static str,
    /// Minimum Shannon entropy (bits per byte) of the value; 0 = no gate.
    pub min_entropy: f64,
    /// The match may span lines (PEM blocks).
    pub multiline: bool,
    /// How far after a keyword the match may end.
    pub max_len: usize,
    /// The rule applies only when one of these words (case-insensitive) is within 1 KiB.
    pub near: &'static [&'static str],
}

const fn rule(
    id: &'static str,
    description: &'static str,
    severity: Severity,
    keywords: &'static [&'static str],
    pattern: &'static str,
) -> Rule {
    Rule {
        id,
        description,
        severity,
        kind: Kind::Secret,
        confidence: Confidence::Strong,
        keywords,
        keywords_ci: false,
        pattern,
        min_entropy: 3.0,
        multiline: false,
        max_len: DEFAULT_MAX_LEN,
        near: &[],
    }
}

impl Rule {
    const fn ci(mut self) -> Rule {
        self.keywords_ci = true;
        self
    }
    const fn weak(mut self) -> Rule {
        self.confidence = Confidence::Weak;
        self
    }
    const fn entropy(mut self, e: f64) -> Rule {
        self.min_entropy = e;
        self
    }
    const fn publishable(mut self) -> Rule {
        self.kind = Kind::Publishable;
        self
    }
    const fn block(mut self, max_len: usize) -> Rule {
        self.multiline = true;
        self.max_len = max_len;
        self
    }
    const fn reach(mut self, max_len: usize) -> Rule {
        self.max_len = max_len;
        self
    }
    const fn near(mut self, words: &'static [&'static str]) -> Rule {
        self.near = words;
        self
    }
}

use Severity::{Blocker, High, Info, Low};

/// `NAME = "value"`, `NAME: value`, `NAME => 'value'`: the separator of an assignment.
macro_rules! assign {
    () => {
        r#"["']?\s*(?::=|=>|:|=)\s*["'`]?"#
    };
}

/// The key names the generic rule looks for (case-insensitive).
macro_rules! generic_names {
    () => {
        r"(?:secret|token|passwd|password|pwd|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key)"
    };
}

pub static RULES: &[Rule] = &[
    // --- Cloud providers -------------------------------------------------------------------
    rule(
        "aws-access-key-id",
        "AWS access key id",
        High,
        &["AKIA", "ASIA", "ABIA", "ACCA"],
        r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        Blocker,
        &["secret_access_key", "secretaccesskey", "secret-access-key"],
        concat!(
            r"(?i)secret[_\-]?access[_\-]?key",
            assign!(),
            r"([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"
        ),
    )
    .ci()
    .entropy(3.5),
    rule(
        "gcp-service-account-key",
        "Google Cloud service-account private key (JSON key file)",
        Blocker,
        &["\"private_key\""],
        r#""private_key"\s*:\s*"(-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\]{100,}-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)""#,
    )
    .reach(16_384),
    rule(
        "firebase-web-api-key",
        "Firebase web API key (public by design; restrict it in the Google Cloud console)",
        Info,
        &["AIza"],
        r"\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
    )
    .publishable()
    // The key's usual homes: a web app's config, google-services.json, GoogleService-Info.plist.
    .near(&["firebase", "project_info", "mobilesdk_app_id", "GOOGLE_APP_ID", "GCM_SENDER_ID"]),
    rule(
        "google-api-key",
        "Google API key",
        High,
        &["AIza"],
        r"\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
    ),
    rule(
        "azure-storage-account-key",
        "Azure storage account key (connection string AccountKey=)",
        Blocker,
        &["accountkey"],
        r"(?i)\bAccountKey\s*=\s*([A-Za-z0-9+/]{86}==)",
    )
    .ci()
    .entropy(3.5),
    rule(
        "azure-shared-access-key",
        "Azure Service Bus / Event Hubs connection string SharedAccessKey",
        Blocker,
        &["sharedaccesskey"],
        r"(?i)\bSharedAccessKey\s*=\s*([A-Za-z0-9+/]{42,43}=)",
    )
    .ci()
    .entropy(3.5),
    rule(
        "azure-sas-token",
        "Azure shared access signature (sig= in a SAS URL)",
        High,
        &["sig="],
        r"(?i)[?&;]sig=((?:[A-Za-z0-9+/]|%2B|%2F){40,60}(?:%3D|=){0,2})",
    )
    .ci()
    .near(&["sv="]),
    rule(
        "azure-ad-client-secret",
        "Azure AD (Entra ID) application client secret",
        Blocker,
        &["Q~"],
        r"(?:^|[^A-Za-z0-9_~.\-])([A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|$)",
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean personal access or OAuth token",
        Blocker,
        &["dop_v1_", "doo_v1_"],
        r"\b(do[op]_v1_[a-f0-9]{64})\b",
    ),
    rule(
        "supabase-access-token",
        "Supabase personal access token",
        Blocker,
        &["sbp_"],
        r"\b(sbp_[a-f0-9]{40})\b",
    ),
    // --- Payments ----------------------------------------------------------------------------
    rule(
        "stripe-secret-key",
        "Stripe live secret key",
        Blocker,
        &["sk_live_"],
        r"\b(sk_live_[0-9A-Za-z]{24,247})\b",
    ),
    rule(
        "stripe-restricted-key",
        "Stripe live restricted key",
        Blocker,
        &["rk_live_"],
        r"\b(rk_live_[0-9A-Za-z]{24,247})\b",
    ),
    rule(
        "stripe-test-key",
        "Stripe test-mode secret or restricted key (no real money, but rotate it)",
        Low,
        &["sk_test_", "rk_test_"],
        r"\b((?:sk|rk)_test_[0-9A-Za-z]{24,247})\b",
    ),
    rule(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        High,
        &["whsec_"],
        r"\b(whsec_[0-9A-Za-z+/]{32,})\b",
    ),
    rule(
        "stripe-publishable-key",
        "Stripe live publishable key (public by design)",
        Info,
        &["pk_live_"],
        r"\b(pk_live_[0-9A-Za-z]{24,247})\b",
    )
    .publishable(),
    rule(
        "square-access-token",
        "Square access token or OAuth secret",
        Blocker,
        &["sq0atp-", "sq0csp-"],
        r"\b(sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43})(?:[^0-9A-Za-z_\-]|$)",
    ),
    // --- Code hosting and package registries -------------------------------------------------
    rule(
        "github-pat",
        "GitHub personal access token (classic)",
        Blocker,
        &["ghp_"],
        r"\b(ghp_[0-9A-Za-z]{36})\b",
    ),
    rule(
        "github-oauth-token",
        "GitHub OAuth access token",
        Blocker,
        &["gho_"],
        r"\b(gho_[0-9A-Za-z]{36})\b",
    ),
    rule(
        "github-app-token",
        "GitHub App installation or user-to-server token",
        Blocker,
        &["ghs_", "ghu_"],
        r"\b((?:ghs|ghu)_[0-9A-Za-z]{36})\b",
    ),
    rule(
        "github-refresh-token",
        "GitHub refresh token",
        High,
        &["ghr_"],
        r"\b(ghr_[0-9A-Za-z]{36,76})\b",
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        Blocker,
        &["github_pat_"],
        r"\b(github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})\b",
    ),
    rule(
        "gitlab-pat",
        "GitLab personal, project or group access token",
        Blocker,
        &["glpat-"],
        r"\b(glpat-[0-9A-Za-z_\-]{20,})(?:[^0-9A-Za-z_\-]|$)",
    ),
    rule(
        "gitlab-token",
        "GitLab runner, deploy, pipeline-trigger or feed token",
        High,
        &["glrt-", "gldt-", "glptt-", "glft-", "glsoat-", "glcbt-"],
        r"\b((?:glrt|gldt|glptt|glft|glsoat|glcbt)-[0-9A-Za-z_\-]{20,})(?:[^0-9A-Za-z_\-]|$)",
    ),
    rule(
        "npm-access-token",
        "npm access token",
        Blocker,
        &["npm_"],
        r"\b(npm_[0-9A-Za-z]{36})\b",
    ),
    rule(
        "npmrc-auth-token",
        "npm registry credential in .npmrc (_authToken / _auth)",
        Blocker,
        &["_auth"],
        // Only where .npmrc puts it: `//registry/:_authToken=` or `_auth=` at a line start.
        r"(?im)(?:^\s*|:)_auth(?:Token)?\s*=\s*([A-Za-z0-9+/=_\-.]{20,})",
    )
    .ci(),
    rule(
        "pypi-token",
        "PyPI upload token",
        Blocker,
        &["pypi-AgEIcHlwaS5vcmc"],
        r"\b(pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_\-]{50,})",
    ),
    // --- Messaging and email ------------------------------------------------------------------
    rule(
        "slack-bot-token",
        "Slack bot token",
        Blocker,
        &["xoxb-"],
        r"\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[0-9A-Za-z]{24,34})\b",
    ),
    rule(
        "slack-user-token",
        "Slack user token",
        Blocker,
        &["xoxp-", "xoxe-"],
        r"\b(xox[pe](?:-[0-9]{10,13}){3}-[0-9A-Za-z]{28,34})\b",
    ),
    rule(
        "slack-app-token",
        "Slack app-level token",
        High,
        &["xapp-"],
        r"\b(xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[0-9a-f]{64})\b",
    ),
    rule(
        "slack-webhook-url",
        "Slack incoming webhook URL",
        High,
        &["hooks.slack.com"],
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/_\-]{20,120})",
    ),
    rule(
        "discord-webhook-url",
        "Discord webhook URL",
        High,
        &["discord"],
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_\-]{60,68})",
    )
    .ci(),
    rule(
        "discord-bot-token",
        "Discord bot token",
        Blocker,
        &["discord"],
        concat!(
            r"(?i)discord[\w.\-]{0,30}",
            assign!(),
            r"((?-i:[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}))"
        ),
    )
    .ci(),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        Blocker,
        &[":AA"],
        r"\b([0-9]{8,10}:AA[0-9A-Za-z_\-]{33})(?:[^0-9A-Za-z_\-]|$)",
    ),
    rule(
        "twilio-api-key",
        "Twilio API key secret id",
        High,
        &["SK"],
        r"\b(SK[0-9a-fA-F]{32})\b",
    ),
    rule(
        "twilio-auth-token",
        "Twilio auth token",
        Blocker,
        &["twilio"],
        concat!(r"(?i)twilio[\w.\-]{0,30}", assign!(), r"([0-9a-f]{32})\b"),
    )
    .ci(),
    rule(
        "sendgrid-api-key",
        "SendGrid API key",
        Blocker,
        &["SG."],
        r"\b(SG\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z_\-]{43})(?:[^0-9A-Za-z_\-]|$)",
    ),
    rule(
        "mailgun-api-key",
        "Mailgun API key",
        Blocker,
        &["key-"],
        r"\b(key-[0-9a-f]{32})\b",
    ),
    rule(
        "postmark-server-token",
        "Postmark server or account token",
        Blocker,
        &["postmark"],
        concat!(
            r"(?i)postmark[\w.\-]{0,30}",
            assign!(),
            r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
        ),
    )
    .ci(),
    rule(
        "brevo-api-key",
        "Brevo (Sendinblue) API key",
        Blocker,
        &["xkeysib-"],
        r"\b(xkeysib-[a-f0-9]{64}-[0-9A-Za-z]{16})\b",
    ),
    // --- AI and developer tools ---------------------------------------------------------------
    rule(
        "openai-api-key",
        "OpenAI API key",
        Blocker,
        &["T3BlbkFJ"],
        r"\b(sk-[A-Za-z0-9_\-]{20,200}T3BlbkFJ[A-Za-z0-9_\-]{20,200})(?:[^A-Za-z0-9_\-]|$)",
    ),
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        Blocker,
        &["sk-ant-api"],
        r"\b(sk-ant-api[0-9]{2}-[A-Za-z0-9_\-]{80,120})(?:[^A-Za-z0-9_\-]|$)",
    ),
    rule(
        "anthropic-admin-key",
        "Anthropic Admin API key (manages the organization's keys and members)",
        Blocker,
        &["sk-ant-admin"],
        r"\b(sk-ant-admin[0-9]{2}-[A-Za-z0-9_\-]{80,120})(?:[^A-Za-z0-9_\-]|$)",
    ),
    rule(
        "huggingface-token",
        "Hugging Face access token",
        Blocker,
        &["hf_"],
        r"\b(hf_[0-9A-Za-z]{34,40})\b",
    )
    .entropy(3.5),
    rule(
        "shopify-access-token",
        "Shopify admin, custom-app or private-app access token",
        Blocker,
        &["shpat_", "shpca_", "shppa_"],
        r"\b((?:shpat|shpca|shppa)_[a-fA-F0-9]{32})\b",
    ),
    rule(
        "shopify-shared-secret",
        "Shopify app shared secret",
        High,
        &["shpss_"],
        r"\b(shpss_[a-fA-F0-9]{32})\b",
    ),
    rule(
        "linear-api-key",
        "Linear API key",
        High,
        &["lin_api_"],
        r"\b(lin_api_[0-9A-Za-z]{40})\b",
    ),
    rule(
        "doppler-token",
        "Doppler service or personal token",
        Blocker,
        &["dp.pt.", "dp.st.", "dp.sa."],
        r"\b(dp\.(?:pt|st|sa)\.[0-9A-Za-z]{40,44})\b",
    ),
    rule(
        "age-secret-key",
        "age encryption secret key",
        Blocker,
        &["AGE-SECRET-KEY-1"],
        r"\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
    ),
    // --- Providers added from their documented token formats (issue 12 item 6) ----------------
    rule(
        "onepassword-service-account-token",
        "1Password service-account token",
        Blocker,
        &["ops_eyJ"],
        r"\b(ops_eyJ[A-Za-z0-9+/_\-]{250,}={0,3})",
    )
    .reach(4096),
    rule(
        "onepassword-secret-key",
        "1Password account Secret Key",
        Blocker,
        &["A3-"],
        r"\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b",
    ),
    rule(
        "flyio-token",
        "Fly.io access or macaroon token",
        Blocker,
        &["fo1_", "fm1a_", "fm1r_", "fm2_"],
        r"\b(fo1_[A-Za-z0-9_\-]{43}|(?:fm1[ar]|fm2)_[A-Za-z0-9+/_\-]{100,}={0,3})",
    )
    .reach(4096),
    rule(
        "grafana-api-key",
        "Grafana API key (legacy)",
        High,
        &["eyJrIjoi"],
        r"\b(eyJrIjoi[A-Za-z0-9+/]{60,}={0,3})",
    ),
    rule(
        "grafana-cloud-token",
        "Grafana Cloud access-policy token",
        Blocker,
        &["glc_"],
        r"\b(glc_[A-Za-z0-9+/]{32,}={0,3})",
    ),
    rule(
        "grafana-service-account-token",
        "Grafana service-account token",
        Blocker,
        &["glsa_"],
        r"\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b",
    ),
    rule(
        "terraform-cloud-token",
        "HashiCorp Terraform Cloud / Enterprise API token",
        Blocker,
        &[".atlasv1."],
        r"\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70})",
    ),
    rule(
        "vault-token",
        "HashiCorp Vault service or batch token",
        Blocker,
        &["hvs.", "hvb."],
        r"\b(hvs\.[A-Za-z0-9_\-]{90,120}|hvb\.[A-Za-z0-9_\-]{138,})(?:[^A-Za-z0-9_\-]|$)",
    ),
    rule(
        "hubspot-private-app-token",
        "HubSpot private-app access token",
        Blocker,
        &["pat-na1-", "pat-eu1-", "pat-na2-", "pat-ap1-"],
        r"\b(pat-(?:na1|na2|eu1|ap1)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    rule(
        "notion-token",
        "Notion integration token",
        Blocker,
        &["ntn_", "secret_"],
        r"\b(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b",
    ),
    rule(
        "nuget-api-key",
        "NuGet API key",
        Blocker,
        &["oy2"],
        r"\b(oy2[a-z0-9]{43})\b",
    ),
    rule(
        "openshift-token",
        "OpenShift user or service-account OAuth token",
        Blocker,
        &["sha256~"],
        r"(?:^|[^A-Za-z0-9_])(sha256~[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
    ),
    rule(
        "sidekiq-credentials",
        "Sidekiq Pro / Enterprise gem-server credentials",
        High,
        &["contribsys"],
        concat!(
            r"(?i)(?:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM",
            assign!(),
            r"([a-f0-9]{8}:[a-f0-9]{8})\b|https?://([a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com)"
        ),
    )
    .ci()
    .entropy(2.5),
    rule(
        "snyk-api-token",
        "Snyk API token",
        High,
        &["snyk"],
        concat!(
            r"(?i)snyk[\w.\-]{0,30}",
            assign!(),
            r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
        ),
    )
    .ci(),
    rule(
        "sonarqube-token",
        "SonarQube / SonarCloud user, project or global analysis token",
        High,
        &["squ_", "sqp_", "sqa_"],
        r"\b((?:squ|sqp|sqa)_[a-f0-9]{40})\b",
    ),
    rule(
        "sourcegraph-token",
        "Sourcegraph access token",
        High,
        &["sgp_"],
        r"\b(sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|sgp_[a-fA-F0-9]{40})\b",
    ),
    rule(
        "datadog-api-key",
        "Datadog API or application key",
        Blocker,
        &["datadog", "dd_api", "dd_app", "dd-api", "dd-app"],
        concat!(
            r"(?i)(?:datadog|dd[_\-]api|dd[_\-]app)[\w.\-]{0,30}",
            assign!(),
            r"([a-f0-9]{40}|[a-f0-9]{32})\b"
        ),
    )
    .ci(),
    rule(
        "heroku-api-key",
        "Heroku API key or platform token",
        Blocker,
        &["HRKU-", "heroku"],
        concat!(
            r"\b(HRKU-AA[0-9A-Za-z_\-]{58})(?:[^0-9A-Za-z_\-]|$)|(?i)heroku[\w.\-]{0,30}",
            assign!(),
            r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
        ),
    )
    .ci(),
    rule(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        Blocker,
        &["v1.0-"],
        r"\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
    ),
    rule(
        "cloudflare-global-api-key",
        "Cloudflare global API key",
        Blocker,
        &["cloudflare", "cf_api_key", "cf-api-key"],
        concat!(
            r"(?i)(?:cloudflare|cf)[\w.\-]{0,30}(?:global|api)[_.\-]?key[\w.\-]{0,10}",
            assign!(),
            r"([a-f0-9]{37})(?:[^A-Za-z0-9_\-]|$)"
        ),
    )
    .ci(),
    rule(
        "cloudflare-api-token",
        "Cloudflare API token",
        Blocker,
        &["cloudflare", "cf_api_token", "cf-api-token"],
        concat!(
            r"(?i)(?:cloudflare|cf)[\w.\-]{0,30}",
            assign!(),
            r"((?-i:[A-Za-z0-9_\-]{40}))(?:[^A-Za-z0-9_\-]|$)"
        ),
    )
    .ci(),
    rule(
        "twitter-bearer-token",
        "Twitter / X API bearer token",
        Blocker,
        &["AAAAAAAAAAAAAAAAAAAAA"],
        r"\b(A{21}[A-Za-z0-9%]{80,})(?:[^A-Za-z0-9%]|$)",
    ),
    rule(
        "twitter-api-secret",
        "Twitter / X API key secret or access-token secret",
        Blocker,
        &["twitter", "x_api", "x-api"],
        concat!(
            r"(?i)(?:twitter|x[_\-]api)[\w.\-]{0,30}(?:secret)[\w.\-]{0,10}",
            assign!(),
            r"((?-i:[A-Za-z0-9]{45,50}))\b"
        ),
    )
    .ci(),
    rule(
        "dropbox-token",
        "Dropbox access token",
        Blocker,
        &["sl.B", "sl.u.", "dropbox"],
        concat!(
            r"(?:^|[^A-Za-z0-9.])(sl\.[A-Za-z0-9_=.\-]{130,})(?:[^A-Za-z0-9_=.\-]|$)|(?i)dropbox[\w.\-]{0,30}",
            assign!(),
            r"((?-i:[a-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=\-]{43}))(?:[^A-Za-z0-9_=\-]|$)"
        ),
    )
    .ci()
    .reach(1536),
    rule(
        "newrelic-key",
        "New Relic user API, insert, browser or license key",
        High,
        &["NRAK-", "NRII-", "NRJS-", "NRAL"],
        r"\b(NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_\-]{32}|NRJS-[a-f0-9]{19}|[a-f0-9]{36}NRAL)\b",
    ),
    rule(
        "okta-api-token",
        "Okta API token",
        Blocker,
        &["okta"],
        concat!(
            r"(?i)okta[\w.\-]{0,30}",
            assign!(),
            r"((?-i:00[A-Za-z0-9_\-]{40}))(?:[^A-Za-z0-9_\-]|$)"
        ),
    )
    .ci(),
    rule(
        "sentry-token",
        "Sentry user or organization auth token",
        Blocker,
        &["sntryu_", "sntrys_"],
        r"\b(sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/=]{60,}_[A-Za-z0-9+/]{43})(?:[^A-Za-z0-9+/_]|$)",
    )
    .reach(1024),
    rule(
        "jfrog-token",
        "JFrog Artifactory API key or identity token",
        Blocker,
        &["AKCp", "cmVmdGtu"],
        r"\b(AKCp[A-Za-z0-9]{69}|cmVmdGtuOjAxOj[A-Za-z0-9]{50,60})\b",
    ),
    rule(
        "databricks-token",
        "Databricks personal access token",
        Blocker,
        &["dapi"],
        r"\b(dapi[a-f0-9]{32}(?:-[0-9])?)\b",
    ),
    rule(
        "mailchimp-api-key",
        "Mailchimp API key",
        High,
        &["-us1", "-us2", "-us3", "-us4", "-us5", "-us6", "-us7", "-us8", "-us9"],
        r"\b([0-9a-f]{32}-us[0-9]{1,2})\b",
    ),
    rule(
        "planetscale-token",
        "PlanetScale service token, OAuth token or database password",
        Blocker,
        &["pscale_"],
        r"\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_=.\-]{32,64})(?:[^A-Za-z0-9_=.\-]|$)",
    ),
    rule(
        "postman-api-key",
        "Postman API key",
        High,
        &["PMAK-"],
        r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b",
    ),
    rule(
        "confluent-api-secret",
        "Confluent Cloud API secret",
        Blocker,
        &["confluent", "kafka"],
        concat!(
            r"(?i)(?:confluent|kafka)[\w.\-]{0,30}(?:secret|password)[\w.\-]{0,10}",
            assign!(),
            r"((?-i:[A-Za-z0-9+/]{64}))(?:[^A-Za-z0-9+/=]|$)"
        ),
    )
    .ci(),
    rule(
        "alibaba-access-key-id",
        "Alibaba Cloud AccessKey ID",
        High,
        &["LTAI"],
        r"\b(LTAI[A-Za-z0-9]{12,20})\b",
    ),
    rule(
        "alibaba-access-key-secret",
        "Alibaba Cloud AccessKey secret",
        Blocker,
        &["alibaba", "aliyun", "access_key_secret", "accesskeysecret"],
        concat!(
            r"(?i)(?:alibaba|aliyun|access[_\-]?key[_\-]?secret)[\w.\-]{0,30}",
            assign!(),
            r"((?-i:[A-Za-z0-9]{30}))\b"
        ),
    )
    .ci(),
    rule(
        "atlassian-api-token",
        "Atlassian (Jira, Confluence, Bitbucket) API token or Bitbucket app password",
        Blocker,
        &["ATATT3", "ATBB"],
        r"\b(ATATT3[A-Za-z0-9_\-=]{186}|ATBB[A-Za-z0-9_=.\-]{32})(?:[^A-Za-z0-9_=.\-]|$)",
    ),
    rule(
        "bitbucket-client-secret",
        "Bitbucket OAuth consumer secret",
        High,
        &["bitbucket"],
        concat!(
            r"(?i)bitbucket[\w.\-]{0,30}(?:secret|key)[\w.\-]{0,10}",
            assign!(),
            r"((?-i:[A-Za-z0-9=_\-]{32,64}))(?:[^A-Za-z0-9=_\-]|$)"
        ),
    )
    .ci(),
    rule(
        "slack-legacy-token",
        "Slack legacy, workspace, configuration or refresh token",
        Blocker,
        &["xoxa-", "xoxs-", "xoxo-", "xoxr-", "xoxe.xox", "xoxe-"],
        r"\b(xox[os]-[0-9]+-[0-9]+-[0-9]+-[a-fA-F0-9]+|xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48}|xoxe\.xox[bp]-[0-9]-[A-Z0-9]{140,180}|xoxe-[0-9]-[A-Z0-9]{140,160})\b",
    ),
    rule(
        "huggingface-org-token",
        "Hugging Face organization API token",
        Blocker,
        &["api_org_"],
        r"\b(api_org_[A-Za-z]{34})\b",
    ),
    rule(
        "aws-bedrock-api-key",
        "Amazon Bedrock API key (long-term or short-term)",
        Blocker,
        &["ABSK", "bedrock-api-key-"],
        r"\b(ABSK[A-Za-z0-9+/]{109,}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%]{40,})",
    )
    .reach(2048),
    rule(
        "kubernetes-secret-manifest",
        "Value in a Kubernetes Secret manifest's data or stringData",
        High,
        &["kind: Secret", "kind: \"Secret\""],
        r#"(?s)kind:\s*"?Secret"?\s*\n.{0,600}?\n[ \t]*(?:data|stringData):[ \t]*\n(?:[ \t]+[\w.\-]+:[ \t]*\S*[ \t]*\n){0,8}?[ \t]+[\w.\-]+:[ \t]*["']?([A-Za-z0-9+/=_.\-]{12,})["']?[ \t]*(?:\n|$)"#,
    )
    .block(2048)
    .weak(),
    rule(
        "curl-credentials",
        "Credentials in a curl command (-u user:password or an Authorization header)",
        High,
        &["curl"],
        concat!(
            // `\"` too: the command inside a JSON string (`"scripts": {"deploy": "curl …"}`).
            r#"(?i)\bcurl\b[^\n]{0,400}?\s(?:-u|--user)\s*\\?["']?[^\s:"'\\]+:([^\s"'$]{6,100}?)\\?["']?(?:\s|$)"#,
            r#"|(?i)\bcurl\b[^\n]{0,400}?(?:-H|--header)\s*\\?["']?(?:Authorization|X-Api-Key|Api-Key|X-Auth-Token|PRIVATE-TOKEN):\s*(?:(?:Bearer|Basic|Token|Bot)\s+)?([A-Za-z0-9._~+/=\-]{16,300})["']?"#
        ),
    )
    .ci()
    .weak()
    .entropy(2.5),
    rule(
        "jwt",
        "JSON Web Token (a bearer credential until it expires)",
        High,
        &["eyJ"],
        r"\b(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})(?:[^A-Za-z0-9_\-.]|$)",
    )
    .reach(8192)
    .weak(),
    // --- Keys and signing secrets ------------------------------------------------------------
    rule(
        "openssh-private-key",
        "OpenSSH private key",
        Blocker,
        &["OPENSSH PRIVATE KEY-----"],
        r"-----BEGIN OPENSSH PRIVATE KEY-----(?:\\n|\s)+([A-Za-z0-9+/=\s\\]{64,}?)-----END OPENSSH PRIVATE KEY-----",
    )
    .block(32_768),
    rule(
        "pgp-private-key",
        "PGP private key block",
        Blocker,
        &["PRIVATE KEY BLOCK-----"],
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?:\\n|\s)+([A-Za-z0-9+/=\s\\:,.()\-]{64,}?)-----END PGP PRIVATE KEY BLOCK-----",
    )
    .block(32_768),
    rule(
        "private-key",
        "PEM private key (RSA, EC, DSA, PKCS#8)",
        Blocker,
        &["PRIVATE KEY-----"],
        r"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----(?:\\n|\s)+([A-Za-z0-9+/=\s\\:,\-]{64,}?)-----END (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----",
    )
    .block(32_768),
    rule(
        "jwt-signing-secret",
        "JWT signing secret",
        High,
        &["jwt"],
        concat!(
            r#"(?im)\b[\w.\-]*jwt[\w.\-]*?(?:secret|signing[_.\-]?key|private[_.\-]?key|key)[\w\-]*["']?\s*(?::=|=>|:|=)\s*["'`]([^"'`\s]{10,200})["'`]"#,
            r#"|^\s*(?:export\s+)?[\w.\-]*jwt[\w.\-]*?(?:secret|key)[\w\-]*\s*[=:]\s*([^"'`\s#,;()\[\]{}<>]{16,200})\s*$"#
        ),
    )
    .ci()
    .weak()
    .entropy(3.0),
    // --- Databases ----------------------------------------------------------------------------
    rule(
        "postgres-url-password",
        "PostgreSQL connection URL with a password",
        High,
        &["postgres", "postgis"],
        r#"(?i)\b(?:postgres(?:ql)?|postgis)(?:\+[a-z0-9]+)?://[^:/@\s"'<>]+:([^@/\s"'<>]{3,200})@[^\s"'<>/]+"#,
    )
    .ci()
    .weak()
    .entropy(0.0),
    rule(
        "mysql-url-password",
        "MySQL / MariaDB connection URL with a password",
        High,
        &["mysql", "mariadb"],
        r#"(?i)\b(?:mysql|mariadb)(?:\+[a-z0-9]+)?://[^:/@\s"'<>]+:([^@/\s"'<>]{3,200})@[^\s"'<>/]+"#,
    )
    .ci()
    .weak()
    .entropy(0.0),
    rule(
        "mongodb-url-password",
        "MongoDB connection URL with a password",
        High,
        &["mongodb"],
        r#"(?i)\bmongodb(?:\+srv)?://[^:/@\s"'<>]+:([^@/\s"'<>]{3,200})@[^\s"'<>/]+"#,
    )
    .ci()
    .weak()
    .entropy(0.0),
    rule(
        "redis-url-password",
        "Redis connection URL with a password",
        High,
        &["redis"],
        r#"(?i)\brediss?://[^:/@\s"'<>]*:([^@/\s"'<>]{3,200})@[^\s"'<>/]+"#,
    )
    .ci()
    .weak()
    .entropy(0.0),
    // --- Last: the generic assignment rule ----------------------------------------------------
    rule(
        "generic-secret",
        "High-entropy value assigned to a secret-looking name (secret, token, password, api_key…)",
        High,
        &[
            "secret", "token", "passwd", "password", "pwd", "api_key", "apikey", "api-key",
            "api.key", "access_key", "accesskey", "access-key", "private_key", "privatekey",
            "private-key",
        ],
        concat!(
            // `name = "v"`, `"name": "v"`, `\"name\": \"v\"` (JSON in a string), `name: String
            // = "v"`, Go's `var name string = "v"`, PHP's `$name .= "v"`, `name ::= "v"`.
            r#"(?im)\b[\w.\-]*?"#,
            generic_names!(),
            r#"[\w.\-]*\\?["']?(?:\s*:\s*&?(?:'static\s+)?[A-Za-z][\w<>\[\]]*|\s+string)?\s*"#,
            r#"(?:::=|:=|=>|\.=|\?=|\+=|:|=)\s*\\?["'`]([^"'`\s\\]{12,200})\\?["'`]"#,
            // `setProperty("API_TOKEN", "v")`, `os.Setenv("…", "v")`, `<add key="…" value="v"/>`.
            r#"|["'][\w.\-]*?"#,
            generic_names!(),
            r#"[\w.\-]*["']\s*(?:,|\s+value\s*=)\s*["']([^"'`\s\\]{12,200})["']"#,
            // Unquoted, the whole line: `.env`, YAML, makefile `NAME ::= v` / `NAME ?= v`.
            r#"|^\s*(?:export\s+|-\s+)?["']?[\w.\-]*?"#,
            generic_names!(),
            r#"[\w.\-]*["']?\s*(?::::=|::=|\?=|:=|\+=|=|:)\s*([^"'`\s#,;()\[\]{}<>$\\]{16,200})\s*$"#
        ),
    )
    .ci()
    .weak()
    .entropy(3.5),
    rule(
        "generic-secret-xml",
        "High-entropy value in an XML element or plist entry with a secret-looking name",
        High,
        &[
            "password>", "passwd>", "secret>", "token>", "apikey>", "api_key>", "api-key>",
            "</key>",
        ],
        concat!(
            // `<dbPassword>\n  v\n</dbPassword>`, an element over several lines.
            r#"(?i)<[\w.\-:]*?"#,
            generic_names!(),
            r#"[\w.\-]*(?:\s[^<>]*)?>\s*([^<>\s"']{12,200})\s*</"#,
            // A plist: `<key>API_TOKEN</key>\n<string>v</string>`.
            r#"|<key>[\w.\-]*?"#,
            generic_names!(),
            r#"[\w.\-]*</key>\s*<string>([^<>\s]{12,200})</string>"#
        ),
    )
    .ci()
    .weak()
    .entropy(3.5)
    .block(1024),
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
