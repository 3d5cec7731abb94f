//! The GitHub files the project ships: action.yml is action metadata, not a workflow, so actionlint does not
//! validate it (`.ci/actionlint.sh` lints the workflows); this checks the keys GitHub requires of a composite
//! action and the habits that keep it safe, and that the workflows run what the docs say they run.

use std::path::Path;

use nhi::load::yaml::{self, Key, Node, Value};

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn parse(rel: &str) -> Node {
    let parsed = yaml::parse(&read(rel));
    assert!(parsed.fatal.is_none(), "{rel}: {:?}", parsed.fatal);
    assert_eq!(parsed.documents.len(), 1, "{rel}: one document");
    let document = parsed.documents.into_iter().next().unwrap();
    assert!(
        document.problems.is_empty(),
        "{rel}: {:?}",
        document.problems
    );
    document.root
}

fn entries(node: &Node) -> &[(Key, Node)] {
    match &node.value {
        Value::Map(entries) => entries,
        other => panic!("expected a map, found {other:?}"),
    }
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    entries(node)
        .iter()
        .find(|(k, _)| k.text == key)
        .map(|(_, v)| v)
}

fn text<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    match &get(node, key)?.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

#[test]
fn action_metadata_has_what_github_requires() {
    let action = parse("action.yml");
    let allowed = [
        "name",
        "description",
        "author",
        "branding",
        "inputs",
        "outputs",
        "runs",
    ];
    for (key, _) in entries(&action) {
        assert!(
            allowed.contains(&key.text.as_str()),
            "unknown top-level key `{}`",
            key.text
        );
    }
    assert!(
        text(&action, "name").is_some_and(|s| !s.is_empty()),
        "name is required"
    );
    assert!(
        text(&action, "description").is_some_and(|s| !s.is_empty()),
        "description is required"
    );

    let inputs = get(&action, "inputs").expect("inputs");
    for (name, input) in entries(inputs) {
        assert!(
            text(input, "description").is_some(),
            "input `{}` needs a description",
            name.text
        );
        for (key, value) in entries(input) {
            assert!(
                ["description", "required", "default", "deprecationMessage"]
                    .contains(&key.text.as_str()),
                "input `{}`: `{}`",
                name.text,
                key.text
            );
            if key.text == "default" {
                assert!(
                    matches!(value.value, Value::Str(_)),
                    "input `{}`: defaults are strings",
                    name.text
                );
            }
        }
    }
    for (name, output) in entries(get(&action, "outputs").expect("outputs")) {
        assert!(
            text(output, "description").is_some() && text(output, "value").is_some(),
            "output `{}`",
            name.text
        );
    }

    let runs = get(&action, "runs").expect("runs");
    assert_eq!(text(runs, "using"), Some("composite"));
    let Value::Seq(steps) = &get(runs, "steps").expect("runs.steps").value else {
        panic!("runs.steps is a list")
    };
    assert!(!steps.is_empty());
    for step in steps {
        let name = text(step, "name").unwrap_or("?");
        match (text(step, "run"), text(step, "uses")) {
            (Some(script), None) => {
                assert!(
                    text(step, "shell").is_some(),
                    "step `{name}`: a composite run step needs `shell`"
                );
                assert!(
                    !script.contains("${{"),
                    "step `{name}`: pass expressions through `env`, never into the script"
                );
            }
            (None, Some(_)) => {}
            _ => panic!("step `{name}`: exactly one of `run` and `uses`"),
        }
    }
}

#[test]
fn action_uses_only_declared_inputs() {
    let action = parse("action.yml");
    let declared: Vec<&str> = entries(get(&action, "inputs").unwrap())
        .iter()
        .map(|(k, _)| k.text.as_str())
        .collect();
    let source = read("action.yml");
    let used = regex::Regex::new(r"inputs\.([A-Za-z0-9_-]+)").unwrap();
    for m in used.captures_iter(&source) {
        assert!(
            declared.contains(&&m[1]),
            "inputs.{} is used but not declared",
            &m[1]
        );
    }
}

#[test]
fn workflows_run_what_the_docs_promise() {
    let ci = read(".github/workflows/ci.yml");
    for command in [
        "cargo fmt --check",
        "cargo clippy --all-targets --locked -- -D warnings",
        "cargo test --locked",
        "cargo run --release --locked -- check registry",
    ] {
        assert!(ci.contains(command), "ci.yml runs `{command}`");
    }
    parse(".github/workflows/ci.yml");
    let example = read("docs/examples/registry-workflow.yml");
    parse("docs/examples/registry-workflow.yml");
    for needed in [
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "nhi build",
        "pages: write",
        "id-token: write",
    ] {
        assert!(
            example.contains(needed),
            "the example workflow has `{needed}`"
        );
    }
    assert!(
        read("docs/github.md").contains(example.trim()),
        "docs/github.md shows the example workflow as it is"
    );
}

#[test]
fn the_install_script_knows_every_released_target() {
    let release = read(".github/workflows/release.yml");
    let install = read("scripts/install.sh");
    let targets = regex::Regex::new(r"target: ([a-z0-9_]+-[a-z0-9_-]+)").unwrap();
    let released: std::collections::BTreeSet<&str> = targets
        .captures_iter(&release)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(released.len(), 5, "{released:?}");
    let known = regex::Regex::new(r"target=([a-z0-9_]+-[a-z0-9_-]+)").unwrap();
    let installed: std::collections::BTreeSet<&str> = known
        .captures_iter(&install)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(released, installed);
    // The archives' names, as the release builds them and the script looks for them.
    assert!(release.contains(r#"name="nhi-$TAG-$TARGET""#));
    assert!(install.contains(r#"archive="nhi-$tag-$target.tar.gz""#));
    assert!(install.contains(r#"archive="nhi-$tag-$target.zip""#));
    assert!(release.contains("sha256sum nhi-* > SHA256SUMS"));
}
