//! Recall and false positives on a generated corpus: real-format tokens of ~60 providers,
//! each in several placements (`.env`, JSON, YAML, code), and near-miss decoys (a character
//! short, a wrong checksum, the wrong alphabet, placeholders, ids and hashes that look
//! random). Every token is generated here from the provider's documented format: none is a
//! real secret. Goal (issue 12 item 6): recall ≥ 90 %, false positives ≤ 5 %.

use launchready_secrets::samples::{github_body, sample, Gen};
use launchready_secrets::{engine, Kind};

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";
const DIGITS: &str = "0123456789";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

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

type Make = fn(&mut Gen) -> String;

/// (provider, the rule that must report it, the variable a project would keep it in, token)
fn providers() -> Vec<(&'static str, &'static str, &'static str, Make)> {
    vec![
        (
            "AWS key id",
            "aws-access-key-id",
            "AWS_ACCESS_KEY_ID",
            |g| format!("AKIA{}", g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
        ),
        (
            "AWS secret",
            "aws-secret-access-key",
            "AWS_SECRET_ACCESS_KEY",
            |g| g.s(B64, 40),
        ),
        ("Google API", "google-api-key", "GOOGLE_MAPS_KEY", |g| {
            format!("AIza{}", g.s(URLSAFE, 35))
        }),
        (
            "Azure storage",
            "azure-storage-account-key",
            "AZURE_STORAGE",
            |g| {
                format!(
                    "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}==",
                    g.s(B64, 86)
                )
            },
        ),
        (
            "Azure AD",
            "azure-ad-client-secret",
            "AZURE_CLIENT_SECRET",
            |g| format!("{}7Q~{}", g.s(ALNUM, 3), g.s(URLSAFE, 31)),
        ),
        ("DigitalOcean", "digitalocean-token", "DO_TOKEN", |g| {
            format!("dop_v1_{}", g.s(HEX, 64))
        }),
        ("Supabase", "supabase-access-token", "SUPABASE_TOKEN", |g| {
            format!("sbp_{}", g.s(HEX, 40))
        }),
        ("Stripe sk", "stripe-secret-key", "STRIPE_SECRET", |g| {
            format!("sk_live_51{}", g.s(ALNUM, 97))
        }),
        (
            "Stripe rk",
            "stripe-restricted-key",
            "STRIPE_RESTRICTED",
            |g| format!("rk_live_51{}", g.s(ALNUM, 97)),
        ),
        (
            "Stripe webhook",
            "stripe-webhook-secret",
            "STRIPE_WEBHOOK",
            |g| format!("whsec_{}", g.s(ALNUM, 32)),
        ),
        ("Square", "square-access-token", "SQUARE_TOKEN", |g| {
            format!("sq0atp-{}", g.s(URLSAFE, 22))
        }),
        ("GitHub classic", "github-pat", "GH_TOKEN", |g| {
            format!("ghp_{}", github_body(g))
        }),
        ("GitHub OAuth", "github-oauth-token", "GH_OAUTH", |g| {
            format!("gho_{}", github_body(g))
        }),
        (
            "GitHub fine-grained",
            "github-fine-grained-pat",
            "GH_PAT",
            |g| format!("github_pat_11{}_{}", g.s(UPPER, 20), g.s(ALNUM, 59)),
        ),
        ("GitLab", "gitlab-pat", "GITLAB_TOKEN", |g| {
            format!("glpat-{}", g.s(URLSAFE, 20))
        }),
        ("npm", "npm-access-token", "NPM_TOKEN", |g| {
            format!("npm_{}", g.s(ALNUM, 36))
        }),
        ("PyPI", "pypi-token", "PYPI_TOKEN", |g| {
            format!("pypi-AgEIcHlwaS5vcmc{}", g.s(URLSAFE, 70))
        }),
        ("Slack bot", "slack-bot-token", "SLACK_BOT", |g| {
            format!(
                "xoxb-{}-{}-{}",
                g.s(DIGITS, 12),
                g.s(DIGITS, 13),
                g.s(ALNUM, 24)
            )
        }),
        ("Slack legacy", "slack-legacy-token", "SLACK_LEGACY", |g| {
            format!("xoxa-2-{}", g.s(ALNUM, 40))
        }),
        (
            "Slack workflow",
            "slack-webhook-url",
            "SLACK_WORKFLOW",
            |g| {
                format!(
                    "https://hooks.slack.com/workflows/T{}/A{}/{}/{}",
                    g.s(UPPER, 10),
                    g.s(UPPER, 10),
                    g.s(DIGITS, 18),
                    g.s(ALNUM, 24)
                )
            },
        ),
        (
            "Discord webhook",
            "discord-webhook-url",
            "DISCORD_HOOK",
            |g| {
                format!(
                    "https://discord.com/api/webhooks/{}/{}",
                    g.s(DIGITS, 19),
                    g.s(URLSAFE, 68)
                )
            },
        ),
        ("Telegram", "telegram-bot-token", "TELEGRAM_TOKEN", |g| {
            format!("{}:AA{}", g.s(DIGITS, 10), g.s(URLSAFE, 33))
        }),
        ("SendGrid", "sendgrid-api-key", "SENDGRID_KEY", |g| {
            format!("SG.{}.{}", g.s(URLSAFE, 22), g.s(URLSAFE, 43))
        }),
        ("Brevo", "brevo-api-key", "BREVO_KEY", |g| {
            format!("xkeysib-{}-{}", g.s(HEX, 64), g.s(ALNUM, 16))
        }),
        ("OpenAI", "openai-api-key", "OPENAI_KEY", |g| {
            format!("sk-proj-{}T3BlbkFJ{}", g.s(URLSAFE, 74), g.s(URLSAFE, 74))
        }),
        ("Anthropic", "anthropic-api-key", "ANTHROPIC_KEY", |g| {
            format!("sk-ant-api03-{}AA", g.s(URLSAFE, 93))
        }),
        (
            "Anthropic admin",
            "anthropic-admin-key",
            "ANTHROPIC_ADMIN",
            |g| format!("sk-ant-admin01-{}AA", g.s(URLSAFE, 93)),
        ),
        ("Hugging Face", "huggingface-token", "HF_TOKEN", |g| {
            format!("hf_{}", g.s(ALNUM, 34))
        }),
        ("Hugging Face org", "huggingface-org-token", "HF_ORG", |g| {
            format!(
                "api_org_{}",
                g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
            )
        }),
        ("Shopify", "shopify-access-token", "SHOPIFY_TOKEN", |g| {
            format!("shpat_{}", g.s(HEX, 32))
        }),
        ("Linear", "linear-api-key", "LINEAR_KEY", |g| {
            format!("lin_api_{}", g.s(ALNUM, 40))
        }),
        ("Doppler", "doppler-token", "DOPPLER_TOKEN", |g| {
            format!("dp.st.{}", g.s(ALNUM, 43))
        }),
        (
            "1Password",
            "onepassword-secret-key",
            "OP_SECRET_KEY",
            |g| {
                format!(
                    "A3-{}-{}-{}-{}-{}-{}",
                    g.s(UPPER, 6),
                    g.s(UPPER, 6),
                    g.s(UPPER, 5),
                    g.s(UPPER, 5),
                    g.s(UPPER, 5),
                    g.s(UPPER, 5)
                )
            },
        ),
        ("Fly.io", "flyio-token", "FLY_API_TOKEN", |g| {
            format!("fo1_{}", g.s(URLSAFE, 43))
        }),
        (
            "Grafana SA",
            "grafana-service-account-token",
            "GRAFANA_TOKEN",
            |g| format!("glsa_{}_{}", g.s(ALNUM, 32), g.s(HEX, 8)),
        ),
        (
            "Grafana Cloud",
            "grafana-cloud-token",
            "GRAFANA_CLOUD",
            |g| format!("glc_{}", g.s(B64, 120)),
        ),
        ("Terraform", "terraform-cloud-token", "TFE_TOKEN", |g| {
            format!("{}.atlasv1.{}", g.s(LOWER, 14), g.s(URLSAFE, 67))
        }),
        ("Vault", "vault-token", "VAULT_TOKEN", |g| {
            format!("hvs.CAESI{}", g.s(URLSAFE, 86))
        }),
        (
            "HubSpot",
            "hubspot-private-app-token",
            "HUBSPOT_TOKEN",
            |g| format!("pat-eu1-{}", uuid(g)),
        ),
        ("Notion", "notion-token", "NOTION_TOKEN", |g| {
            format!("ntn_{}{}", g.s(DIGITS, 11), g.s(ALNUM, 35))
        }),
        ("NuGet", "nuget-api-key", "NUGET_KEY", |g| {
            format!("oy2{}", g.s(LOWER, 43))
        }),
        ("OpenShift", "openshift-token", "OC_TOKEN", |g| {
            format!("sha256~{}", g.s(URLSAFE, 43))
        }),
        (
            "Sidekiq",
            "sidekiq-credentials",
            "BUNDLE_GEMS__CONTRIBSYS__COM",
            |g| format!("{}:{}", g.s(HEX, 8), g.s(HEX, 8)),
        ),
        ("Snyk", "snyk-api-token", "SNYK_TOKEN", uuid),
        ("SonarQube", "sonarqube-token", "SONAR_TOKEN", |g| {
            format!("sqp_{}", g.s(HEX, 40))
        }),
        (
            "Sourcegraph",
            "sourcegraph-token",
            "SRC_ACCESS_TOKEN",
            |g| format!("sgp_local_{}", g.s(HEX, 40)),
        ),
        ("Datadog", "datadog-api-key", "DD_APP_KEY", |g| g.s(HEX, 40)),
        ("Heroku", "heroku-api-key", "HEROKU_API_KEY", |g| {
            format!("HRKU-AA{}", g.s(URLSAFE, 58))
        }),
        (
            "Cloudflare token",
            "cloudflare-api-token",
            "CLOUDFLARE_API_TOKEN",
            |g| g.s(URLSAFE, 40),
        ),
        (
            "Cloudflare global",
            "cloudflare-global-api-key",
            "CLOUDFLARE_API_KEY",
            |g| g.s(HEX, 37),
        ),
        (
            "Cloudflare origin",
            "cloudflare-origin-ca-key",
            "CF_ORIGIN_CA_KEY",
            |g| format!("v1.0-{}-{}", g.s(HEX, 24), g.s(HEX, 146)),
        ),
        (
            "Twitter bearer",
            "twitter-bearer-token",
            "TWITTER_BEARER",
            |g| {
                format!(
                    "AAAAAAAAAAAAAAAAAAAAA{}%2F{}%3D{}",
                    g.s(ALNUM, 30),
                    g.s(ALNUM, 20),
                    g.s(ALNUM, 40)
                )
            },
        ),
        ("Dropbox", "dropbox-token", "DROPBOX_TOKEN", |g| {
            format!("sl.B{}", g.s(URLSAFE, 137))
        }),
        ("New Relic", "newrelic-key", "NEW_RELIC_LICENSE_KEY", |g| {
            format!("{}NRAL", g.s(HEX, 36))
        }),
        ("Okta", "okta-api-token", "OKTA_TOKEN", |g| {
            format!("00{}", g.s(URLSAFE, 40))
        }),
        ("Sentry", "sentry-token", "SENTRY_AUTH_TOKEN", |g| {
            format!("sntryu_{}", g.s(HEX, 64))
        }),
        ("JFrog", "jfrog-token", "ARTIFACTORY_KEY", |g| {
            format!("AKCp{}", g.s(ALNUM, 69))
        }),
        ("Databricks", "databricks-token", "DATABRICKS_TOKEN", |g| {
            format!("dapi{}", g.s(HEX, 32))
        }),
        ("Mailchimp", "mailchimp-api-key", "MAILCHIMP_KEY", |g| {
            format!("{}-us14", g.s(HEX, 32))
        }),
        ("PlanetScale", "planetscale-token", "PSCALE_PW", |g| {
            format!("pscale_pw_{}", g.s(URLSAFE, 43))
        }),
        ("Postman", "postman-api-key", "POSTMAN_KEY", |g| {
            format!("PMAK-{}-{}", g.s(HEX, 24), g.s(HEX, 34))
        }),
        (
            "Confluent",
            "confluent-api-secret",
            "CONFLUENT_SECRET",
            |g| g.s(B64, 64),
        ),
        ("Alibaba", "alibaba-access-key-id", "ALIYUN_ID", |g| {
            format!("LTAI{}", g.s(ALNUM, 20))
        }),
        (
            "Bitbucket",
            "atlassian-api-token",
            "BITBUCKET_APP_PASSWORD",
            |g| format!("ATBB{}", g.s(ALNUM, 32)),
        ),
        (
            "Bedrock",
            "aws-bedrock-api-key",
            "AWS_BEARER_TOKEN_BEDROCK",
            |g| format!("ABSKQmVkcm9ja0FQSUtleS{}", g.s(B64, 110)),
        ),
        ("Twilio", "twilio-api-key", "TWILIO_KEY", |g| {
            format!("SK{}", g.s(HEX, 32))
        }),
        ("Mailgun", "mailgun-api-key", "MAILGUN_KEY", |g| {
            format!("key-{}", g.s(HEX, 32))
        }),
        ("age", "age-secret-key", "AGE_KEY", |g| {
            format!(
                "AGE-SECRET-KEY-1{}",
                g.s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)
            )
        }),
    ]
}

/// The four places a token usually sits.
fn placements(var: &str, token: &str) -> [(String, String); 4] {
    let lower = var.to_ascii_lowercase();
    [
        (".env".into(), format!("{var}={token}\n")),
        (
            "config/app.json".into(),
            format!("{{\n  \"{lower}\": \"{token}\"\n}}\n"),
        ),
        (
            "deploy/values.yaml".into(),
            format!("env:\n  {var}: \"{token}\"\n"),
        ),
        (
            "src/client.ts".into(),
            format!("export const {lower} = \"{token}\";\n"),
        ),
    ]
}

/// Texts that look like secrets and are not.
fn decoys(g: &mut Gen) -> Vec<(String, String)> {
    let code = |s: String| ("src/app.ts".to_string(), s);
    vec![
        code(format!("const commit = \"{}\";", g.s(HEX, 40))),
        code(format!("const requestId = \"{}\";", uuid(g))),
        code(format!("\"integrity\": \"sha512-{}==\"", g.s(B64, 86))),
        code(format!("const sha = \"{}\";", g.s(HEX, 64))),
        code(format!("color: #{}; background: #{};", g.s(HEX, 6), g.s(HEX, 6))),
        code(format!("<img src=\"data:image/png;base64,{}\">", g.s(B64, 300))),
        code("const token = process.env.API_TOKEN;".into()),
        code("password = os.environ[\"DB_PASSWORD\"]".into()),
        code("token: ${{ secrets.GITHUB_TOKEN }}".into()),
        code("const apiKey = \"your-api-key-here\";".into()),
        code("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into()),
        code(format!("GITHUB_TOKEN=ghp_{}", g.s(ALNUM, 36))),
        code(format!("auth: gho_{}", g.s(ALNUM, 36))),
        code(format!("CLOUDFLARE_ACCOUNT_ID={}", g.s(HEX, 32))),
        code(format!("CLOUDFLARE_ZONE_ID={}", g.s(HEX, 32))),
        code("const firebaseConfig = { apiKey: \"AIzaSyDOCAbC123dEf456GhI789jKl01-MnO\" };".into()),
        code("GOOGLE_KEY=AIzaSyDOCAbC123dEf456GhI789jKl01-MnO".into()),
        code(format!("const firebaseConfig = {{ apiKey: \"AIza{}\", projectId: \"acme\" }};", g.s(URLSAFE, 35))),
        code("const t = \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\";".into()),
        code(format!("const version = \"{}.{}.{}\";", g.s(DIGITS, 1), g.s(DIGITS, 2), g.s(DIGITS, 3))),
        code(format!("const docId = \"{}\";", g.s(LOWER, 20))),
        code(format!("stripe: pk_test_{}", g.s(ALNUM, 24))),
        code(format!("STRIPE_KEY=sk_live_{}", g.s(ALNUM, 12))),
        code(format!("const uid = \"AKIA{}\";", g.s(UPPER, 12))),
        code(format!("hvs.{}", g.s(URLSAFE, 20))),
        code(format!("const ssl = tls.{}();", g.s(LOWER, 10))),
        code(format!("key-{}", g.s(HEX, 16))),
        code(format!("DATADOG_SITE=datadoghq.{}", g.s(LOWER, 3))),
        code(format!("OKTA_DOMAIN=dev-{}.okta.com", g.s(DIGITS, 8))),
        code(format!("heroku_app_name = \"acme-{}\"", g.s(LOWER, 8))),
        code(format!("curl -u admin:$ADMIN_PASSWORD https://{}.test/", g.s(LOWER, 8))),
        code(format!("curl -H \"Authorization: Bearer ${{TOKEN}}\" https://{}.test/", g.s(LOWER, 8))),
        code(format!("sha256~{}", g.s(URLSAFE, 20))),
        code(format!("ntn_{}", g.s(DIGITS, 11))),
        code(format!("dapi{}", g.s(HEX, 20))),
        code(format!("{}-us", g.s(HEX, 32))),
        code(format!("PMAK-{}", g.s(HEX, 24))),
        code(format!("LTAI{}", g.s(ALNUM, 8))),
        code("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata: {}\n".into()),
        code(format!("secret_{}", g.s(ALNUM, 20))),
        code(format!("const password = \"{}\";", "correct horse battery")),
        code(format!("<password>${{DB_PASSWORD}}</password><token>{}</token>", "changeme")),
    ]
}

#[test]
fn corpus_recall_and_false_positives() {
    let engine = engine().expect("the rules compile");
    let mut g = Gen::new(2026);
    let (mut found, mut total) = (0usize, 0usize);
    let mut missed: Vec<String> = Vec::new();
    let providers = providers();
    for (provider, rule, var, make) in &providers {
        for _ in 0..3 {
            let token = make(&mut g);
            for (label, text) in placements(var, &token) {
                total += 1;
                let ids: Vec<_> = engine
                    .scan_bytes(&label, text.as_bytes())
                    .into_iter()
                    .map(|m| m.rule.id)
                    .collect();
                if ids.contains(rule) {
                    found += 1;
                } else {
                    missed.push(format!("{provider} ({rule}) in {label}: {ids:?}"));
                }
            }
        }
    }
    // Multi-line and structured formats, from the catalog's own samples.
    for rule in [
        "gcp-service-account-key",
        "private-key",
        "openssh-private-key",
        "pgp-private-key",
        "kubernetes-secret-manifest",
        "curl-credentials",
        "generic-secret-xml",
        "jwt",
        "onepassword-service-account-token",
        "grafana-api-key",
    ] {
        for seed in 0..4 {
            let (pos, _) = sample(rule, seed).expect("sample");
            total += 1;
            let ids: Vec<_> = engine
                .scan_bytes("deploy/file.txt", pos.as_bytes())
                .into_iter()
                .map(|m| m.rule.id)
                .collect();
            if ids.contains(&rule) {
                found += 1;
            } else {
                missed.push(format!("{rule}: {ids:?}"));
            }
        }
    }
    let decoys = decoys(&mut g);
    let mut fired = Vec::new();
    for (label, text) in &decoys {
        let hits: Vec<_> = engine
            .scan_bytes(label, text.as_bytes())
            .into_iter()
            .filter(|m| m.rule.kind == Kind::Secret)
            .map(|m| m.rule.id)
            .collect();
        if !hits.is_empty() {
            fired.push(format!("{hits:?} on {text:.80}"));
        }
    }
    let recall = found as f64 / total as f64;
    let fp = fired.len() as f64 / decoys.len() as f64;
    println!(
        "corpus: {} providers, recall {found}/{total} = {:.1} %, false positives {}/{} = {:.1} %",
        providers.len(),
        recall * 100.0,
        fired.len(),
        decoys.len(),
        fp * 100.0
    );
    for m in &missed {
        println!("  missed: {m}");
    }
    for f in &fired {
        println!("  fired: {f}");
    }
    assert!(providers.len() >= 60, "{} providers", providers.len());
    assert!(recall >= 0.90, "recall {:.1} %", recall * 100.0);
    assert!(fp <= 0.05, "false positives {:.1} %", fp * 100.0);
}

/// The generic rule in the syntaxes it used to be blind to.
#[test]
fn generic_assignment_syntaxes() {
    let engine = engine().expect("the rules compile");
    let mut g = Gen::new(77);
    let v = g.s(ALNUM, 28);
    let cases = [
        (
            "config.json",
            format!("{{\"config\": \"{{\\n  \\\"api_key\\\": \\\"{v}\\\"\\n}}\"}}"),
        ),
        (
            "web.config",
            format!("<settings>\n  <ApiToken>\n    {v}\n  </ApiToken>\n</settings>"),
        ),
        (
            "Info.plist",
            format!("<key>API_TOKEN</key>\n<string>{v}</string>"),
        ),
        ("main.go", format!("var apiToken string = \"{v}\"")),
        ("index.php", format!("$password .= \"{v}\";")),
        (
            "App.java",
            format!("System.setProperty(\"SERVICE_TOKEN\", \"{v}\");"),
        ),
        ("Makefile", format!("API_TOKEN ::= {v}")),
        ("Makefile", format!("API_TOKEN ?= {v}")),
        ("app.kt", format!("val authToken: String = \"{v}\"")),
        (
            "Web.config",
            format!("<add key=\"PaymentSecret\" value=\"{v}\" />"),
        ),
    ];
    for (label, text) in cases {
        let ids: Vec<_> = engine
            .scan_bytes(label, text.as_bytes())
            .into_iter()
            .map(|m| m.rule.id)
            .collect();
        assert!(
            ids.iter().any(|id| id.starts_with("generic-secret")),
            "{label}: {text:?} → {ids:?}"
        );
    }
}
