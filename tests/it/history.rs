//! The registry over time, in real git repositories whose commits have scripted authors and dates:
//! `nhi check --rev/--at` and `nhi build --rev` equal the same command on a checkout, each point of
//! `nhi trend` equals `nhi check --as-of DAY` on a checkout of the commit in force that day, and a shallow
//! clone is refused with how to fetch the history.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{copy_dir, nhi};

/// The example registry's people, as commit authors.
pub const AMARA: (&str, &str) = ("Amara Okafor", "amara@northwind.example");
pub const JONAS: (&str, &str) = ("Jonas Weber", "jonas@northwind.example");
pub const LENA: (&str, &str) = ("Lena Fischer", "lena@northwind.example");
pub const YUKI: (&str, &str) = ("Yuki Sato", "yuki.sato@northwind.example");
pub const CAROL: (&str, &str) = ("Carol Nguyen", "carol.nguyen@northwind.example");

/// A temporary repository holding the example registry under `reg/`, with scripted commits.
pub struct History {
    pub dir: tempfile::TempDir,
}

impl History {
    /// An empty repository.
    pub fn new() -> History {
        let h = History {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        h.git(&["init", "-q", "-b", "main"]);
        h.git(&["config", "user.name", "Test"]);
        h.git(&["config", "user.email", "test@example.com"]);
        h.git(&["config", "commit.gpgsign", "false"]);
        h
    }

    /// A repository holding the registry at `from` committed under `reg/`.
    pub fn of(from: &Path) -> History {
        let h = History::new();
        copy_dir(from, &h.reg());
        h.save("base registry");
        h
    }

    /// The repository with the example registry committed on 2026-01-10 by Amara, then the three changes
    /// of [`History::script`].
    pub fn example() -> History {
        let h = History::new();
        copy_dir(&crate::common::repo().join("registry"), &h.reg());
        h.commit(AMARA, "2026-01-10T09:00:00Z", "Registry");
        h.script();
        h
    }

    /// Three scripted changes: a rotation (Feb), a new exception and a team edit (Apr), a removal (Jun).
    pub fn script(&self) {
        let key = "identities/payments/payments-stripe-secret-key.yaml";
        self.edit(key, "last_rotated: 2026-10-12", "last_rotated: 2026-02-01");
        self.commit(JONAS, "2026-02-03T17:30:00Z", "Rotate the Stripe key (#12)");
        self.edit(
            "owners/teams.yaml",
            "name: Platform Engineering",
            "name: Platform",
        );
        self.commit(
            LENA,
            "2026-04-14T08:00:00+02:00",
            "Rename the platform team (#15)",
        );
        std::fs::remove_file(self.reg().join("identities/pagerduty-events-key.yaml")).expect("rm");
        self.commit(
            LENA,
            "2026-06-20T23:30:00-02:00",
            "Retire the PagerDuty key",
        );
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn reg(&self) -> PathBuf {
        self.path().join("reg")
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    /// Commits everything as the configured test user, now.
    pub fn save(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Commits everything as `(author, email)` with author and committer date `date`.
    pub fn commit(&self, (author, email): (&str, &str), date: &str, message: &str) {
        self.git(&["add", "-A"]);
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", author)
            .env("GIT_COMMITTER_EMAIL", email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Replaces `from` by `to` in the registry file `rel` (which must hold it).
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} holds {from}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.reg().join(rel)).expect("read")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.reg().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.reg().join(rel)).expect("remove");
    }

    /// Runs `nhi ARGS` in the repository.
    pub fn nhi(&self, args: &[&str]) -> Output {
        run_in(self.path(), args)
    }

    /// A checkout of `rev` in a new directory (a clone, so it shares nothing with this work tree).
    pub fn checkout(&self, rev: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("file://{}", self.path().display());
        git_in(dir.path(), &["clone", "-q", &url, "."]);
        git_in(dir.path(), &["checkout", "-q", "--detach", rev]);
        dir
    }
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    nhi()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("nhi runs")
}

/// `nhi trend reg --since 2026-01-01 --as-of 2026-07-15 EXTRA` in the repository.
fn trend_of(h: &History, extra: &[&str]) -> Output {
    let mut args = vec![
        "trend",
        "reg",
        "--since",
        "2026-01-01",
        "--as-of",
        "2026-07-15",
    ];
    args.extend_from_slice(extra);
    run_in(h.path(), &args)
}

/// Runs `nhi build reg ARGS -o SITE` in `dir`, which must succeed.
fn build(dir: &Path, site: &Path, args: &[&str]) {
    let site = site.to_str().expect("utf-8");
    succeed(dir, &[&["build", "reg"], args, &["-o", site]].concat());
}

/// Runs `nhi ARGS` in `dir`, which must succeed.
fn succeed(dir: &Path, args: &[&str]) {
    let out = run_in(dir, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    })
}

#[test]
fn check_at_a_revision_equals_a_checkout_of_it() {
    let h = History::example();
    for (rev, as_of) in [
        ("HEAD~3", "2026-01-15"),
        ("HEAD~1", "2026-05-01"),
        ("HEAD", "2026-11-23"),
    ] {
        let commit = h.git(&["rev-parse", rev]).trim().to_string();
        for format in ["json", "human", "github"] {
            let from_git = run_in(
                h.path(),
                &[
                    "check", "reg", "--rev", rev, "--as-of", as_of, "--format", format, "--color",
                    "never",
                ],
            );
            let checkout = h.checkout(&commit);
            let on_disk = run_in(
                checkout.path(),
                &[
                    "check", "reg", "--as-of", as_of, "--format", format, "--color", "never",
                ],
            );
            assert_eq!(
                from_git.status.code(),
                on_disk.status.code(),
                "{rev} {format}"
            );
            assert_eq!(
                String::from_utf8_lossy(&from_git.stdout),
                String::from_utf8_lossy(&on_disk.stdout),
                "{rev} {format}"
            );
        }
    }
    // The revisions differ: the check does read each one.
    let first = json(&run_in(
        h.path(),
        &[
            "check",
            "reg",
            "--rev",
            "HEAD~3",
            "--as-of",
            "2026-11-23",
            "--format",
            "json",
        ],
    ));
    let last = json(&run_in(
        h.path(),
        &[
            "check",
            "reg",
            "--rev",
            "HEAD",
            "--as-of",
            "2026-11-23",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        first["summary"]["identities"].as_u64().expect("count"),
        last["summary"]["identities"].as_u64().expect("count") + 1
    );
}

#[test]
fn check_at_a_day_reads_the_commit_in_force_and_judges_as_of_that_day() {
    let h = History::example();
    // 2026-04-14T08:00+02:00 is 06:00 UTC on the 14th; 2026-06-20T23:30-02:00 is the 21st in UTC.
    for (day, rev) in [
        ("2026-04-13", "HEAD~2"),
        ("2026-04-14", "HEAD~1"),
        ("2026-06-20", "HEAD~1"),
        ("2026-06-21", "HEAD"),
    ] {
        let commit = h.git(&["rev-parse", rev]).trim().to_string();
        let at = run_in(h.path(), &["check", "reg", "--at", day, "--format", "json"]);
        let checkout = h.checkout(&commit);
        let on_disk = run_in(
            checkout.path(),
            &["check", "reg", "--as-of", day, "--format", "json"],
        );
        assert_eq!(json(&at), json(&on_disk), "{day}");
        assert_eq!(json(&at)["as_of"], day);
    }
    // --as-of still wins the day when given.
    let at = json(&run_in(
        h.path(),
        &[
            "check",
            "reg",
            "--at",
            "2026-02-10",
            "--as-of",
            "2026-11-23",
            "--format",
            "json",
        ],
    ));
    assert_eq!(at["as_of"], "2026-11-23");
    // Before the first commit there is nothing to read.
    let before = run_in(h.path(), &["check", "reg", "--at", "2025-12-31"]);
    assert_eq!(before.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&before.stderr).contains("2026-01-10"));
}

#[test]
fn build_at_a_revision_equals_a_build_of_a_checkout() {
    let h = History::example();
    let commit = h.git(&["rev-parse", "HEAD~2"]).trim().to_string();
    let out = tempfile::tempdir().expect("temp dir");
    let from_git = out.path().join("a");
    build(
        h.path(),
        &from_git,
        &["--rev", "HEAD~2", "--as-of", "2026-11-23"],
    );
    let checkout = h.checkout(&commit);
    let on_disk = out.path().join("b");
    build(checkout.path(), &on_disk, &["--as-of", "2026-11-23"]);
    let a = std::fs::read_to_string(from_git.join("manifest.json")).expect("manifest");
    let b = std::fs::read_to_string(on_disk.join("manifest.json")).expect("manifest");
    assert_eq!(a, b);
    assert!(a.contains(&commit), "the site names the revision it shows");
}

#[test]
fn each_trend_point_equals_a_check_of_the_commit_in_force_that_day() {
    let h = History::example();
    let out = trend_of(&h, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trend = json(&out);
    assert_eq!(trend["before_registry"], serde_json::json!(["2026-01-01"]));
    let points = trend["points"].as_array().expect("points");
    let dates: Vec<&str> = points
        .iter()
        .map(|p| p["date"].as_str().expect("date"))
        .collect();
    assert_eq!(
        dates,
        [
            "2026-02-01",
            "2026-03-01",
            "2026-04-01",
            "2026-05-01",
            "2026-06-01",
            "2026-07-01",
            "2026-07-15"
        ]
    );
    let mut commits = std::collections::BTreeSet::new();
    for p in points {
        let day = p["date"].as_str().expect("date");
        let commit = p["commit"].as_str().expect("commit");
        commits.insert(commit.to_string());
        let checkout = h.checkout(commit);
        let check = json(&run_in(
            checkout.path(),
            &["check", "reg", "--as-of", day, "--format", "json"],
        ));
        assert_eq!(p["summary"], check["summary"], "{day}");
        let mut by_rule = serde_json::Map::new();
        for f in check["findings"].as_array().expect("findings") {
            let rule = f["rule"].as_str().expect("rule");
            let entry = by_rule
                .entry(rule)
                .or_insert(serde_json::json!({"open": 0, "waived": 0}));
            let key = if f["waived_by"].is_null() {
                "open"
            } else {
                "waived"
            };
            entry[key] = (entry[key].as_u64().expect("n") + 1).into();
        }
        assert_eq!(p["by_rule"], Value::Object(by_rule), "{day}");
        let rates = &p["rates"];
        for rate in [
            "rotated_on_time",
            "reviewed_on_time",
            "owned_by_active_team",
            "exceptions_in_force",
        ] {
            let (met, of) = (
                rates[rate]["met"].as_u64().expect("met"),
                rates[rate]["of"].as_u64().expect("of"),
            );
            assert!(met <= of && of > 0, "{day} {rate}: {met}/{of}");
        }
    }
    // February's point reads the rotation of 2026-02-03 (commit #2); the last reads the last commit.
    assert_eq!(commits.len(), 4);
    let head = h.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(points.last().expect("last")["commit"], head.as_str());
    // The same samples as CSV and Markdown.
    let csv = trend_of(&h, &["--format", "csv"]);
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert_eq!(csv.lines().count(), 1 + points.len());
    assert!(csv.starts_with("date,commit,errors,"));
    let md = trend_of(&h, &["--every", "week", "--format", "markdown"]);
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    assert!(
        md.contains("| 2026-07-15 |") && md.contains("| 2026-07-09 |"),
        "{md}"
    );
}

#[test]
fn a_shallow_clone_is_refused_with_how_to_fetch_the_history() {
    let h = History::example();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", h.path().display());
    git_in(dir.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    let out = run_in(
        dir.path(),
        &[
            "trend",
            "reg",
            "--since",
            "2026-01-01",
            "--as-of",
            "2026-07-15",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // A day the cut history cannot reach is refused the same way; a revision it holds is read.
    let at = run_in(dir.path(), &["check", "reg", "--at", "2026-03-01"]);
    assert_eq!(at.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&at.stderr).contains("fetch-depth: 0"));
    let rev = run_in(
        dir.path(),
        &["check", "reg", "--rev", "HEAD", "--as-of", "2026-11-23"],
    );
    assert_ne!(rev.status.code(), Some(2));
}

#[test]
fn outside_a_repository_a_revision_cannot_be_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &crate::common::repo().join("registry"),
        &dir.path().join("reg"),
    );
    let out = run_in(dir.path(), &["check", "reg", "--rev", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git work tree"));
    let out = run_in(dir.path(), &["trend", "reg", "--since", "2026-01-01"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn each_file_version_is_parsed_once_across_revisions() {
    let h = History::example();
    let mut reader = nhi::history::Reader::open(&h.reg()).expect("a repository");
    let files = h
        .git(&["ls-files", "reg"])
        .lines()
        .filter(|l| l.ends_with(".yaml"))
        .count();
    let day = jiff::civil::date(2026, 11, 23);
    let mut counts = Vec::new();
    for rev in ["HEAD~3", "HEAD~2", "HEAD~1", "HEAD", "HEAD~3"] {
        let commit = h.git(&["rev-parse", rev]).trim().to_string();
        let checked = reader.check_at(&commit, day).expect("checked");
        counts.push((reader.parses(), checked.registry.identities.len()));
    }
    // The first revision parses every file (one more than HEAD holds: the key retired last); each later one
    // only the file it changed; a revision read again parses nothing; removing a file parses nothing.
    let first = counts[0].0;
    assert_eq!(first, files + 1);
    let parses: Vec<usize> = counts.iter().map(|(p, _)| p - first).collect();
    assert_eq!(parses, [0, 1, 2, 2, 2]);
    assert_eq!(counts[0].1, counts[4].1);
}

/// The subjects of the commits a page lists under Changes, newest first.
fn listed(page: &str) -> Vec<String> {
    let Some(start) = page.find("<ol class=\"history\">") else {
        return Vec::new();
    };
    let list = &page[start..start + page[start..].find("</ol>").expect("list end")];
    list.split("<li>")
        .skip(1)
        .map(|item| {
            let subject = item.split("</code>").nth(1).unwrap_or("");
            let subject = subject.split(" <span").next().unwrap_or("");
            let subject = subject.split(" <small").next().unwrap_or("");
            let subject = subject.split(" (<a").next().unwrap_or("");
            subject.trim_start_matches("</a>").trim().to_string()
        })
        .collect()
}

fn exception_row<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!("<tr id=\"exception-{id}\">"))
        .unwrap_or_else(|| panic!("no row for {id}"));
    // A row ends where the next begins, or with the table body (pages leave out `</tr>`).
    let end = start
        + ["<tr", "</tbody>"]
            .iter()
            .filter_map(|t| page[start + 1..].find(t).map(|at| at + 1))
            .min()
            .expect("row end");
    &page[start..end]
}

#[test]
fn pages_list_the_commits_that_changed_their_document_and_flag_own_approvals() {
    let h = History::example();
    // exc-2026-014, requested by yuki.sato: its approver changed in Yuki's own commit.
    h.edit(
        "exceptions/exc-2026-014.yaml",
        "approved_by: carol.nguyen",
        "approved_by: omar.haddad",
    );
    h.commit(
        YUKI,
        "2026-07-01T10:00:00Z",
        "Approve the Bluewater exception (#20)",
    );
    // An exception on team-payments' Stripe key, requested by Carol, approved in a commit by Jonas of
    // team-payments (known by his GitHub no-reply address).
    h.write(
        "exceptions/exc-2026-099.yaml",
        "kind: Exception\nid: exc-2026-099\nrule: rotation-overdue\nidentities: [payments-stripe-secret-key]\nreason: The vendor's window\nrequested_by: carol.nguyen\nexpires: 2026-12-31\n",
    );
    h.commit(
        CAROL,
        "2026-07-02T10:00:00Z",
        "Request a Stripe exception (#21)",
    );
    h.edit(
        "exceptions/exc-2026-099.yaml",
        "expires:",
        "approved_by: omar.haddad\napproved_on: 2026-07-03\nexpires:",
    );
    h.commit(
        ("J. Weber", "1234+jweber-nw@users.noreply.github.com"),
        "2026-07-03T10:00:00Z",
        "Approve the Stripe exception (#22)",
    );
    // exc-2026-009 (requested by dev.patel) re-approved in Carol's commit: she is neither requester nor owner.
    h.edit(
        "exceptions/exc-2026-009.yaml",
        "approved_by: omar.haddad",
        "approved_by: carol.nguyen",
    );
    h.commit(
        CAROL,
        "2026-07-04T10:00:00Z",
        "Re-approve the <b onmouseover=alert(1)>maps</b> exception",
    );

    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let url = "https://github.com/example/registry";
    build(
        h.path(),
        &site,
        &["--as-of", "2026-11-23", "--repo-url", url],
    );
    let page = |rel: &str| {
        std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    };

    let key = page("identities/payments-stripe-secret-key.html");
    assert_eq!(listed(&key), ["Rotate the Stripe key (#12)", "Registry"]);
    let rotation = h
        .git(&["rev-list", "-1", "--grep", "Rotate the Stripe", "HEAD"])
        .trim()
        .to_string();
    assert!(key.contains(&format!("github.com/example/registry/commit/{rotation}")));
    assert!(key.contains("registry/pull/12\""));
    assert!(key.contains("<time datetime=\"2026-02-03\">") && key.contains("by Jonas Weber"));
    // One file, several documents: the rename is credited to team-platform only.
    assert_eq!(
        listed(&page("owners/team-platform.html")),
        ["Rename the platform team (#15)", "Registry"]
    );
    assert_eq!(listed(&page("owners/team-payments.html")), ["Registry"]);
    assert_eq!(listed(&page("owners/team-security.html")), ["Registry"]);
    assert_eq!(listed(&page("owners/lena.fischer.html")), ["Registry"]);
    assert_eq!(
        listed(&page("identities/datadog-agent-api-key.html")),
        ["Registry"]
    );

    let exceptions = page("exceptions.html");
    let own = exception_row(&exceptions, "exc-2026-014");
    assert!(
        own.contains("own approval") && own.contains("yuki.sato, who requested"),
        "{own}"
    );
    assert!(own.contains("pull/20"));
    let team = exception_row(&exceptions, "exc-2026-099");
    assert!(
        team.contains("own approval") && team.contains("jonas.weber, of team-payments"),
        "{team}"
    );
    assert_eq!(
        listed(team),
        [
            "Approve the Stripe exception (#22)",
            "Request a Stripe exception (#21)"
        ]
    );
    // Each exception has its page too, with the same approval and changes.
    let page_099 = page("exceptions/exc-2026-099.html");
    assert_eq!(
        listed(&page_099),
        [
            "Approve the Stripe exception (#22)",
            "Request a Stripe exception (#21)"
        ]
    );
    assert!(
        page_099.contains("own approval") && page_099.contains("jonas.weber, of team-payments")
    );
    assert!(exceptions.contains("href=\"exceptions/exc-2026-099.html\""));
    assert_eq!(listed(&page("exceptions/exc-2026-021.html")), ["Registry"]);
    let other = exception_row(&exceptions, "exc-2026-009");
    assert!(
        other.contains("by Carol Nguyen") && !other.contains("own approval"),
        "{other}"
    );
    // Commit text is the registry's too: escaped like everything else.
    assert!(
        other.contains("&lt;b onmouseover=alert(1)&gt;maps&lt;/b&gt;"),
        "{other}"
    );
    assert!(!exceptions.contains("<b onmouseover"));
    let first = exception_row(&exceptions, "exc-2026-023");
    assert!(
        first.contains("by Amara Okafor") && !first.contains("own approval"),
        "{first}"
    );
}

#[test]
fn the_site_of_a_revision_lists_the_history_up_to_it_and_draws_trends() {
    let h = History::example();
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let args = [
        "--at",
        "2026-03-01",
        "--history",
        "--history-since",
        "2026-01-01",
    ];
    build(h.path(), &site, &args);
    let team = std::fs::read_to_string(site.join("owners/team-platform.html")).expect("page");
    assert_eq!(listed(&team), ["Registry"]);
    let trends = std::fs::read_to_string(site.join("trends.html")).expect("trends page");
    assert_eq!(
        trends.matches("<tr><th scope=\"row\">").count(),
        2,
        "2026-02-01 and 2026-03-01"
    );
    assert!(trends.contains("No registry yet on 2026-01-01"));
    assert!(trends.matches("<svg class=\"chart").count() >= 2);
    assert!(trends.contains("<title>") && trends.contains("role=\"img\""));
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(index.contains("href=\"trends.html\""));
    // Without --history there is no Trends page, nor a link to one.
    let plain = out.path().join("plain");
    build(h.path(), &plain, &[]);
    assert!(!plain.join("trends.html").exists());
    let index = std::fs::read_to_string(plain.join("index.html")).expect("index");
    assert!(!index.contains("trends.html"));
}

#[test]
fn a_moved_document_keeps_its_history_and_a_shallow_clone_says_why_it_has_none() {
    let h = History::example();
    h.git(&[
        "mv",
        "reg/identities/datadog-agent-api-key.yaml",
        "reg/identities/platform/datadog-agent-api-key.yaml",
    ]);
    h.commit(
        LENA,
        "2026-07-01T10:00:00Z",
        "Move the Datadog key to platform (#30)",
    );
    h.edit(
        "identities/platform/datadog-agent-api-key.yaml",
        "kind: Identity",
        "kind: Identity\n# moved with its owner",
    );
    h.commit(LENA, "2026-07-02T10:00:00Z", "Note the move");
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    build(h.path(), &site, &[]);
    let page =
        std::fs::read_to_string(site.join("identities/datadog-agent-api-key.html")).expect("page");
    assert_eq!(
        listed(&page),
        [
            "Note the move",
            "Move the Datadog key to platform (#30)",
            "Registry"
        ]
    );

    let shallow = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", h.path().display());
    git_in(shallow.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    let site = out.path().join("shallow");
    build(shallow.path(), &site, &[]);
    let page =
        std::fs::read_to_string(site.join("identities/datadog-agent-api-key.html")).expect("page");
    assert!(listed(&page).is_empty());
    assert!(page.contains("shallow clone") && page.contains("fetch-depth: 0"));
    let history = run_in(
        shallow.path(),
        &[
            "build",
            "reg",
            "--history",
            "-o",
            site.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(history.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&history.stderr).contains("fetch-depth: 0"));
}

/// Regression guard for the history read from a listing of each commit's files plus the patches of only
/// the files changed in place: a document appended to a file starts where it was appended (not where the
/// file was created), with the approval it was appended with; a file deleted and added again starts at
/// its new addition; a merged branch counts once, as its merge; a file renamed and edited in one commit
/// keeps what came before.
#[test]
fn each_document_starts_where_it_was_written_and_merges_count_once() {
    let h = History::example();
    let file = "exceptions/exc-2026-099.yaml";
    h.write(
        file,
        "kind: Exception\nid: exc-2026-099\nrule: rotation-overdue\nidentities: [payments-stripe-secret-key]\nreason: The vendor's window\nrequested_by: carol.nguyen\nexpires: 2026-12-31\n",
    );
    h.commit(CAROL, "2026-07-02T10:00:00Z", "Request an exception (#21)");
    let text = h.read(file);
    h.write(
        file,
        &format!("{text}---\nkind: Exception\nid: exc-2026-100\nrule: rotation-overdue\nidentities: [payments-stripe-secret-key]\nreason: Another window\nrequested_by: carol.nguyen\napproved_by: omar.haddad\napproved_on: 2026-07-03\nexpires: 2026-12-31\n"),
    );
    h.commit(
        ("J. Weber", "1234+jweber-nw@users.noreply.github.com"),
        "2026-07-03T10:00:00Z",
        "Add an approved exception (#22)",
    );
    let key = "identities/datadog-agent-api-key.yaml";
    let text = h.read(key);
    h.remove(key);
    h.commit(LENA, "2026-07-04T10:00:00Z", "Retire the Datadog key");
    h.write(key, &text);
    h.commit(LENA, "2026-07-05T10:00:00Z", "Restore the Datadog key");
    let stripe = "identities/payments/payments-stripe-secret-key.yaml";
    h.git(&["checkout", "-q", "-b", "topic"]);
    h.edit(
        stripe,
        "last_rotated: 2026-02-01",
        "last_rotated: 2026-07-06",
    );
    h.commit(JONAS, "2026-07-06T10:00:00Z", "Rotate the Stripe key again");
    h.edit(
        stripe,
        "last_rotated: 2026-07-06",
        "last_rotated: 2026-07-07",
    );
    h.commit(JONAS, "2026-07-07T10:00:00Z", "Fix the rotation day");
    h.git(&["checkout", "-q", "main"]);
    h.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge pull request #40 from jonas/rotate",
        "topic",
    ]);
    let jenkins = "identities/jenkins-legacy-ssh-key.yaml";
    h.git(&[
        "mv",
        &format!("reg/{jenkins}"),
        "reg/identities/platform/jenkins-legacy-ssh-key.yaml",
    ]);
    h.edit(
        "identities/platform/jenkins-legacy-ssh-key.yaml",
        "kind: Identity",
        "kind: Identity\n# moved and noted",
    );
    h.commit(
        LENA,
        "2026-07-08T10:00:00Z",
        "Move and note the Jenkins key",
    );

    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    build(h.path(), &site, &["--as-of", "2026-11-23"]);
    let page = |rel: &str| {
        std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    };
    let appended = page("exceptions/exc-2026-100.html");
    assert_eq!(listed(&appended), ["Add an approved exception (#22)"]);
    assert!(
        appended.contains("own approval") && appended.contains("jonas.weber, of team-payments"),
        "{appended}"
    );
    assert_eq!(
        listed(&page("exceptions/exc-2026-099.html"))
            .last()
            .map(String::as_str),
        Some("Request an exception (#21)")
    );
    assert_eq!(
        listed(&page("identities/datadog-agent-api-key.html")),
        ["Restore the Datadog key"]
    );
    assert_eq!(
        listed(&page("identities/payments-stripe-secret-key.html")),
        [
            "Merge pull request #40 from jonas/rotate",
            "Rotate the Stripe key (#12)",
            "Registry"
        ]
    );
    assert_eq!(
        listed(&page("identities/jenkins-legacy-ssh-key.html")),
        ["Move and note the Jenkins key", "Registry"]
    );
}
