use super::*;

#[test]
fn budgets_follow_globs_then_defaults() {
    let plan = LoadPlan {
        budgets: vec![("/api/reports/*".into(), 1000), ("/search".into(), 300)],
        ..Default::default()
    };
    assert_eq!(plan.budget_ms("/api/reports/42?x=1"), 1000);
    assert_eq!(plan.budget_ms("/api/users"), API_BUDGET_MS);
    assert_eq!(plan.budget_ms("/search"), 300);
    assert_eq!(plan.budget_ms("/"), PAGE_BUDGET_MS);
    assert!(glob_match("/a/*/c", "/a/b/c") && !glob_match("/a/*/c", "/a/b/d"));
    assert!(glob_match("*", "/anything"));
}
