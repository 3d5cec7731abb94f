//! The site with drift reports (`nhi build --drift FILE`): the Drift page lists what the report holds,
//! identity pages show their drift, hostile report values are escaped, an unreadable report stops the build
//! before anything is written, and the same report gives the same bytes.

use crate::support as common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{data, nhi, stderr, AS_OF};
use regex::Regex;
use sha2::{Digest, Sha256};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("registry")
}

/// The report `nhi drift` writes for the AWS test data, saved as `dir/drift.json`.
fn aws_report(dir: &Path) -> PathBuf {
    let csv = data("drift/aws/credential-report.csv");
    let registry = data("drift/aws/registry");
    let o = nhi(&[
        "drift",
        "aws-credential-report",
        csv.to_str().unwrap(),
        registry.to_str().unwrap(),
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let path = dir.join("drift.json");
    fs::write(&path, &o.stdout).unwrap();
    path
}

/// Runs `nhi build REGISTRY -o OUT --drift FILE…`; returns the exit code and stderr.
fn build(registry: &Path, out: &Path, reports: &[&Path]) -> (Option<i32>, String) {
    let mut args: Vec<&str> = vec![
        "build",
        registry.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--commit",
        "0123456789abcdef",
    ];
    for r in reports {
        args.extend(["--drift", r.to_str().unwrap()]);
    }
    let o = nhi(&args);
    (o.status.code(), stderr(&o))
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let name = rel.to_string_lossy().replace('\\', "/");
            (name, fs::read(e.path()).unwrap())
        })
        .collect()
}

fn read(site: &Path, page: &str) -> String {
    fs::read_to_string(site.join(page)).unwrap()
}

/// The text of the identity cells of the table `id` on the page.
fn ids_in_table(html: &str, id: &str) -> BTreeSet<String> {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let cell = Regex::new(r#"<td class="id">(?:<a href="[^"]*">|<span[^>]*>)([^<]*)<"#).unwrap();
    cell.captures_iter(table)
        .map(|c| c[1].to_string())
        .collect()
}

/// Every relative link of every page resolves to a file of the site.
fn assert_links_resolve(site: &Path) {
    let all = files(site);
    let attr = Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    for (name, bytes) in all.iter().filter(|(n, _)| n.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let dir = Path::new(name).parent().unwrap_or(Path::new(""));
        for cap in attr.captures_iter(&html) {
            let target = cap[1].replace("&#x2f;", "/");
            if target.starts_with("http") || target == "data:," || target.starts_with('#') {
                continue;
            }
            let path = target.split(['#', '?']).next().unwrap();
            let mut file = PathBuf::new();
            for c in dir.join(path).components() {
                match c {
                    std::path::Component::ParentDir => assert!(file.pop(), "{name}: {target}"),
                    c => file.push(c),
                }
            }
            let key = file.to_string_lossy().replace('\\', "/");
            assert!(all.contains_key(&key), "{name}: broken link to {target}");
        }
    }
}

#[test]
fn the_drift_page_lists_exactly_the_reports_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = aws_report(dir.path());
    let report = nhi::report::drift::load(&path).unwrap();
    let site = dir.path().join("site");
    let (code, err) = build(&example(), &site, &[&path]);
    assert_eq!(code, Some(0), "{err}");
    let page = read(&site, "drift.html");
    let of = |rule: &str| -> BTreeSet<String> {
        report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.id.clone())
            .collect()
    };
    let undeclared: BTreeSet<String> = report.undeclared().map(|f| f.id.clone()).collect();
    assert_eq!(undeclared.len(), 3);
    assert_eq!(ids_in_table(&page, "report-1-undeclared-table"), undeclared);
    assert_eq!(ids_in_table(&page, "report-1-drift-table"), of("drift"));
    assert_eq!(ids_in_table(&page, "report-1-stale-table"), of("stale"));
    assert!(page.contains("credential-report.csv") && page.contains("aws-credential-report"));
    assert!(
        !page.contains(data("drift").to_str().unwrap()),
        "only the export's file name is shown"
    );
    assert!(page.contains("credential.last_rotated") && page.contains("2025-04-01"));
    let index = read(&site, "index.html");
    let drift = report.findings.len();
    assert!(
        index.contains(&format!(
            r#"<a href="drift.html"><span class="num">{drift}</span><span class="label">drift findings</span>"#
        )),
        "the dashboard counts the drift findings"
    );
    assert!(index.contains(r#"href="drift.html""#));
    assert_links_resolve(&site);
    // The manifest lists the Drift page with its true sum.
    let sum = hex(&Sha256::digest(fs::read(site.join("drift.html")).unwrap()));
    assert!(read(&site, "SHA256SUMS").contains(&format!("{sum}  drift.html\n")));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn identity_pages_show_their_drift_and_the_page_says_when_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = aws_report(dir.path());
    let registry = data("drift/aws/registry");
    let site = dir.path().join("site");
    let (code, err) = build(&registry, &site, &[&path]);
    assert_eq!(code, Some(0), "{err}");
    let sftp = read(&site, "identities/legacy-sftp.html");
    assert!(sftp.contains(r#"<h2 id="h-drift">Drift</h2>"#));
    let section = &sftp[sftp.find("identity-drift").unwrap()..];
    let section = &section[..section.find("</table>").unwrap()];
    assert_eq!(section.matches("<tr").count(), 3, "a head and two items");
    assert!(section.contains("<code>status</code>") && section.contains("<code>last_used</code>"));
    assert!(
        !read(&site, "identities/ci-role.html").contains("h-drift"),
        "no drift section without drift"
    );
    // Drifted identities link to their pages here, since the registry is the one the report compared.
    let page = read(&site, "drift.html");
    assert!(page.contains(r#"<a href="identities/legacy-sftp.html">legacy-sftp</a>"#));
    assert_links_resolve(&site);

    let plain = dir.path().join("plain");
    let (code, err) = build(&registry, &plain, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(read(&plain, "drift.html").contains("No drift report was given to this build"));
    assert!(!read(&plain, "identities/legacy-sftp.html").contains("h-drift"));
    assert!(!read(&plain, "index.html").contains("drift findings"));
}

#[test]
fn hostile_values_in_a_report_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = aws_report(dir.path());
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let evil = "<script>alert(1)</script>";
    json["source"] = format!("src{evil}").into();
    json["export"] = "/very/secret/dir/x<b onmouseover=alert(1)>.csv".into();
    json["notes"] = serde_json::json!([format!("note{evil}")]);
    for f in json["findings"].as_array_mut().unwrap() {
        f["message"] = format!("msg{evil}").into();
        f["external_id"] = "ext\"><img src=x onerror=alert(1)>".into();
        if f["rule"] == "drift" {
            f["registry"] = format!("reg{evil}").into();
            f["export"] = format!("exp{evil}").into();
            f["field"] = format!("field{evil}").into();
        }
    }
    let hostile = dir.path().join("hostile.json");
    fs::write(&hostile, serde_json::to_vec(&json).unwrap()).unwrap();
    let site = dir.path().join("site");
    let (code, err) = build(&data("drift/aws/registry"), &site, &[&hostile]);
    assert_eq!(code, Some(0), "{err}");
    for (name, bytes) in files(&site).iter().filter(|(n, _)| n.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        assert!(!html.contains("<script>alert"), "{name}");
        assert!(!html.contains("<img src=x"), "{name}");
        assert!(!html.contains("very/secret"), "{name}");
        assert!(!html.contains("<b onmouseover"), "{name}");
    }
    let page = read(&site, "drift.html");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        page.contains("x&lt;b onmouseover=alert(1)&gt;.csv"),
        "the file name is shown, escaped"
    );
    let sftp = read(&site, "identities/legacy-sftp.html");
    assert!(sftp.contains("reg&lt;script&gt;") && sftp.contains("exp&lt;script&gt;"));
}

#[test]
fn an_unreadable_or_invalid_report_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = aws_report(dir.path());
    let invalid = dir.path().join("invalid.json");
    fs::write(&invalid, "{\"version\": 1, \"findings\": 3}").unwrap();
    let future = dir.path().join("future.json");
    let text = fs::read_to_string(&good).unwrap();
    fs::write(&future, text.replace("\"version\": 1", "\"version\": 7")).unwrap();
    let missing = dir.path().join("missing.json");
    for bad in [&missing, &invalid, &future, &dir.path().to_path_buf()] {
        let site = dir.path().join("site");
        let (code, err) = build(&example(), &site, &[&good, bad]);
        assert_eq!(code, Some(2), "{}: {err}", bad.display());
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(err.contains(bad.to_str().unwrap()), "names the file: {err}");
        assert!(!site.exists(), "no site for {}", bad.display());
    }
    let left: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|n| n.contains("site")),
        "nothing staged: {left:?}"
    );
}

#[test]
fn the_same_reports_give_the_same_bytes_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = aws_report(dir.path());
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    json["export"] = "another-account.csv".into();
    let other = dir.path().join("other.json");
    fs::write(&other, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(build(&example(), &a, &[&path, &other]).0, Some(0));
    assert_eq!(build(&example(), &b, &[&other, &path]).0, Some(0));
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(fb[name] == *bytes, "{name} differs between builds");
    }
    let page = read(&a, "drift.html");
    let first = page.find("another-account.csv").unwrap();
    assert!(first < page.find("· credential-report.csv").unwrap());
}
