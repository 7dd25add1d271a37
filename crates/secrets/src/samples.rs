//! Fake secrets of every rule, assembled at run time from a seeded generator, for the unit
//! tests, the end-to-end tests and the benchmark's planting. No real-looking key is ever
//! written in this repository's source, so that no scanner flags launchready itself.

/// A small deterministic generator (xorshift64*).
pub struct Gen(u64);

pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const UPPER_ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const HEX: &str = "0123456789abcdef";
pub const DIGITS: &str = "0123456789";
pub const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
pub const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `n` characters of `alphabet`, with at least one digit when the alphabet has digits (so
    /// that every value looks like a real random key, not a word).
    pub fn s(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let mut out: String = (0..n)
            .map(|_| chars[(self.next() % chars.len() as u64) as usize])
            .collect();
        let digits: Vec<char> = chars.iter().copied().filter(char::is_ascii_digit).collect();
        if n > 4 && !digits.is_empty() && !out.chars().any(|c| c.is_ascii_digit()) {
            out.pop();
            out.push(digits[(self.next() % digits.len() as u64) as usize]);
        }
        out
    }

    fn pem_body(&mut self, lines: usize) -> String {
        (0..lines)
            .map(|_| self.s(BASE64, 64))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn uuid(g: &mut Gen) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        g.s(HEX, 8),
        g.s(HEX, 4),
        g.s(HEX, 4),
        g.s(HEX, 4),
        g.s(HEX, 12)
    )
}

/// 30 random characters and their GitHub checksum (base-62 CRC-32, six characters).
pub fn github_body(g: &mut Gen) -> String {
    let random = g.s(ALNUM, 30);
    let sum = super::checks::base62_6(super::checks::crc32(random.as_bytes()));
    format!("{random}{}", String::from_utf8_lossy(&sum))
}

fn b64(data: &[u8]) -> String {
    const T: &[u8] = BASE64.as_bytes();
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn pem(kind: &str, body: &str) -> String {
    format!("-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n")
}

/// For a rule id: a text holding one secret that the rule must find (in a source file such
/// as `src/config.ts`), and a near miss it must not.
pub fn sample(rule_id: &str, seed: u64) -> Option<(String, String)> {
    let g = &mut Gen::new(
        seed ^ rule_id
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    let pk = ["PRIVATE", " KEY"].concat();
    Some(match rule_id {
        "aws-access-key-id" => {
            let body = g.s(BASE32, 16);
            (
                format!("aws_access_key_id = \"AKIA{body}\""),
                format!("aws_access_key_id = \"AKIA{}\"", &body[..15]),
            )
        }
        "aws-secret-access-key" => {
            let v = g.s(BASE64, 40);
            (
                format!("aws_secret_access_key = {v}"),
                format!("aws_secret_access_key = {}", &v[..39]),
            )
        }
        "gcp-service-account-key" => {
            let body = (0..8).map(|_| g.s(BASE64, 64)).collect::<Vec<_>>().join("\\n");
            let head = format!("-----BEGIN {pk}-----");
            let tail = format!("-----END {pk}-----");
            (
                format!("{{\"type\": \"service_account\", \"private_key_id\": \"{}\", \"private_key\": \"{head}\\n{body}\\n{tail}\\n\", \"client_email\": \"app@proj.iam.gserviceaccount.com\"}}", g.s(HEX, 40)),
                format!("{{\"type\": \"service_account\", \"private_key\": \"{head}\\n...\\n{tail}\\n\"}}"),
            )
        }
        "firebase-web-api-key" => {
            let key = format!("AIza{}", g.s(URLSAFE, 35));
            (
                format!("const firebaseConfig = {{ apiKey: \"{key}\", authDomain: \"acme.firebaseapp.com\" }};"),
                format!("const mapsConfig = {{ apiKey: \"{key}\" }};"),
            )
        }
        "google-api-key" => {
            let body = g.s(URLSAFE, 35);
            (
                format!("GOOGLE_MAPS_KEY=AIza{body}"),
                format!("GOOGLE_MAPS_KEY=AIza{}", &body[..34]),
            )
        }
        "azure-storage-account-key" => (
            format!("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}==;EndpointSuffix=core.windows.net", g.s(BASE64, 86)),
            format!("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}==;", g.s(BASE64, 40)),
        ),
        "azure-shared-access-key" => (
            format!("Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={}=", g.s(BASE64, 43)),
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=<your-key>".to_string(),
        ),
        "azure-sas-token" => {
            let sig = g.s(ALNUM, 43);
            (
                format!("https://acme.blob.core.windows.net/media?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig={sig}%3D"),
                format!("https://example.net/search?q=x&sig={sig}%3D"),
            )
        }
        "azure-ad-client-secret" => {
            let head = g.s(ALNUM, 3);
            (
                format!("AZURE_CLIENT_SECRET={head}8Q~{}", g.s(ALNUM, 31)),
                format!("AZURE_CLIENT_SECRET={head}8Q~{}", g.s(ALNUM, 20)),
            )
        }
        "digitalocean-token" => {
            let v = g.s(HEX, 64);
            (format!("token: dop_v1_{v}"), format!("token: dop_v1_{}", &v[..63]))
        }
        "supabase-access-token" => {
            let v = g.s(HEX, 40);
            (format!("SUPABASE_ACCESS_TOKEN=sbp_{v}"), format!("SUPABASE_ACCESS_TOKEN=sbp_{}", &v[..39]))
        }
        "stripe-secret-key" => (
            format!("const stripe = new Stripe(\"sk_live_{}\");", g.s(ALNUM, 24)),
            format!("const stripe = new Stripe(\"sk_live_{}\");", g.s(ALNUM, 10)),
        ),
        "stripe-restricted-key" => (
            format!("STRIPE_KEY=rk_live_{}", g.s(ALNUM, 24)),
            format!("STRIPE_KEY=rk_live_{}", g.s(ALNUM, 12)),
        ),
        "stripe-test-key" => (
            format!("STRIPE_KEY=sk_test_{}", g.s(ALNUM, 24)),
            format!("STRIPE_KEY=sk_test_{}", "x".repeat(24)),
        ),
        "stripe-webhook-secret" => (
            format!("STRIPE_WEBHOOK_SECRET=whsec_{}", g.s(ALNUM, 32)),
            format!("STRIPE_WEBHOOK_SECRET=whsec_{}", g.s(ALNUM, 16)),
        ),
        "stripe-publishable-key" => (
            format!("const pk = \"pk_live_{}\";", g.s(ALNUM, 24)),
            format!("const pk = \"pk_test_{}\";", g.s(ALNUM, 24)),
        ),
        "square-access-token" => (
            format!("SQUARE_TOKEN=sq0atp-{}", g.s(ALNUM, 22)),
            format!("SQUARE_TOKEN=sq0atp-{}", g.s(ALNUM, 10)),
        ),
        "github-pat" => {
            let v = github_body(g);
            // The near miss: the same shape with a checksum that doesn't match.
            (format!("GITHUB_TOKEN=ghp_{v}"), format!("GITHUB_TOKEN=ghp_{}A1b2C3", &v[..30]))
        }
        "github-oauth-token" => {
            let v = github_body(g);
            (format!("token = 'gho_{v}'"), format!("token = 'gho_{}'", &v[..30]))
        }
        "github-app-token" => {
            let v = github_body(g);
            (format!("auth: ghs_{v}"), format!("auth: ghx_{v}"))
        }
        "github-refresh-token" => {
            let v = github_body(g);
            (format!("refresh: ghr_{v}"), format!("refresh: ghr_{}", &v[..20]))
        }
        "github-fine-grained-pat" => (
            format!("GH_PAT=github_pat_{}_{}", g.s(ALNUM, 22), g.s(ALNUM, 59)),
            format!("GH_PAT=github_pat_{}_{}", g.s(ALNUM, 22), g.s(ALNUM, 40)),
        ),
        "gitlab-pat" => (
            format!("GITLAB_TOKEN=glpat-{}", g.s(ALNUM, 20)),
            format!("GITLAB_TOKEN=glpat-{}", g.s(ALNUM, 12)),
        ),
        "gitlab-token" => (
            format!("runner_token: glrt-{}", g.s(ALNUM, 20)),
            format!("runner_token: glrt-{}", g.s(ALNUM, 10)),
        ),
        "npm-access-token" => {
            let v = g.s(ALNUM, 36);
            (format!("NPM_TOKEN=npm_{v}"), format!("NPM_TOKEN=npm_{}", &v[..30]))
        }
        "npmrc-auth-token" => (
            format!("//registry.npmjs.org/:_authToken={}", uuid(g)),
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}".to_string(),
        ),
        "pypi-token" => (
            format!("password = pypi-AgEIcHlwaS5vcmc{}", g.s(URLSAFE, 60)),
            format!("password = pypi-AgEIcHlwaS5vcmc{}", g.s(URLSAFE, 20)),
        ),
        "slack-bot-token" => (
            format!("SLACK_BOT_TOKEN=xoxb-{}-{}-{}", g.s(DIGITS, 11), g.s(DIGITS, 12), g.s(ALNUM, 24)),
            format!("SLACK_BOT_TOKEN=xoxb-{}-{}", g.s(DIGITS, 11), g.s(ALNUM, 24)),
        ),
        "slack-user-token" => (
            format!("slack: xoxp-{}-{}-{}-{}", g.s(DIGITS, 11), g.s(DIGITS, 11), g.s(DIGITS, 12), g.s(HEX, 32)),
            format!("slack: xoxp-{}-{}", g.s(DIGITS, 11), g.s(HEX, 32)),
        ),
        "slack-app-token" => (
            format!("SLACK_APP_TOKEN=xapp-1-A{}-{}-{}", g.s(UPPER_ALNUM, 10), g.s(DIGITS, 13), g.s(HEX, 64)),
            format!("SLACK_APP_TOKEN=xapp-1-A{}-{}-{}", g.s(UPPER_ALNUM, 10), g.s(DIGITS, 13), g.s(HEX, 32)),
        ),
        "slack-webhook-url" => (
            format!("webhook: https://hooks.slack.com/services/T{}/B{}/{}", g.s(UPPER_ALNUM, 8), g.s(UPPER_ALNUM, 10), g.s(ALNUM, 24)),
            "webhook: https://hooks.slack.com/services/T000/B000/XXXX".to_string(),
        ),
        "discord-webhook-url" => (
            format!("url = \"https://discord.com/api/webhooks/{}/{}\"", g.s(DIGITS, 18), g.s(URLSAFE, 68)),
            format!("url = \"https://discord.com/api/webhooks/{}/{}\"", g.s(DIGITS, 18), g.s(URLSAFE, 20)),
        ),
        "discord-bot-token" => {
            let t = format!("M{}.{}.{}", g.s(URLSAFE, 23), g.s(URLSAFE, 6), g.s(URLSAFE, 27));
            (format!("DISCORD_BOT_TOKEN={t}"), format!("CHAT_BOT_ID={t}"))
        }
        "telegram-bot-token" => {
            let (id, rest) = (g.s(DIGITS, 10), g.s(URLSAFE, 33));
            (format!("TELEGRAM_TOKEN={id}:AA{rest}"), format!("TELEGRAM_TOKEN={id}:AB{rest}"))
        }
        "twilio-api-key" => {
            let v = g.s(HEX, 32);
            (format!("TWILIO_API_KEY=SK{v}"), format!("TWILIO_API_KEY=SK{}", &v[..31]))
        }
        "twilio-auth-token" => {
            let v = g.s(HEX, 32);
            (format!("TWILIO_AUTH_TOKEN={v}"), format!("TWILIO_AUTH_TOKEN={}", &v[..31]))
        }
        "sendgrid-api-key" => (
            format!("SENDGRID_API_KEY=SG.{}.{}", g.s(URLSAFE, 22), g.s(URLSAFE, 43)),
            format!("SENDGRID_API_KEY=SG.{}.{}", g.s(URLSAFE, 22), g.s(URLSAFE, 20)),
        ),
        "mailgun-api-key" => {
            let v = g.s(HEX, 32);
            (format!("mailgun.key = 'key-{v}'"), format!("mailgun.key = 'key-{}'", &v[..31]))
        }
        "postmark-server-token" => {
            let v = uuid(g);
            (format!("POSTMARK_SERVER_TOKEN={v}"), format!("REQUEST_ID={v}"))
        }
        "brevo-api-key" => (
            format!("BREVO_KEY=xkeysib-{}-{}", g.s(HEX, 64), g.s(ALNUM, 16)),
            format!("BREVO_KEY=xkeysib-{}-{}", g.s(HEX, 64), g.s(ALNUM, 8)),
        ),
        "openai-api-key" => {
            let (a, b) = (g.s(URLSAFE, 40), g.s(URLSAFE, 40));
            (
                format!("OPENAI_API_KEY=sk-proj-{a}{}{b}", "T3BlbkFJ"),
                format!("OPENAI_API_KEY=sk-proj-{a}{b}"),
            )
        }
        "anthropic-api-key" => (
            format!("ANTHROPIC_API_KEY=sk-ant-api03-{}AA", g.s(URLSAFE, 93)),
            format!("ANTHROPIC_API_KEY=sk-ant-api03-{}", g.s(URLSAFE, 20)),
        ),
        "huggingface-token" => (
            format!("HF_TOKEN=hf_{}", g.s(ALNUM, 34)),
            format!("HF_TOKEN=hf_{}", g.s(ALNUM, 20)),
        ),
        "shopify-access-token" => {
            let v = g.s(HEX, 32);
            (format!("SHOPIFY_TOKEN=shpat_{v}"), format!("SHOPIFY_TOKEN=shpat_{}", &v[..31]))
        }
        "shopify-shared-secret" => {
            let v = g.s(HEX, 32);
            (format!("SHOPIFY_SECRET=shpss_{v}"), format!("SHOPIFY_SECRET=shpss_{}", &v[..20]))
        }
        "linear-api-key" => {
            let v = g.s(ALNUM, 40);
            (format!("LINEAR_KEY=lin_api_{v}"), format!("LINEAR_KEY=lin_api_{}", &v[..39]))
        }
        "doppler-token" => (
            format!("DOPPLER_TOKEN=dp.pt.{}", g.s(ALNUM, 43)),
            format!("DOPPLER_TOKEN=dp.pt.{}", g.s(ALNUM, 20)),
        ),
        "age-secret-key" => (
            format!("age_identity: AGE-SECRET-KEY-1{}", g.s(BECH32, 58)),
            format!("age_identity: AGE-SECRET-KEY-1{}", g.s(BECH32, 40)),
        ),
        "openssh-private-key" => (
            pem(&format!("OPENSSH {pk}"), &g.pem_body(6)),
            pem(&format!("OPENSSH {pk}"), "..."),
        ),
        "pgp-private-key" => (
            pem(&format!("PGP {pk} BLOCK"), &format!("\n{}\n={}", g.pem_body(6), g.s(BASE64, 4))),
            pem("PGP PUBLIC KEY BLOCK", &g.pem_body(6)),
        ),
        "private-key" => (
            pem(&format!("RSA {pk}"), &g.pem_body(8)),
            pem("PUBLIC KEY", &g.pem_body(8)),
        ),
        "jwt-signing-secret" => (
            format!("JWT_SECRET=\"{}\"", g.s(ALNUM, 32)),
            "jwtSecret: process.env.JWT_SECRET,".to_string(),
        ),
        "postgres-url-password" => (
            format!("DATABASE_URL=postgres://app:{}@db.internal:5432/app", g.s(ALNUM, 16)),
            "DATABASE_URL=postgres://user:password@localhost:5432/app".to_string(),
        ),
        "mysql-url-password" => (
            format!("url: mysql://root:{}@db:3306/app", g.s(ALNUM, 16)),
            "url: mysql://root:${MYSQL_PASSWORD}@db:3306/app".to_string(),
        ),
        "mongodb-url-password" => (
            format!("MONGO_URL=mongodb+srv://app:{}@cluster0.abcd.mongodb.net/app", g.s(ALNUM, 16)),
            "MONGO_URL=mongodb://localhost:27017/app".to_string(),
        ),
        "redis-url-password" => (
            format!("REDIS_URL=redis://:{}@cache:6379/0", g.s(ALNUM, 20)),
            "REDIS_URL=redis://:<password>@cache:6379/0".to_string(),
        ),
        "generic-secret" => (
            format!("const apiSecret = \"{}\";", g.s(ALNUM, 24)),
            "const apiSecret = \"not-a-secret-at-all\";".to_string(),
        ),
        "onepassword-service-account-token" => {
            let json = format!("{{\"signInAddress\":\"acme.1password.com\",\"userAuth\":{{\"method\":\"SRPg-4096\",\"alg\":\"PBES2g-HS256\",\"iterations\":650000,\"salt\":\"{}\"}},\"email\":\"{}@acme.1password.com\",\"srpX\":\"{}\",\"muk\":{{\"alg\":\"A256GCM\",\"ext\":true,\"k\":\"{}\"}},\"secretKey\":\"A3-{}\",\"deviceUuid\":\"{}\"}}", g.s(URLSAFE, 22), g.s(ALNUM, 26), g.s(HEX, 64), g.s(URLSAFE, 43), g.s(UPPER_ALNUM, 30), g.s(ALNUM, 26));
            let t = format!("ops_{}", b64(json.as_bytes()));
            (format!("OP_SERVICE_ACCOUNT_TOKEN={t}"), format!("OP_SERVICE_ACCOUNT_TOKEN=ops_{}", &t[4..100]))
        }
        "onepassword-secret-key" => {
            let k = format!("A3-{}-{}-{}-{}-{}-{}", g.s(UPPER_ALNUM, 6), g.s(UPPER_ALNUM, 6), g.s(UPPER_ALNUM, 5), g.s(UPPER_ALNUM, 5), g.s(UPPER_ALNUM, 5), g.s(UPPER_ALNUM, 5));
            (format!("secret key: {k}"), format!("secret key: {}", &k[..30]))
        }
        "flyio-token" => (
            format!("FLY_API_TOKEN=\"fm2_{}\"", g.s(BASE64, 180)),
            format!("FLY_API_TOKEN=\"fm2_{}\"", g.s(BASE64, 40)),
        ),
        "grafana-api-key" => (
            format!("GRAFANA_KEY=eyJrIjoi{}", b64(format!("{}\",\"n\":\"deploy\",\"id\":{}}}", g.s(ALNUM, 32), g.s(DIGITS, 3)).as_bytes()).trim_end_matches('=')),
            format!("GRAFANA_KEY=eyJrIjoi{}", g.s(ALNUM, 20)),
        ),
        "grafana-cloud-token" => (
            format!("GRAFANA_CLOUD_TOKEN=glc_{}", b64(format!("{{\"o\":\"{}\",\"n\":\"stack-{}-token\",\"k\":\"{}\",\"m\":{{\"r\":\"prod-eu-west-2\"}}}}", g.s(DIGITS, 6), g.s(DIGITS, 6), g.s(ALNUM, 24)).as_bytes())),
            format!("GRAFANA_CLOUD_TOKEN=glc_{}", g.s(ALNUM, 20)),
        ),
        "grafana-service-account-token" => (
            format!("GF_TOKEN=glsa_{}_{}", g.s(ALNUM, 32), g.s(HEX, 8)),
            format!("GF_TOKEN=glsa_{}_{}", g.s(ALNUM, 32), g.s(HEX, 4)),
        ),
        "terraform-cloud-token" => {
            let lower = "abcdefghijklmnopqrstuvwxyz0123456789";
            (
                format!("token = \"{}.atlasv1.{}\"", g.s(lower, 14), g.s(URLSAFE, 67)),
                format!("token = \"{}.atlasv1.{}\"", g.s(lower, 14), g.s(URLSAFE, 20)),
            )
        }
        "vault-token" => (
            format!("VAULT_TOKEN=hvs.{}", g.s(URLSAFE, 91)),
            format!("VAULT_TOKEN=hvs.{}", g.s(URLSAFE, 24)),
        ),
        "hubspot-private-app-token" => (
            format!("HUBSPOT_TOKEN=pat-na1-{}", uuid(g)),
            format!("HUBSPOT_TOKEN=pat-xx1-{}", uuid(g)),
        ),
        "notion-token" => (
            format!("NOTION_TOKEN=ntn_{}{}", g.s(DIGITS, 11), g.s(ALNUM, 35)),
            format!("NOTION_TOKEN=ntn_{}{}", g.s(DIGITS, 11), g.s(ALNUM, 20)),
        ),
        "nuget-api-key" => {
            let lower = "abcdefghijklmnopqrstuvwxyz0123456789";
            let v = g.s(lower, 43);
            (format!("nuget push -k oy2{v}"), format!("nuget push -k oy2{}", &v[..30]))
        }
        "openshift-token" => {
            let v = g.s(URLSAFE, 43);
            (format!("oc login --token=sha256~{v}"), format!("oc login --token=sha256~{}", &v[..30]))
        }
        "sidekiq-credentials" => (
            format!("BUNDLE_ENTERPRISE__CONTRIBSYS__COM={}:{}", g.s(HEX, 8), g.s(HEX, 8)),
            "BUNDLE_ENTERPRISE__CONTRIBSYS__COM=${SIDEKIQ_CREDS}".to_string(),
        ),
        "snyk-api-token" => {
            let v = uuid(g);
            (format!("SNYK_TOKEN={v}"), format!("BUILD_ID={v}"))
        }
        "sonarqube-token" => {
            let v = g.s(HEX, 40);
            (format!("SONAR_TOKEN=squ_{v}"), format!("SONAR_TOKEN=squ_{}", &v[..30]))
        }
        "sourcegraph-token" => (
            format!("SRC_ACCESS_TOKEN=sgp_{}_{}", g.s(HEX, 16), g.s(HEX, 40)),
            format!("SRC_ACCESS_TOKEN=sgp_{}", g.s(HEX, 20)),
        ),
        "datadog-api-key" => {
            let v = g.s(HEX, 32);
            (format!("DD_API_KEY={v}"), format!("COMMIT_SHA={v}"))
        }
        "heroku-api-key" => (
            format!("HEROKU_API_KEY=HRKU-AA{}", g.s(URLSAFE, 58)),
            format!("HEROKU_APP_ID=HRKU-{}", g.s(URLSAFE, 20)),
        ),
        "cloudflare-origin-ca-key" => {
            let (a, b) = (g.s(HEX, 24), g.s(HEX, 146));
            (format!("CF_ORIGIN_CA_KEY=v1.0-{a}-{b}"), format!("CF_ORIGIN_CA_KEY=v1.0-{a}-{}", &b[..60]))
        }
        "cloudflare-global-api-key" => {
            let v = g.s(HEX, 37);
            (format!("CLOUDFLARE_API_KEY={v}"), format!("CLOUDFLARE_ACCOUNT_ID={}", &v[..32]))
        }
        "cloudflare-api-token" => {
            let v = g.s(URLSAFE, 40);
            (format!("CLOUDFLARE_API_TOKEN={v}"), format!("CLOUDFLARE_API_TOKEN={}", &v[..32]))
        }
        "twitter-bearer-token" => (
            format!("TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA{}%3D{}", g.s(ALNUM, 40), g.s(ALNUM, 50)),
            format!("TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA{}", g.s(ALNUM, 20)),
        ),
        "twitter-api-secret" => {
            let v = g.s(ALNUM, 50);
            (format!("TWITTER_API_SECRET={v}"), format!("TWITTER_API_SECRET={}", &v[..30]))
        }
        "dropbox-token" => (
            format!("DROPBOX_TOKEN=sl.u.{}", g.s(URLSAFE, 600)),
            format!("DROPBOX_TOKEN=sl.u.{}", g.s(URLSAFE, 40)),
        ),
        "newrelic-key" => (
            format!("NEW_RELIC_API_KEY=NRAK-{}", g.s(UPPER_ALNUM, 27)),
            format!("NEW_RELIC_API_KEY=NRAK-{}", g.s(UPPER_ALNUM, 20)),
        ),
        "okta-api-token" => {
            let v = format!("00{}", g.s(URLSAFE, 40));
            (format!("OKTA_API_TOKEN={v}"), format!("OKTA_API_TOKEN={}", &v[..30]))
        }
        "sentry-token" => {
            let v = g.s(HEX, 64);
            (format!("SENTRY_AUTH_TOKEN=sntryu_{v}"), format!("SENTRY_AUTH_TOKEN=sntryu_{}", &v[..40]))
        }
        "jfrog-token" => (
            format!("ARTIFACTORY_API_KEY=AKCp{}", g.s(ALNUM, 69)),
            format!("ARTIFACTORY_API_KEY=AKCp{}", g.s(ALNUM, 40)),
        ),
        "databricks-token" => {
            let v = g.s(HEX, 32);
            (format!("DATABRICKS_TOKEN=dapi{v}"), format!("DATABRICKS_TOKEN=dapi{}", &v[..24]))
        }
        "mailchimp-api-key" => {
            let v = g.s(HEX, 32);
            (format!("MAILCHIMP_KEY={v}-us21"), format!("MAILCHIMP_KEY={}-us21", &v[..24]))
        }
        "planetscale-token" => (
            format!("PLANETSCALE_TOKEN=pscale_tkn_{}", g.s(URLSAFE, 43)),
            format!("PLANETSCALE_TOKEN=pscale_tkn_{}", g.s(URLSAFE, 16)),
        ),
        "postman-api-key" => (
            format!("POSTMAN_API_KEY=PMAK-{}-{}", g.s(HEX, 24), g.s(HEX, 34)),
            format!("POSTMAN_API_KEY=PMAK-{}-{}", g.s(HEX, 24), g.s(HEX, 20)),
        ),
        "confluent-api-secret" => {
            let v = g.s(BASE64, 64);
            (format!("CONFLUENT_API_SECRET={v}"), format!("CONFLUENT_API_SECRET={}", &v[..40]))
        }
        "alibaba-access-key-id" => (
            format!("ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{}", g.s(ALNUM, 20)),
            format!("ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{}", g.s(ALNUM, 6)),
        ),
        "alibaba-access-key-secret" => {
            let v = g.s(ALNUM, 30);
            (format!("ALIBABA_CLOUD_ACCESS_KEY_SECRET={v}"), format!("ALIBABA_CLOUD_REGION={}", &v[..12]))
        }
        "atlassian-api-token" => (
            format!("JIRA_API_TOKEN=ATATT3{}", g.s(URLSAFE, 186)),
            format!("JIRA_API_TOKEN=ATATT3{}", g.s(URLSAFE, 40)),
        ),
        "bitbucket-client-secret" => {
            let v = g.s(ALNUM, 32);
            (format!("BITBUCKET_CLIENT_SECRET={v}"), format!("BITBUCKET_CLIENT_SECRET={}", &v[..20]))
        }
        "slack-legacy-token" => (
            format!("SLACK_TOKEN=xoxs-{}-{}-{}-{}", g.s(DIGITS, 10), g.s(DIGITS, 11), g.s(DIGITS, 12), g.s(HEX, 64)),
            format!("SLACK_TOKEN=xoxq-{}-{}", g.s(DIGITS, 10), g.s(HEX, 32)),
        ),
        "huggingface-org-token" => {
            let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            let v = g.s(letters, 34);
            (format!("HF_ORG_TOKEN=api_org_{v}"), format!("HF_ORG_TOKEN=api_org_{}", &v[..20]))
        }
        "aws-bedrock-api-key" => (
            format!("AWS_BEARER_TOKEN_BEDROCK=ABSK{}", b64(format!("BedrockAPIKey-{}-at-{}:{}", g.s(ALNUM, 4), g.s(DIGITS, 12), g.s(BASE64, 60)).as_bytes())),
            format!("AWS_BEARER_TOKEN_BEDROCK=ABSK{}", g.s(BASE64, 40)),
        ),
        "jwt" => {
            let head = b64(b"{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
            let body = b64(format!("{{\"sub\":\"{}\",\"role\":\"service_role\",\"iat\":{}}}", g.s(HEX, 12), g.s(DIGITS, 10)).as_bytes());
            let url = |s: String| s.trim_end_matches('=').replace('+', "-").replace('/', "_");
            let sig = g.s(URLSAFE, 43);
            let anon = b64(b"{\"iss\":\"supabase\",\"role\":\"anon\"}");
            (
                format!("const key = \"{}.{}.{sig}\";", url(head.clone()), url(body)),
                format!("const key = \"{}.{}.{sig}\";", url(head), url(anon)),
            )
        }
        "kubernetes-secret-manifest" => (
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  password: {}\n", b64(g.s(ALNUM, 24).as_bytes())),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  mode: production\n".to_string(),
        ),
        "curl-credentials" => (
            format!("curl -H \"Authorization: Bearer {}\" https://api.acme.test/v1/items", g.s(ALNUM, 32)),
            "curl -H \"Authorization: Bearer $API_TOKEN\" https://api.acme.test/v1/items".to_string(),
        ),
        "anthropic-admin-key" => (
            format!("ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{}AA", g.s(URLSAFE, 93)),
            format!("ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{}", g.s(URLSAFE, 20)),
        ),
        "generic-secret-xml" => (
            format!("<config>\n  <dbPassword>\n    {}\n  </dbPassword>\n</config>", g.s(ALNUM, 24)),
            "<config>\n  <dbPassword>\n    ${DB_PASSWORD}\n  </dbPassword>\n</config>".to_string(),
        ),
        _ => return None,
    })
}
