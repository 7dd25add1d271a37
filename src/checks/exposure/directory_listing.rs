//! `exposure.directory-listing`.

use super::signatures::looks_like_listing;
use super::*;

crate::check! {
    DirectoryListing for ExposureObservation = CheckDoc {
        id: "exposure.directory-listing",
        stage: Stage::Exposure,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "Directory listing is on",
        catches: "A directory (the scripts' folder, /static/, /assets/, /uploads/, /backup/) answers with an autoindex page.",
        why: "It lists files nobody linked to: backups, exports, uploads of other users, old builds.",
        fix: "Turn autoindex off (`autoindex off;`, `Options -Indexes`) and remove files that should not be public.",
        refs: &["OWASP WSTG-CONF-04", "https://cwe.mitre.org/data/definitions/548.html"],
    };
    fn evaluate(o, out, doc) {
        for p in o.dirs.iter().filter(|p| p.ok() && looks_like_listing(&p.body)) {
            out.push(doc.finding(&p.url, format!("{} lists its files", p.url)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_an_autoindex_page_only() {
        let mut o = healthy();
        o.dirs[0].body = "<html><head><title>Index of /static/</title>".into();
        let (found, _) = judge(&DirectoryListing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://example.com/static/");
        o.dirs[0].status = 404;
        assert!(judge(&DirectoryListing, &o).0.is_empty());
    }
}
