//! `exposure.git`.

use super::signatures::looks_like_git;
use super::*;

crate::check! {
    Git for ExposureObservation = CheckDoc {
        id: "exposure.git",
        stage: Stage::Exposure,
        severity: Severity::Blocker,
        impact: Impact::Security,
        title: "The .git directory is served",
        catches: "/.git/HEAD or /.git/config answers with git's own content.",
        why: "Tools rebuild the whole repository — source, history, and every secret ever committed — from a served .git directory in minutes.",
        fix: "Deploy build artefacts, not the working copy; block /.git at the server. Rotate secrets that were ever in the history.",
        refs: &["OWASP WSTG-CONF-04", "https://cwe.mitre.org/data/definitions/527.html"],
    };
    fn evaluate(o, out, doc) {
        for p in o.git.iter().filter(|p| p.ok() && looks_like_git(&p.url, &p.body)) {
            out.push(doc.finding(&p.url, format!("{} answers with git metadata", p.url)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_git_metadata_only() {
        let mut o = healthy();
        assert!(judge(&Git, &o).0.is_empty());
        o.git[0] = page(
            "https://example.com/.git/HEAD",
            200,
            "ref: refs/heads/main\n",
        );
        o.git[1] = page(
            "https://example.com/.git/config",
            200,
            "[core]\n\trepositoryformatversion = 0\n",
        );
        let (found, _) = judge(&Git, &o);
        assert_eq!(found.len(), 2);
        o.git[0].status = 403;
        o.git[1].body = INDEX.into();
        assert!(judge(&Git, &o).0.is_empty());
    }
}
