//! The first hour: `nhi init` gives a registry that passes and builds, `nhi new` writes a schema-valid
//! document of every kind, and the `$schema` lines they write resolve.

use std::fs;
use std::path::Path;

use crate::common::{check_json, nhi, repo, stderr, stdout};

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    nhi()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("nhi runs")
}

fn init(parent: &Path) -> std::path::PathBuf {
    let out = run_in(parent, &["init", "reg", "--organization", "Acme"]);
    assert!(out.status.success(), "{}", stderr(&out));
    parent.join("reg")
}

#[test]
fn init_then_check_passes_and_build_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    let (code, json) = check_json(&reg);
    assert_eq!(code, 0);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json}");
    let site = tmp.path().join("site");
    let out = run_in(
        tmp.path(),
        &["build", "reg", "-o", "site", "--as-of", "2026-11-23"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let index = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("Acme"),
        "the organization is on the dashboard"
    );
    for dir in ["identities", "owners", "systems", "exceptions"] {
        assert!(reg.join(dir).is_dir(), "{dir}/");
    }
    let workflow = fs::read_to_string(tmp.path().join("reg/.github/workflows/nhi.yml")).unwrap();
    let documented =
        fs::read_to_string(repo().join("docs/examples/registry-workflow.yml")).unwrap();
    assert_eq!(
        workflow, documented,
        "the workflow is the one the docs show"
    );
    let codeowners = fs::read_to_string(reg.join(".github/CODEOWNERS")).unwrap();
    let out = run_in(
        &reg,
        &["codeowners", ".", "--check", "--file", ".github/CODEOWNERS"],
    );
    assert!(out.status.success(), "{}\n{codeowners}", stdout(&out));
}

#[test]
fn init_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    fs::write(reg.join("nhi.yaml"), "kind: Policy\n# mine\n").unwrap();
    let out = run_in(tmp.path(), &["init", "reg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("never overwrites"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(reg.join("nhi.yaml")).unwrap(),
        "kind: Policy\n# mine\n"
    );
    // A folder that only holds another file is not refused, and that file is kept.
    let other = tmp.path().join("other");
    fs::create_dir_all(other.join("identities")).unwrap();
    fs::write(other.join("identities/keep.txt"), "x").unwrap();
    let out = run_in(tmp.path(), &["init", "other"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(other.join("identities/keep.txt")).unwrap(),
        "x"
    );
}

#[test]
fn the_init_policy_writes_every_key_at_its_default() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    let text = fs::read_to_string(reg.join("nhi.yaml")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo().join("schema/policy.schema.json")).unwrap(),
    )
    .unwrap();
    for key in schema["properties"].as_object().unwrap().keys() {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{key}:"))),
            "nhi.yaml from nhi init lacks `{key}`"
        );
    }
    let loaded = nhi::load::load(&reg).unwrap().registry.policy;
    let default = nhi::model::Policy {
        organization: Some("Acme".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&loaded).unwrap(),
        serde_json::to_value(&default).unwrap(),
        "every value is the default"
    );
}

/// The `$schema` path of a written file, resolved from the file's folder, names an existing schema.
fn assert_schema_line_resolves(file: &Path) {
    let text = fs::read_to_string(file).unwrap();
    let line = text.lines().next().unwrap();
    let target = line
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("{}: no $schema line: {line}", file.display()));
    assert!(!target.contains("://"), "a path, not a URL: {target}");
    let resolved = file.parent().unwrap().join(target);
    assert!(
        resolved.is_file(),
        "{} does not resolve",
        resolved.display()
    );
}

#[test]
fn every_nhi_new_kind_passes_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    let mut written = Vec::new();
    let mut new = |args: Vec<String>| {
        let mut all = vec!["new".to_string()];
        all.extend(args);
        all.push(".".into());
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = run_in(&reg, &refs);
        assert!(out.status.success(), "{refs:?}: {}", stderr(&out));
        let text = stdout(&out);
        let path = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("wrote ")
            .unwrap()
            .to_string();
        written.push(reg.join(path));
    };
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    new(s(&[
        "team",
        "--id",
        "team-sec",
        "--name",
        "Security",
        "--email",
        "sec@example.com",
        "--slack",
        "#sec",
        "--lead",
        "sam",
        "--github",
        "@acme/sec",
        "--description",
        "Keeps \"secrets\": safe",
    ]));
    new(s(&[
        "person",
        "--id",
        "sam",
        "--name",
        "Sam O'Neil",
        "--email",
        "sam@example.com",
        "--team",
        "team-sec",
        "--github",
        "sam-o",
    ]));
    for (n, kind) in nhi::model::SystemType::ALL.iter().enumerate() {
        let c = nhi::model::Criticality::ALL[n % 4].to_string();
        let e = nhi::model::Environment::ALL[n % 5].to_string();
        new(s(&[
            "system",
            "--id",
            &format!("sys-{n}"),
            "--type",
            kind.as_str(),
            "--criticality",
            &c,
            "--environment",
            &e,
            "--owner",
            "team-sec",
            "--vendor",
            "acme: inc",
            "--url",
            "https://example.com/x",
            "--name",
            "A: B",
        ]));
    }
    for (n, kind) in nhi::model::IdentityType::ALL.iter().enumerate() {
        let level = nhi::model::Level::ALL[n % 3].to_string();
        new(s(&[
            "identity",
            "--id",
            &format!("id-{n}"),
            "--type",
            kind.as_str(),
            "--owner",
            "team-sec",
            "--system",
            "vault",
            "--level",
            &level,
            "--environment",
            "prod",
        ]));
    }
    let (_, json) = check_json(&reg);
    let schema: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema" || f["rule"] == "unknown-reference")
        .collect();
    assert!(schema.is_empty(), "{schema:#?}");
    for file in &written {
        assert_schema_line_resolves(file);
    }
    assert_eq!(written.len(), 2 + 9 + 8);
}

#[test]
fn nhi_new_refuses_what_the_schema_would_reject_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    let out = run_in(
        &reg,
        &["new", "person", "--id", "bo", "--github", "not a handle"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`github` must match"),
        "{}",
        stderr(&out)
    );
    assert!(!reg.join("owners/bo.yaml").exists());
    let out = run_in(&reg, &["new", "system", "--id", "x", "--type", "mainframe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: secret_store,"),
        "{}",
        stderr(&out)
    );
    let out = run_in(&reg, &["new", "team", "--id", "alex"]);
    assert_eq!(out.status.code(), Some(2), "owners share one id space");
}

#[test]
fn help_lists_the_values_of_every_enumerated_flag() {
    for (kind, flags) in [
        ("identity", &["--type", "--level", "--environment"][..]),
        ("system", &["--type", "--criticality", "--environment"][..]),
    ] {
        let out = nhi().args(["new", kind, "--help"]).output().unwrap();
        let help = stdout(&out);
        for flag in flags {
            let line = help
                .lines()
                .skip_while(|l| !l.trim_start().starts_with(flag))
                .take_while(|l| {
                    !l.trim_start().starts_with("--") || l.trim_start().starts_with(flag)
                })
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                line.contains("[possible values: "),
                "nhi new {kind} {flag}: {line}"
            );
        }
    }
}

#[test]
fn new_identity_asks_for_todos_only_when_it_wrote_some() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    let full = run_in(
        &reg,
        &[
            "new",
            "identity",
            "--id",
            "a",
            "--type",
            "api_key",
            "--owner",
            "team-platform",
            "--system",
            "vault",
            "--purpose",
            "Reads",
            "--reviewer",
            "alex",
        ],
    );
    let text = fs::read_to_string(reg.join("identities/a.yaml")).unwrap();
    assert!(!text.contains("TODO"), "{text}");
    assert!(!stdout(&full).contains("TODO"), "{}", stdout(&full));
    let bare = run_in(
        &reg,
        &[
            "new",
            "identity",
            "--id",
            "b",
            "--type",
            "api_key",
            "--owner",
            "team-platform",
        ],
    );
    assert!(fs::read_to_string(reg.join("identities/b.yaml"))
        .unwrap()
        .contains("TODO"));
    assert!(
        stdout(&bare).contains("fill in the TODOs"),
        "{}",
        stdout(&bare)
    );
}

#[test]
fn schema_write_puts_every_schema_beside_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("schema");
    let out = nhi()
        .arg("schema")
        .arg("--write")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    for entry in fs::read_dir(repo().join("schema")).unwrap() {
        let entry = entry.unwrap();
        let written = fs::read(dir.join(entry.file_name())).unwrap();
        assert_eq!(
            written,
            fs::read(entry.path()).unwrap(),
            "{:?}",
            entry.file_name()
        );
    }
    let again = nhi()
        .arg("schema")
        .arg("--write")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&again).matches("current ").count(),
        6,
        "{}",
        stdout(&again)
    );
}

#[test]
fn init_inside_a_repository_points_the_workflow_at_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join(".git")).unwrap();
    let out = run_in(tmp.path(), &["init", "infra/nhi"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let workflow = fs::read_to_string(tmp.path().join(".github/workflows/nhi.yml")).unwrap();
    assert!(workflow.contains("registry: infra/nhi\n"), "{workflow}");
    assert!(
        workflow.contains("nhi build infra/nhi -o site"),
        "{workflow}"
    );
    assert!(!tmp.path().join("infra/nhi/.github").exists());
    let policy = fs::read_to_string(tmp.path().join("infra/nhi/nhi.yaml")).unwrap();
    assert!(
        policy.contains("organization: \"nhi\""),
        "the directory's name by default"
    );
}

/// The commands of the README's "Your first registry", run as written by a shell with `nhi` on the path.
#[test]
fn the_readme_first_registry_commands_run_as_written() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("\n## Your first registry\n")
        .nth(1)
        .expect("a `## Your first registry` section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a sh block in the section");
    assert!(
        block.contains("nhi init") && block.contains("nhi build"),
        "{block}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_nhi")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .args(["-e", "-x", "-c", block])
        .current_dir(tmp.path())
        .env("PATH", path)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let site = tmp.path().join("my-registry/site");
    assert!(site.join("index.html").is_file());
    let identity = fs::read_to_string(site.join("identities/ci-deploy-token.html"));
    assert!(
        identity.is_ok(),
        "the new identity has its page: {:?}",
        fs::read_dir(&site).unwrap().count()
    );
}

#[test]
fn approvers_own_exceptions_and_the_policy_once_codeowners_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join(".git")).unwrap();
    let reg = init(tmp.path());
    let policy = fs::read_to_string(reg.join("nhi.yaml")).unwrap();
    fs::write(
        reg.join("nhi.yaml"),
        policy.replace("approvers: []", "approvers: [team-platform]"),
    )
    .unwrap();
    let team = fs::read_to_string(reg.join("owners/team-platform.yaml")).unwrap();
    fs::write(
        reg.join("owners/team-platform.yaml"),
        team + "github: \"@acme/platform\"\n",
    )
    .unwrap();
    let rules = |json: &serde_json::Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, json) = check_json(&reg);
    assert_eq!(
        rules(&json),
        ["codeowners-approvers", "codeowners-approvers"]
    );
    let out = run_in(&reg, &["codeowners", ".", "--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let codeowners = fs::read_to_string(tmp.path().join(".github/CODEOWNERS")).unwrap();
    assert!(
        codeowners.contains("/reg/exceptions/ @acme/platform\n/reg/nhi.yaml @acme/platform\n"),
        "{codeowners}"
    );
    let (code, json) = check_json(&reg);
    assert_eq!((code, rules(&json)), (0, Vec::<String>::new()));
}

/// The row of `item` in a framework table of the compliance page, as text.
fn compliance_row(page: &str, item: &str) -> String {
    let start = page
        .find(&format!("<span class=\"item-id\">{item}</span>"))
        .unwrap_or_else(|| panic!("no row for {item}"));
    // A row ends where the next begins, or with the table body (pages leave out `</tr>`).
    let end = ["<tr", "</tbody>"]
        .iter()
        .filter_map(|t| page[start..].find(t))
        .min()
        .unwrap()
        + start;
    page[start..end].to_string()
}

/// The article of `rule` on the compliance page.
fn rule_article(page: &str, rule: &str) -> String {
    let start = page.find(&format!("id=\"rule-{rule}\"")).unwrap();
    let end = page[start..].find("</article>").unwrap() + start;
    page[start..end].to_string()
}

#[test]
fn the_compliance_page_never_calls_a_rule_that_did_not_run_passing() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    let policy = fs::read_to_string(reg.join("nhi.yaml")).unwrap();
    fs::write(
        reg.join("nhi.yaml"),
        policy.replace("rules: {}", "rules: {owner-is-person: off}"),
    )
    .unwrap();
    // Used by a person (human-use), waived by an exception in force: NHI10 has only a waived finding.
    fs::write(
        reg.join("identities/shared-key.yaml"),
        "kind: Identity\nid: shared-key\ntype: api_key\nowner: team-platform\npurpose: Reports\nenvironment: prod\nstatus: active\ncredential: {kind: static, created: 2026-11-01, stores: [vault]}\nused_by: [alex]\nreview: {last: 2026-11-01, by: alex}\n",
    )
    .unwrap();
    fs::write(
        reg.join("owners/sam.yaml"),
        "kind: Person\nid: sam\nteam: team-sec\n---\nkind: Team\nid: team-sec\n",
    )
    .unwrap();
    fs::write(
        reg.join("exceptions/exc-1.yaml"),
        "kind: Exception\nid: exc-1\nrule: human-use\nidentities: [shared-key]\nreason: Until the reporting account exists\nrequested_by: alex\napproved_by: sam\napproved_on: 2026-11-01\nexpires: 2026-12-31\n",
    )
    .unwrap();
    let out = run_in(
        tmp.path(),
        &["build", "reg", "-o", "site", "--as-of", "2026-11-23"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let page = fs::read_to_string(tmp.path().join("site/compliance.html")).unwrap();
    let nhi10 = compliance_row(&page, "NHI10");
    assert!(
        nhi10.contains(">waived</span>"),
        "only waived findings: {nhi10}"
    );
    assert!(!nhi10.contains(">pass</span>"), "{nhi10}");
    for (rule, why) in [
        ("dormant", "records `last_used`"),
        ("owner-is-person", "turned off"),
        ("stale", "no drift report"),
        ("review-not-independent", "review_by_owner: false"),
    ] {
        let article = rule_article(&page, rule);
        assert!(article.contains("Not evaluated"), "{rule}: {article}");
        assert!(article.contains(why), "{rule}: {article}");
        assert!(!article.contains("passing"), "{rule}: {article}");
    }
    let used = rule_article(&page, "human-use");
    assert!(
        used.contains("1 waived") && !used.contains("Not evaluated"),
        "{used}"
    );
}

#[test]
fn pages_say_when_things_fall_due_and_where_leavers_still_stand() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = init(tmp.path());
    fs::write(
        reg.join("owners/lee.yaml"),
        "kind: Person\nid: lee\nteam: team-platform\nactive: false\nleft_on: 2026-10-01\n",
    )
    .unwrap();
    fs::write(
        reg.join("identities/old-key.yaml"),
        "kind: Identity\nid: old-key\ntype: api_key\nowner: team-platform\ncontact: lee\npurpose: Reports\nenvironment: prod\nstatus: active\ncredential: {kind: static, created: 2026-08-01, stores: [vault]}\nreview: {last: 2026-09-01, by: lee}\n",
    )
    .unwrap();
    let out = run_in(
        tmp.path(),
        &["build", "reg", "-o", "site", "--as-of", "2026-11-23"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let page = fs::read_to_string(tmp.path().join("site/identities/old-key.html")).unwrap();
    // api_key: 90 days from 2026-08-01 is 2026-10-30, 24 days ago; no access, so a review every 180 days.
    assert!(
        page.contains(
            "Rotation due<dd>2026-10-30 <span class=\"badge sev-error\">overdue by 24 days</span>"
        ),
        "{page}"
    );
    assert!(
        page.contains("Next review due<dd>2027-02-28 <small>(in 97 days)</small>"),
        "{page}"
    );
    let person = fs::read_to_string(tmp.path().join("site/owners/lee.html")).unwrap();
    let action_end = person.find("id=\"h-details\"").unwrap();
    let action = &person[person.find("id=\"h-action\"").unwrap()..action_end];
    assert!(
        action.contains("contact-left") && action.contains("reviewer-left"),
        "{action}"
    );
    assert!(action.contains("old-key"), "{action}");
}
