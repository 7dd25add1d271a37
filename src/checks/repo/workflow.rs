//! GitHub Actions workflows, parsed with `serde_norway` (never pattern-matched): triggers,
//! permissions, jobs and steps, and whether anything reads secrets.

use super::*;
use serde_norway::Value;

fn as_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

/// `permissions:` as written: a scalar (`write-all`) or a compact `{scope: level}` rendering.
fn permissions(v: &Value) -> Option<String> {
    let p = get(v, "permissions")?;
    Some(match p {
        Value::Mapping(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        as_str(k).unwrap_or_default(),
                        as_str(v).unwrap_or_default()
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => as_str(other).unwrap_or_else(|| "{}".into()),
    })
}

/// Whether any string in the document reads `secrets.*` in an expression.
fn reads_secrets(v: &Value, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match v {
        Value::String(s) => s.contains("secrets."),
        Value::Sequence(seq) => seq.iter().any(|x| reads_secrets(x, depth + 1)),
        Value::Mapping(m) => m.iter().any(|(k, x)| {
            k.as_str() == Some("secrets") && x.as_str() == Some("inherit")
                || reads_secrets(x, depth + 1)
        }),
        Value::Tagged(t) => reads_secrets(&t.value, depth + 1),
        _ => false,
    }
}

/// Why a workflow file is not read as a workflow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// Not YAML, or YAML the reader refuses (too deep, too many aliases); `line` where known.
    #[error("not valid YAML: {message}")]
    Yaml {
        line: Option<usize>,
        message: String,
    },
    #[error("not a YAML mapping")]
    NotAMapping,
}

/// Parses one GitHub Actions workflow.
pub fn parse_workflow(path: &str, text: &str) -> Result<Workflow, WorkflowError> {
    let doc: Value = serde_norway::from_str(text).map_err(|e| WorkflowError::Yaml {
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })?;
    if !doc.is_mapping() {
        return Err(WorkflowError::NotAMapping);
    }
    let triggers = match get(&doc, "on") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(seq)) => seq.iter().filter_map(as_str).collect(),
        Some(Value::Mapping(m)) => m.keys().filter_map(as_str).collect(),
        _ => vec![],
    };
    let mut jobs = Vec::new();
    if let Some(Value::Mapping(m)) = get(&doc, "jobs") {
        for (id, j) in m {
            let steps = match get(j, "steps") {
                Some(Value::Sequence(seq)) => seq.iter().map(parse_step).collect(),
                _ => vec![],
            };
            jobs.push(Job {
                id: as_str(id).unwrap_or_default(),
                name: get(j, "name").and_then(as_str),
                permissions: permissions(j),
                environment: get(j, "environment").is_some(),
                uses: get(j, "uses").and_then(as_str),
                steps,
            });
        }
    }
    Ok(Workflow {
        path: path.to_string(),
        name: get(&doc, "name").and_then(as_str),
        triggers,
        permissions: permissions(&doc),
        jobs,
        uses_secrets: reads_secrets(&doc, 0),
    })
}

fn parse_step(s: &Value) -> Step {
    let uses = get(s, "uses").and_then(as_str);
    let with = get(s, "with");
    let github_script = uses
        .as_deref()
        .is_some_and(|u| u.starts_with("actions/github-script"));
    let script = get(s, "run").and_then(as_str).or_else(|| {
        github_script
            .then(|| with.and_then(|w| get(w, "script")).and_then(as_str))
            .flatten()
    });
    Step {
        name: get(s, "name").and_then(as_str),
        with_ref: with.and_then(|w| get(w, "ref")).and_then(as_str),
        uses,
        script,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_triggers_jobs_steps_and_permissions() {
        let wf = parse_workflow(
            "w.yml",
            "on:\n  pull_request_target:\n    types: [opened]\npermissions: write-all\njobs:\n  build:\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make\n        env:\n          T: ${{ secrets.TOKEN }}\n",
        )
        .expect("parses");
        assert_eq!(wf.triggers, vec!["pull_request_target"]);
        assert_eq!(wf.permissions.as_deref(), Some("write-all"));
        assert_eq!(wf.jobs[0].permissions.as_deref(), Some("{contents: read}"));
        assert_eq!(wf.jobs[0].steps.len(), 2);
        assert!(wf.jobs[0].steps[0]
            .with_ref
            .as_deref()
            .is_some_and(|r| r.contains("head.sha")));
        assert_eq!(wf.jobs[0].steps[1].script.as_deref(), Some("make"));
        assert!(wf.uses_secrets);
    }

    #[test]
    fn hostile_yaml_is_an_error_not_a_panic() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        assert!(parse_workflow("w.yml", bomb).is_err());
        assert!(parse_workflow("w.yml", &"[".repeat(10_000)).is_err());
        assert_eq!(
            parse_workflow("w.yml", "- just\n- a list\n").err(),
            Some(WorkflowError::NotAMapping)
        );
        assert!(matches!(
            parse_workflow("w.yml", "on: [push\n"),
            Err(WorkflowError::Yaml { line: Some(_), .. })
        ));
    }
}
