//! The pull-request loop end to end, in real git repositories: `nhi diff`, `nhi check --changed-from`,
//! `nhi codeowners` and `nhi new identity`. The base registry is `tests/pr/registry`, committed under `reg/`.

use std::process::Output;

use serde_json::Value;

use crate::common::{repo as root, rows, stderr, stdout, AS_OF};
use crate::history::History;

/// A git repository holding the test registry at `reg/`, committed.
fn repo() -> History {
    History::of(&root().join("tests/pr/registry"))
}

fn json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x[field].as_str().unwrap_or("").to_string())
        .collect()
}

const NEW_ADMIN: &str = "kind: Identity
id: new-admin
type: service_account
owner: team-platform
purpose: Runs the break-glass automation
environment: prod
status: active
credential:
  kind: static
  created: 2026-11-20
  stores: [vault]
access:
  - system: aws-prod
    level: admin
    justification: Recreates IAM roles during incidents
  - system: vault
    level: admin
    justification: Unseals vault during incidents
review:
  last: 2026-11-20
  by: bob
";

/// The change every diff test makes: add an admin identity on two critical systems, remove an API key,
/// widen the deployer's access, and rotate the old bot's key.
fn typical_change(repo: &History) {
    repo.write("identities/new-admin.yaml", NEW_ADMIN);
    repo.remove("identities/report-key.yaml");
    repo.edit(
        "identities/deployer.yaml",
        "  - system: aws-prod\n    level: write\n  - system: db\n    level: read\n",
        "  - system: aws-prod\n    level: admin\n    justification: Terraform manages IAM\n  - system: db\n    level: write\n  - system: wiki\n    level: read\n",
    );
    repo.edit(
        "identities/old-bot.yaml",
        "  created: 2025-01-01\n",
        "  created: 2025-01-01\n  last_rotated: 2026-11-01\n",
    );
}

#[test]
fn diff_json_lists_exactly_the_changes() {
    let repo = repo();
    typical_change(&repo);
    let d = json(&repo.nhi(&[
        "diff", "--base", "main", "reg", "--as-of", AS_OF, "--format", "json",
    ]));

    assert_eq!(d["base_exists"], true);
    assert_eq!(strings(&d["identities"]["added"], "id"), ["new-admin"]);
    assert_eq!(strings(&d["identities"]["removed"], "id"), ["report-key"]);
    assert_eq!(
        strings(&d["identities"]["changed"], "id"),
        ["ci-deployer", "old-bot"]
    );

    let deployer: Vec<(String, Value, Value)> = d["identities"]["changed"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["before"].clone(),
                f["after"].clone(),
            )
        })
        .collect();
    let expected = [
        (
            "access.aws-prod.justification",
            Value::Null,
            Value::from("Terraform manages IAM"),
        ),
        (
            "access.aws-prod.level",
            Value::from("write"),
            Value::from("admin"),
        ),
        ("access.db.level", Value::from("read"), Value::from("write")),
        ("access.wiki.level", Value::Null, Value::from("read")),
    ];
    let expected: Vec<(String, Value, Value)> = expected
        .into_iter()
        .map(|(f, b, a)| (f.to_string(), b, a))
        .collect();
    assert_eq!(deployer, expected);
    let rotation = &d["identities"]["changed"][1]["fields"];
    assert_eq!(rotation.as_array().unwrap().len(), 1);
    assert_eq!(rotation[0]["field"], "credential.last_rotated");
    assert_eq!(rotation[0]["before"], Value::Null);
    assert_eq!(rotation[0]["after"], "2026-11-01");

    // Admin first, critical before high before low; within that, by identity and system.
    let gained = rows(
        &d["access"]["gained"],
        "{identity} {system} {before}->{after}",
    );
    assert_eq!(
        gained,
        [
            "ci-deployer aws-prod write->admin",
            "new-admin aws-prod null->admin",
            "new-admin vault null->admin",
            "ci-deployer db read->write",
            "ci-deployer wiki null->read",
        ]
    );
    let lost = rows(
        &d["access"]["lost"],
        "{identity} {system} {before}->{after}",
    );
    assert_eq!(lost, ["report-key db read->null"]);

    let introduced = rows(&d["findings"]["introduced"], "{rule} {id}");
    assert_eq!(introduced, ["prefer-short-lived new-admin"]);
    let fixed = rows(&d["findings"]["fixed"], "{rule} {id}");
    assert_eq!(fixed, ["rotation-overdue old-bot"]);

    let blast = rows(
        &d["blast_radius"],
        "{identity} {before/systems} {after/systems}",
    );
    // new-admin holds admin on vault, a secret store, so it picks up old-bot's credential and its wiki write:
    // aws-prod, vault and wiki.
    assert_eq!(
        blast,
        [
            "new-admin null 3",
            "report-key 1 null",
            "ci-deployer 2 3",
            "old-bot 1 1"
        ]
    );
    assert_eq!(d["blast_radius"][2]["before"]["score"], 15);
    assert_eq!(d["blast_radius"][2]["after"]["score"], 16);

    assert_eq!(
        d["headline"],
        "adds 1 service account with admin on 2 critical systems; removes 1 API key; \
         grants admin to ci-deployer on 1 critical system; changes 2 identities; \
         blast radius of ci-deployer grows from 2 to 3 systems; introduces 1 notice; fixes 1 finding"
    );
}

/// The base side takes the work tree's parse of the files a change leaves alone: it must be the registry
/// a full read of the base revision gives, findings and their lines included.
#[test]
fn the_base_side_equals_a_full_read_of_the_base_revision() {
    let repo = repo();
    typical_change(&repo);
    let as_of = nhi::day::parse(AS_OF).unwrap();
    let sides = nhi::diff::sides::check(&repo.reg(), "main", as_of).expect("both sides check");
    let base = sides.base.expect("the base has a registry");
    let git = nhi::git::Repo::discover(&repo.reg()).unwrap();
    let files = git.registry_files_at("main").unwrap();
    let full = nhi::check_files("main:reg/", files, as_of).unwrap();
    let findings = |c: &nhi::Checked| -> Vec<String> {
        c.findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}:{}:{} {}",
                    f.rule.as_str(),
                    f.subject.id,
                    f.file,
                    f.pos.line,
                    f.pos.column,
                    f.message
                )
            })
            .collect()
    };
    assert!(
        !findings(&full).is_empty(),
        "the base registry has findings to compare"
    );
    assert_eq!(findings(&base), findings(&full));
    let ids = |c: &nhi::Checked| -> Vec<String> {
        c.registry
            .identities
            .iter()
            .map(|d| format!("{} {}", d.item.id, d.source.file))
            .collect()
    };
    assert_eq!(ids(&base), ids(&full));
    assert_ne!(
        ids(&sides.head),
        ids(&full),
        "the work tree differs from the base"
    );
}

#[test]
fn diff_markdown_shows_every_section_with_repository_paths() {
    let repo = repo();
    typical_change(&repo);
    let out = repo.nhi(&["diff", "--base", "HEAD", "reg", "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("## nhi diff against `HEAD`\n\n**adds 1 service account with admin on 2 critical systems;"), "{md}");
    assert!(
        md.contains("blast radius of `ci-deployer` grows from 2 to 3 systems"),
        "{md}"
    );
    for heading in [
        "### Identities added (1)",
        "### Identities removed (1)",
        "### Identities changed (2)",
        "### Access gained (5)",
        "### Access lost (1)",
        "### Blast radius (4)",
        "### Findings introduced (1)",
        "### Findings fixed (1)",
    ] {
        assert!(md.contains(heading), "missing {heading}:\n{md}");
    }
    assert!(
        md.contains("| `new-admin` | `aws-prod` | **critical** | — | **admin** |"),
        "{md}"
    );
    assert!(
        md.contains("| `ci-deployer` | `access.db.level` | `read` | `write` |"),
        "{md}"
    );
    assert!(
        md.contains("| `old-bot` | `credential.last_rotated` | — | `2026-11-01` |"),
        "{md}"
    );
    assert!(
        md.contains("| `ci-deployer` | 2 → 3 | 1 | 15 → 16 | grows (+1) |"),
        "{md}"
    );
    assert!(
        md.contains("`reg/identities/new-admin.yaml`"),
        "paths are relative to the repository:\n{md}"
    );
    assert!(
        !md.contains("Findings now waived"),
        "empty sections are left out:\n{md}"
    );
}

#[test]
fn diff_escapes_registry_values_in_markdown() {
    let repo = repo();
    let hostile = NEW_ADMIN.replace(
        "purpose: Runs the break-glass automation",
        "purpose: \"<img src=x onerror=alert(1)> [click](https://evil.example) @acme/everyone | `code`\"",
    );
    repo.write("identities/new-admin.yaml", &hostile);
    let md = stdout(&repo.nhi(&["diff", "--base", "HEAD", "reg", "--as-of", AS_OF]));
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img"), "{md}");
    assert!(!md.contains("[click](https"), "{md}");
    assert!(
        !md.contains("@acme/everyone"),
        "a mention in a value must not notify:\n{md}"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with("| `new-admin` | `service_account`"))
        .expect("added row");
    assert_eq!(
        row.matches(" | ").count() + 1,
        7,
        "a `|` in a value must not add a column: {row}"
    );
}

#[test]
fn diff_reports_reach_that_changes_through_the_graph() {
    let repo = repo();
    repo.edit(
        "systems/systems.yaml",
        "criticality: low",
        "criticality: high",
    );
    let d = json(&repo.nhi(&[
        "diff", "--base", "HEAD", "reg", "--as-of", AS_OF, "--format", "json",
    ]));
    assert!(d["identities"]["changed"].as_array().unwrap().is_empty());
    let blast = rows(
        &d["blast_radius"],
        "{identity} {before/score}->{after/score} {indirect}",
    );
    assert_eq!(blast, ["legacy-token 1->5 true", "old-bot 1->5 true"]);
    assert_eq!(d["headline"], "blast radius score of legacy-token grows from 1 to 5, blast radius score of old-bot grows from 1 to 5");
}

#[test]
fn diff_compares_findings_by_place_not_message() {
    let repo = repo();
    // A later creation date changes the message of the overdue rotation (its dates), not the finding.
    repo.edit(
        "identities/old-bot.yaml",
        "  created: 2025-01-01\n",
        "  created: 2025-02-01\n",
    );
    let d = json(&repo.nhi(&[
        "diff", "--base", "HEAD", "reg", "--as-of", AS_OF, "--format", "json",
    ]));
    assert_eq!(strings(&d["identities"]["changed"], "id"), ["old-bot"]);
    assert!(
        d["findings"]["introduced"].as_array().unwrap().is_empty(),
        "{}",
        d["findings"]
    );
    assert!(
        d["findings"]["fixed"].as_array().unwrap().is_empty(),
        "{}",
        d["findings"]
    );
    assert_eq!(d["headline"], "changes 1 identity");
}

#[test]
fn diff_of_an_unchanged_registry_says_so() {
    let repo = repo();
    let d = json(&repo.nhi(&[
        "diff", "--base", "HEAD", "reg", "--as-of", AS_OF, "--format", "json",
    ]));
    assert_eq!(d["headline"], "no change to identities, access or findings");
    assert!(d["blast_radius"].as_array().unwrap().is_empty());
}

#[test]
fn diff_against_a_revision_without_the_registry_adds_everything() {
    let repo = repo();
    std::fs::write(repo.path().join("README"), "x").unwrap();
    repo.git(&["mv", "reg", "registry"]);
    repo.save("rename");
    let d = json(&repo.nhi(&[
        "diff", "--base", "HEAD~1", "registry", "--as-of", AS_OF, "--format", "json",
    ]));
    assert_eq!(d["base_exists"], false);
    assert_eq!(
        strings(&d["identities"]["added"], "id"),
        ["ci-deployer", "legacy-token", "old-bot", "report-key"]
    );
}

#[test]
fn diff_refuses_an_unknown_revision_and_an_option_as_revision() {
    let repo = repo();
    for rev in ["no-such-branch", "--output=/tmp/x"] {
        let out = repo.nhi(&["diff", &format!("--base={rev}"), "reg"]);
        assert_eq!(out.status.code(), Some(2), "{rev}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("is not a revision"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn changed_from_annotates_changed_files_first() {
    let repo = repo();
    // An error in a committed file and one in a changed file, and one in a new file not yet added.
    repo.edit(
        "identities/report-key.yaml",
        "review:\n  last: 2026-11-01\n  by: alice\n",
        "",
    );
    repo.write(
        "identities/zz-new.yaml",
        &NEW_ADMIN
            .replace("new-admin", "zz-new")
            .replace("    justification: Unseals vault during incidents\n", ""),
    );
    let files = |args: &[&str]| -> Vec<String> {
        let out = repo.nhi(args);
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("::error"))
            .map(|l| {
                l.split(',')
                    .next()
                    .unwrap()
                    .trim_start_matches("::error file=")
                    .to_string()
            })
            .collect()
    };
    let base = ["check", "reg", "--as-of", AS_OF, "--format", "github"];
    assert_eq!(
        files(&base),
        [
            "reg/identities/old-bot.yaml",
            "reg/identities/report-key.yaml",
            "reg/identities/zz-new.yaml"
        ]
    );
    let changed = [&base[..], &["--changed-from", "HEAD"]].concat();
    assert_eq!(
        files(&changed),
        [
            "reg/identities/report-key.yaml",
            "reg/identities/zz-new.yaml",
            "reg/identities/old-bot.yaml"
        ]
    );
}

#[test]
fn codeowners_maps_files_to_owner_handles() {
    let repo = repo();
    let out = repo.nhi(&["codeowners", "reg"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = "\
# BEGIN nhi codeowners: generated by `nhi codeowners` from the registry; do not edit
/reg/identities/deployer.yaml @acme/platform
/reg/identities/legacy\\ tokens.yaml @alice-gh
/reg/identities/report-key.yaml @acme/data
# Identities without a GitHub handle to require (add `github` to the owning Team or Person):
#   reg/identities/old-bot.yaml: old-bot (team team-nohandle has no github)
# END nhi codeowners
";
    assert_eq!(stdout(&out), expected);
}

#[test]
fn codeowners_check_fails_on_a_stale_file_and_write_keeps_other_rules() {
    let repo = repo();
    let codeowners = repo.path().join(".github/CODEOWNERS");
    std::fs::create_dir_all(codeowners.parent().unwrap()).unwrap();
    std::fs::write(&codeowners, "* @acme/admins\n").unwrap();

    let out = repo.nhi(&["codeowners", "reg", "--check"]);
    assert_eq!(out.status.code(), Some(1), "no block yet: {}", stdout(&out));

    let out = repo.nhi(&["codeowners", "reg", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&codeowners).unwrap();
    assert!(
        written.starts_with("* @acme/admins\n\n# BEGIN nhi codeowners"),
        "{written}"
    );
    let out = repo.nhi(&["codeowners", "reg", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    repo.edit(
        "identities/report-key.yaml",
        "owner: team-data",
        "owner: team-platform",
    );
    let out = repo.nhi(&[
        "codeowners",
        "reg",
        "--check",
        "--file",
        ".github/CODEOWNERS",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("- /reg/identities/report-key.yaml @acme/data\n"),
        "{text}"
    );
    assert!(
        text.contains("+ /reg/identities/report-key.yaml @acme/platform\n"),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("- ") || l.starts_with("+ "))
            .count(),
        2,
        "{text}"
    );

    let out = repo.nhi(&["codeowners", "reg", "--write"]);
    assert_eq!(out.status.code(), Some(0));
    let rewritten = std::fs::read_to_string(&codeowners).unwrap();
    assert!(
        rewritten.starts_with("* @acme/admins\n\n# BEGIN"),
        "{rewritten}"
    );
    assert_eq!(
        rewritten.matches("# BEGIN nhi codeowners").count(),
        1,
        "{rewritten}"
    );
    assert_eq!(
        repo.nhi(&["codeowners", "reg", "--check"]).status.code(),
        Some(1 - 1)
    );
}

fn new_identity(repo: &History, id: &str, kind: &str) -> Output {
    repo.nhi(&[
        "new",
        "identity",
        "reg",
        &format!("--id={id}"),
        "--type",
        kind,
        "--owner",
        "team-platform",
        "--system",
        "aws-prod",
        "--as-of",
        AS_OF,
        "--purpose",
        "Line one\nline: two \"quoted\"",
    ])
}

#[test]
fn new_identity_writes_a_schema_valid_skeleton_for_every_type() {
    let repo = repo();
    let types = [
        "service_account",
        "api_key",
        "oauth_app",
        "token",
        "certificate",
        "ssh_key",
        "bot",
        "workload",
    ];
    for kind in types {
        let id = format!("new-{}", kind.replace('_', "-"));
        let out = new_identity(&repo, &id, kind);
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        let text = repo.read(&format!("identities/{id}.yaml"));
        // No schema files in the repository: no `$schema` line (a URL that does not resolve helps nobody).
        assert!(text.starts_with("kind: Identity\n"), "{text}");
        assert!(text.contains(&format!("\ntype: {kind}\n")), "{text}");
        assert!(text.contains("  created: 2026-11-23\n"), "{text}");
    }
    let cert = repo.read("identities/new-certificate.yaml");
    assert!(cert.contains("  kind: certificate\n  created: 2026-11-23\n  expires: 2027-11-23\n  stores: [vault]\n"), "{cert}");
    let workload = repo.read("identities/new-workload.yaml");
    assert!(workload.contains("  kind: federated"), "{workload}");
    assert!(workload.contains("spiffe_id: \"spiffe://"), "{workload}");
    assert!(!workload.contains("stores"), "{workload}");
    let key = repo.read("identities/new-api-key.yaml");
    assert!(
        key.contains("  kind: static\n") && key.contains("  stores: [vault]\n"),
        "{key}"
    );

    let out = repo.nhi(&["check", "reg", "--as-of", AS_OF, "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.is_empty(), "schema findings on {ids:?}");
    assert_eq!(report["summary"]["identities"], 4 + types.len());
    let purpose = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "secret-in-registry");
    assert!(!purpose, "no secret-in-registry finding on the skeletons");
}

#[test]
fn new_identity_finds_the_schema_folder_by_relative_path() {
    let repo = repo();
    std::fs::create_dir_all(repo.path().join("schema")).unwrap();
    std::fs::write(repo.path().join("schema/identity.schema.json"), "{}").unwrap();
    assert_eq!(new_identity(&repo, "svc", "bot").status.code(), Some(0));
    assert!(repo
        .read("identities/svc.yaml")
        .starts_with("# yaml-language-server: $schema=../../schema/identity.schema.json\n"));
}

#[test]
fn new_identity_refuses_existing_ids_bad_ids_and_overwrites() {
    let repo = repo();
    // An id that exists in another file.
    let out = new_identity(&repo, "ci-deployer", "bot");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already exists in identities/deployer.yaml"),
        "{}",
        stderr(&out)
    );
    assert!(!repo.reg().join("identities/ci-deployer.yaml").exists());
    // Ids that do not match the pattern, including a path.
    for bad in ["Bad", "-x", "../escape", "a/b", ""] {
        let out = new_identity(&repo, bad, "bot");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            stderr(&out).contains("is not a valid id"),
            "{bad:?}: {}",
            stderr(&out)
        );
    }
    // A file of that name that holds another id is never overwritten.
    repo.write("identities/taken.yaml", "# hand-written\n");
    let out = new_identity(&repo, "taken", "bot");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("never overwrites"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.read("identities/taken.yaml"), "# hand-written\n");
}

#[test]
fn a_change_cannot_slip_a_document_past_the_gate() {
    let repo = repo();
    // An identity in a misspelt folder, a YAML file of no known kind beside the registry, and a workflow.
    repo.write(
        "identity/new-admin.yaml",
        &NEW_ADMIN.replace("new-admin", "sneaky"),
    );
    repo.write("notes/todo.yml", "kind: Identiy\nid: typo\n");
    repo.write(".github/workflows/x.yml", "on: push\n");
    let lines = |args: &[&str]| -> Vec<String> {
        let out = repo.nhi(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "the misplaced identity fails the gate"
        );
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "misplaced-document" || f["rule"] == "not-read")
            .map(|f| {
                format!(
                    "{} {}:{}",
                    f["rule"].as_str().unwrap(),
                    f["file"].as_str().unwrap(),
                    f["line"]
                )
            })
            .collect()
    };
    let base = ["check", "reg", "--as-of", AS_OF, "--format", "json"];
    assert_eq!(
        lines(&base),
        ["misplaced-document identity/new-admin.yaml:1"]
    );
    let changed = [&base[..], &["--changed-from", "HEAD"]].concat();
    assert_eq!(
        lines(&changed),
        [
            "misplaced-document identity/new-admin.yaml:1",
            "not-read notes/todo.yml:1"
        ]
    );
    let out = repo.nhi(&[
        "check",
        "reg",
        "--as-of",
        AS_OF,
        "--format",
        "github",
        "--changed-from",
        "HEAD",
    ]);
    assert!(
        stdout(&out).contains("::warning file=reg/notes/todo.yml,line=1,col=1,title=not-read::"),
        "{}",
        stdout(&out)
    );
    // The pull request's diff reports both as findings it introduces, committed or not.
    repo.git(&["checkout", "-q", "-b", "pr"]);
    repo.save("a sneaky change");
    let out = repo.nhi(&[
        "diff", "--base", "main", "reg", "--as-of", AS_OF, "--format", "json",
    ]);
    let diff = json(&out);
    let mut introduced = rows(&diff["findings"]["introduced"], "{rule} {file}");
    introduced.retain(|l| l.starts_with("misplaced") || l.starts_with("not-read"));
    assert_eq!(
        introduced,
        [
            "misplaced-document identity/new-admin.yaml",
            "not-read notes/todo.yml"
        ],
        "{diff:#}"
    );
}
