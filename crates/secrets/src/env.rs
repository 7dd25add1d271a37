//! `.env` files: which ones are meant to stay out of git, and what a tracked one holds.

use super::scan::CLIENT_PREFIXES;

/// Suffixes of env files that are meant to be committed: templates without values.
const TEMPLATE_SUFFIXES: &[&str] = &[
    "example", "sample", "template", "dist", "defaults", "default", "schema", "tmpl", "tpl",
];

/// `.env`, `.env.local`, `.env.production`, `prod.env` — but not `.env.example` and friends.
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let env_like = name == ".env" || name.starts_with(".env.") || name.ends_with(".env");
    env_like
        && !TEMPLATE_SUFFIXES
            .iter()
            .any(|t| name.ends_with(&format!(".{t}")) || name.contains(&format!(".{t}.")))
}

/// One `NAME=value` line of an env file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub line: usize,
    pub name: String,
    /// Non-empty and not a placeholder.
    pub has_value: bool,
    /// Shipped to browsers by design (`VITE_…`): not a server secret by itself.
    pub client: bool,
}

/// `[A-Za-z_][A-Za-z0-9_]*`: what a shell (and every dotenv loader) takes as a variable name.
/// Anything else before an `=` — a URL with `user:password@`, a query string — is a value, and
/// must never be printed as a name.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The assignments of an env file (`export` and quotes allowed, comments skipped).
pub fn assignments(text: &str) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if !is_variable_name(name) {
            continue;
        }
        let value = value.trim();
        let value = value
            .split(" #")
            .next()
            .unwrap_or(value)
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        let has_value = !value.is_empty()
            && !super::scan::is_placeholder(value.as_bytes(), false)
            && !matches!(value, "true" | "false" | "0" | "1");
        out.push(Assignment {
            line: i + 1,
            name: name.to_string(),
            has_value,
            client: CLIENT_PREFIXES.iter().any(|p| name.starts_with(p)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_and_templates() {
        for yes in [
            ".env",
            ".env.local",
            ".env.production",
            "app/.env",
            "prod.env",
        ] {
            assert!(is_env_file(yes), "{yes}");
        }
        for no in [
            ".env.example",
            ".env.sample",
            ".env.local.example",
            ".env.template",
            "env.rs",
            ".envrc",
            "environment.ts",
        ] {
            assert!(!is_env_file(no), "{no}");
        }
    }

    #[test]
    fn only_variable_names_are_names() {
        // Assembled at run time so that no scanner flags this file.
        let password = ["hunter", "2pass", "word"].concat();
        let scheme = ["post", "gres"].concat();
        let text = format!(
            "{scheme}://user:{password}@host/db?sslmode=require\nuser.{password}=x\n9LIVES=1\n-X=1\nA_1=v\n_B=v\n"
        );
        let names: Vec<String> = assignments(&text).into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["A_1", "_B"]);
        for bad in ["", "1A", "a.b", "a-b", "a b", "é"] {
            assert!(!is_variable_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn assignments_are_parsed() {
        // The URL is assembled here so that no scanner flags this file.
        let url = format!("postgres://app:{}@db/app", ["s3cr3t", "Pw"].concat());
        let a = assignments(&format!(
            "# comment\nexport DATABASE_URL=\"{url}\"\nVITE_API=https://api\nEMPTY=\nTOKEN=your-token-here\n"
        ));
        assert_eq!(a.len(), 4);
        assert_eq!(
            (a[0].line, a[0].name.as_str(), a[0].has_value),
            (2, "DATABASE_URL", true)
        );
        assert!(a[1].client && a[1].has_value);
        assert!(!a[2].has_value);
        assert!(!a[3].has_value, "placeholder");
    }
}
