//! The site: a page for everything, no broken link, hostile values escaped, the same bytes twice, a true
//! manifest, and no partial site after a failure.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use nhi::site::{self, Options, Quiet};
use regex::Regex;
use sha2::{Digest, Sha256};

fn day(s: &str) -> jiff::civil::Date {
    nhi::day::parse(s).unwrap()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("registry")
}

/// The files of site `a` that site `b` does not hold with the same bytes, by name.
fn differing<'a>(a: &'a BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<&'a str> {
    a.iter()
        .filter(|(name, bytes)| b.get(*name) != Some(bytes))
        .map(|(name, _)| name.as_str())
        .collect()
}

fn hostile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/site/hostile")
}

fn options(registry: PathBuf, out: PathBuf) -> Options {
    Options {
        registry,
        out,
        as_of: day("2026-11-23"),
        templates: None,
        commit: Some("0123456789abcdef".into()),
        drift: Vec::new(),
        trace: Vec::new(),
        rev: None,
        repo_url: None,
        trends: None,
        gzip_downloads: site::Gzip::Auto,
        size_limit: site::tarball::PAGES_LIMIT,
    }
}

pub fn build(registry: PathBuf, out: &Path) -> site::Built {
    site::build(&options(registry, out.to_path_buf()), &Quiet).expect("the site builds")
}

/// Every file under `dir`, `/`-separated and relative, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(name, fs::read(entry.path()).unwrap());
        }
    }
    out
}

/// Decodes the entities the templates' HTML escaping produces inside attribute values.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_example_registry_has_a_page_for_every_identity_owner_and_system() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(example(), &site);
    let loaded = nhi::load::load(&example()).unwrap().registry;
    assert!(!loaded.identities.is_empty());
    for d in &loaded.identities {
        assert!(
            site.join(format!("identities/{}.html", d.item.id))
                .is_file(),
            "identity {}",
            d.item.id
        );
    }
    for id in loaded
        .teams
        .iter()
        .map(|d| &d.item.id)
        .chain(loaded.persons.iter().map(|d| &d.item.id))
    {
        assert!(
            site.join(format!("owners/{id}.html")).is_file(),
            "owner {id}"
        );
    }
    for d in &loaded.systems {
        assert!(
            site.join(format!("systems/{}.html", d.item.id)).is_file(),
            "system {}",
            d.item.id
        );
    }
    for page in [
        "index.html",
        "findings.html",
        "exceptions.html",
        "compliance.html",
        "graph.html",
        "search.html",
    ] {
        assert!(site.join(page).is_file(), "{page}");
    }
    for download in [
        "inventory.csv",
        "findings.csv",
        "registry.json",
        "findings.sarif",
        "manifest.json",
        "data/graph.js",
        "data/search.js",
    ] {
        assert!(site.join(download).is_file(), "{download}");
    }
    let index = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("2026-11-23") && index.contains("0123456789ab"),
        "the dashboard shows the day and the commit"
    );
}

#[test]
fn no_internal_link_is_broken() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(example(), &site);
    let all = files(&site);
    let attr = Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let ids = Regex::new(r#"\bid="([^"]*)""#).unwrap();
    let mut checked = 0;
    for (name, bytes) in all.iter().filter(|(n, _)| n.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        let dir = Path::new(name).parent().unwrap_or(Path::new(""));
        for cap in attr.captures_iter(&html) {
            let target = unescape(&cap[1]);
            if target.starts_with("https://") || target.starts_with("http://") || target == "data:,"
            {
                continue;
            }
            assert!(
                !target.contains(':'),
                "{name}: a link with a scheme that is not http(s): {target}"
            );
            let (path, fragment) = target
                .split_once('#')
                .map_or((target.as_str(), None), |(p, f)| (p, Some(f)));
            let path = path.split('?').next().unwrap();
            let file = if path.is_empty() {
                PathBuf::from(name)
            } else {
                normalize(&dir.join(path))
            };
            let key = file.to_string_lossy().replace('\\', "/");
            let Some(body) = all.get(&key) else {
                panic!("{name}: broken link to {target} ({key})")
            };
            if let Some(fragment) = fragment {
                let text = String::from_utf8_lossy(body);
                assert!(
                    ids.captures_iter(&text)
                        .any(|c| unescape(&c[1]) == fragment),
                    "{name}: no #{fragment} in {key}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

/// `a/../b` → `b`, failing when the path leaves the site.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                assert!(out.pop(), "a link leaves the site: {}", path.display())
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn hostile_values_are_escaped_everywhere() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let built = build(hostile(), &site);
    assert!(
        built.gate_fails,
        "the site is built even when the gate fails"
    );
    let all = files(&site);
    let script = Regex::new(r"(?i)<script\b[^>]*>").unwrap();
    let our_script =
        Regex::new(r#"^<script src="(\.\./)?(assets|data)/[a-z-]+\.js"></script>"#).unwrap();
    let attr = Regex::new(r#"(?i)(?:href|src)\s*=\s*"([^"]*)""#).unwrap();
    for (name, bytes) in &all {
        let text = String::from_utf8_lossy(bytes);
        if name.ends_with(".html") {
            for m in script.find_iter(&text) {
                let rest = &text[m.start()..];
                let head = unescape(&rest[..rest.len().min(120)]);
                assert!(
                    our_script.is_match(&head),
                    "{name}: a script that is not ours: {}",
                    &rest[..rest.len().min(80)]
                );
            }
            for bad in [
                "<img",
                "<svg onload",
                "onmouseover=\"",
                "<b>bold",
                "<i>italic",
            ] {
                assert!(!text.contains(bad), "{name}: unescaped {bad}");
            }
            for cap in attr.captures_iter(&text) {
                let target = unescape(&cap[1]).trim().to_ascii_lowercase();
                assert!(
                    !target.starts_with("javascript:") && !target.starts_with("data:text"),
                    "{name}: a dangerous link {target}"
                );
            }
        }
        if name.starts_with("data/") {
            assert!(
                !text.contains('<') && !text.contains('>') && !text.contains('&'),
                "{name}: raw <, > or & in a script"
            );
            assert!(
                !text.contains('\u{2028}') && !text.contains('\u{2029}'),
                "{name}: a raw line separator in a script"
            );
        }
    }
    let identity = String::from_utf8_lossy(&all["identities/evil-key.html"]).into_owned();
    assert!(
        identity.contains("&lt;/script&gt;&lt;script&gt;alert(&#x27;name&#x27;)"),
        "the name is shown, escaped"
    );
    assert!(
        identity.contains("https://example.com/a?b=1&amp;c=&quot;2&quot;&gt;&lt;script&gt;"),
        "an https link is a link, escaped"
    );
    let inventory = String::from_utf8_lossy(&all["inventory.csv"]).into_owned();
    assert!(
        inventory.contains("\"'=HYPERLINK(\"\"http://evil.example\"\") +cmd @SUM(1)\""),
        "{inventory}"
    );
    assert!(
        inventory.contains(",'-2+3,"),
        "cells starting with - are prefixed: {inventory}"
    );
    assert!(
        !all.keys()
            .any(|k| k.contains("escape") || k.contains("/....") || k.contains("/...html")),
        "no page for invalid ids"
    );
    assert!(!out.path().join("escape.html").exists());
}

#[test]
fn the_same_registry_and_day_give_the_same_bytes() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a"), out.path().join("b"));
    build(example(), &a);
    build(example(), &b);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between two builds");
    }
}

/// Regression: every page's footer carried the commit, so every commit rewrote every page of the site.
#[test]
fn another_commit_changes_only_the_dashboard_downloads_and_data() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a"), out.path().join("b"));
    build(example(), &a);
    let mut opts = options(example(), b.clone());
    opts.commit = Some("fedcba9876543210".into());
    site::build(&opts, &Quiet).unwrap();
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(
        differing(&fa, &fb),
        [
            "SHA256SUMS",
            "data/page-inputs.tsv",
            "downloads.html",
            "index.html",
            "manifest.json",
            "registry.json"
        ]
    );
    let page = String::from_utf8_lossy(&fb["identities.html"]).into_owned();
    assert!(page.contains("As of <strong>2026-11-23</strong>"), "{page}");
}

#[test]
fn the_manifest_lists_every_file_with_its_sha256() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(example(), &site);
    let all = files(&site);
    let manifest: serde_json::Value = serde_json::from_slice(&all["manifest.json"]).unwrap();
    assert_eq!(manifest["as_of"], "2026-11-23");
    assert_eq!(manifest["commit"], "0123456789abcdef");
    let listed: BTreeMap<String, String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<&String> = all.keys().filter(|k| *k != "manifest.json").collect();
    assert_eq!(
        listed.keys().collect::<Vec<_>>(),
        expected,
        "every file but the manifest itself is listed"
    );
    for (path, sum) in &listed {
        let actual: String = Sha256::digest(&all[path])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(&actual, sum, "{path}");
    }
    let sums = String::from_utf8_lossy(&all["SHA256SUMS"]).into_owned();
    assert!(
        sums.lines().count() == all.len() - 2 && sums.contains("  index.html\n"),
        "{sums}"
    );
}

/// `--gzip-downloads` writes the four downloads compressed and changes nothing else a reader gets: each
/// `.gz` holds exactly the bytes of the plain file, the plain files are not written, the downloads page
/// links the `.gz` files, and the same registry and day still give the same bytes.
#[test]
fn gzipped_downloads_hold_the_plain_files_bytes() {
    use std::io::Read as _;
    let out = tempfile::tempdir().unwrap();
    let plain = out.path().join("plain");
    build(example(), &plain);
    let gzipped = |dir: &str| {
        let opts = Options {
            gzip_downloads: site::Gzip::Always,
            ..options(example(), out.path().join(dir))
        };
        site::build(&opts, &Quiet).unwrap();
        files(&out.path().join(dir))
    };
    let (a, b) = (files(&plain), gzipped("gz"));
    assert_eq!(b, gzipped("again"), "the same bytes every time");
    let downloads = [
        "findings.csv",
        "findings.sarif",
        "inventory.csv",
        "registry.json",
    ];
    for name in downloads {
        let gz = &b[&format!("{name}.gz")];
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut text)
            .unwrap();
        assert_eq!(text, a[name], "{name}");
        assert!(gz.len() < a[name].len(), "{name}");
        assert!(!b.contains_key(name), "{name}");
    }
    let mut changed = differing(&a, &b);
    changed.retain(|name| !downloads.contains(name));
    assert_eq!(
        changed,
        [
            "SHA256SUMS",
            "data/page-inputs.tsv",
            "downloads.html",
            "manifest.json"
        ]
    );
    let page = String::from_utf8_lossy(&b["downloads.html"]);
    for name in downloads {
        assert!(
            page.contains(&format!("<a href=\"{name}.gz\" download>")),
            "{name}"
        );
    }
}

/// A site larger than its size limit with plain downloads gets them compressed: the same bytes as a site built
/// with `--gzip-downloads`, whether built afresh or over a site built with plain downloads (whose files it
/// links and must not write through), and what `nhi build` reports says so.
#[test]
fn a_site_past_its_size_limit_gets_compressed_downloads() {
    let out = tempfile::tempdir().unwrap();
    let at = |dir: &str| out.path().join(dir);
    let with = |dir: &str, gzip_downloads, size_limit| {
        let opts = Options {
            gzip_downloads,
            size_limit,
            ..options(example(), at(dir))
        };
        site::build(&opts, &Quiet).unwrap()
    };
    let always = with("always", site::Gzip::Always, 0);
    assert!(always.gzipped && !always.gzipped_to_fit);
    let roomy = with("over", site::Gzip::Auto, 1 << 30);
    assert!(!roomy.gzipped && !roomy.gzipped_to_fit);
    assert!(files(&at("over")).contains_key("registry.json"));
    let plain = files(&at("over"));

    // Second names for the previous site's files that the rebuild first links and then replaces.
    let kept = at("kept");
    std::fs::create_dir(&kept).unwrap();
    for name in ["downloads.html", "registry.json", "manifest.json"] {
        std::fs::hard_link(at("over").join(name), kept.join(name)).unwrap();
    }

    // The plain site is larger than this limit and the compressed one fits: the downloads are written plain,
    // then again compressed. Under a limit of 0 the pages alone are too large: compressed from the start.
    let limit = always.tar_bytes;
    let fresh = with("fresh", site::Gzip::Auto, limit);
    let over = with("over", site::Gzip::Auto, limit);
    let early = with("early", site::Gzip::Auto, 0);
    for built in [&fresh, &over, &early] {
        assert!(built.gzipped, "{built:?}");
        assert!(built.gzipped_to_fit, "{built:?}");
        assert_eq!(built.tar_bytes, always.tar_bytes);
    }
    let want = files(&at("always"));
    assert_eq!(files(&at("fresh")), want);
    assert_eq!(files(&at("over")), want);
    assert_eq!(files(&at("early")), want);
    assert_eq!(early.written, early.files, "each file counted once");
    assert_eq!(fresh.written, fresh.files, "each file counted once");
    assert!(over.written < over.files, "{over:?}");
    // The previous site's files were replaced, not written through.
    for name in ["downloads.html", "registry.json", "manifest.json"] {
        assert_eq!(
            std::fs::read(kept.join(name)).unwrap(),
            plain[name],
            "{name}"
        );
    }
}

/// The size `nhi build` reports for the site as GitHub Pages receives it is the size of the tar that
/// `actions/upload-pages-artifact` makes of it (`tar -cf artifact.tar .` in the site's folder).
#[test]
fn the_tar_size_is_the_one_tar_makes() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let built = build(example(), &site);
    let tar = std::process::Command::new("tar")
        .arg("--directory")
        .arg(&site)
        .args(["-cf", "-", "."])
        .output()
        .expect("tar runs");
    assert!(tar.status.success());
    assert!(built.tar_bytes > built.bytes);
    assert_eq!(built.tar_bytes, tar.stdout.len() as u64);
}

#[test]
fn templates_are_replaced_file_by_file() {
    let out = tempfile::tempdir().unwrap();
    let templates = out.path().join("templates");
    fs::create_dir_all(templates.join("assets")).unwrap();
    fs::write(templates.join("downloads.html"), "{% extends \"base.html\" %}{% block content %}<h1>Our own downloads {{ site.as_of }}</h1>{% endblock %}").unwrap();
    fs::write(
        templates.join("assets/style.css"),
        "body { color: rebeccapurple }\n",
    )
    .unwrap();
    let site = out.path().join("site");
    let mut opts = options(example(), site.clone());
    opts.templates = Some(templates);
    site::build(&opts, &Quiet).unwrap();
    let downloads = fs::read_to_string(site.join("downloads.html")).unwrap();
    assert!(
        downloads.contains("<h1>Our own downloads 2026-11-23</h1>")
            && downloads.contains("assets/style.css")
    );
    assert_eq!(
        fs::read_to_string(site.join("assets/style.css")).unwrap(),
        "body { color: rebeccapurple }\n"
    );
    assert!(
        fs::read_to_string(site.join("index.html"))
            .unwrap()
            .contains("<h1>Dashboard</h1>"),
        "other templates are the built-ins"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_and_no_partial_one() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(example(), &site);
    let before = files(&site);
    let templates = out.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("identity.html"), "{% if %}broken").unwrap();
    let mut opts = options(example(), site.clone());
    opts.templates = Some(templates);
    let err = site::build(&opts, &Quiet).unwrap_err();
    assert!(format!("{err:#}").contains("identity.html"), "{err:#}");
    assert_eq!(files(&site), before, "the previous site is untouched");
    let left: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|n| n.contains("partial")),
        "staging left behind: {left:?}"
    );
}

#[test]
fn an_unrelated_directory_is_never_replaced() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("docs");
    fs::create_dir_all(&target).unwrap();
    fs::write(target.join("notes.txt"), "keep me").unwrap();
    let err = site::build(&options(example(), target.clone()), &Quiet).unwrap_err();
    assert!(
        format!("{err:#}").contains("not a site built by nhi"),
        "{err:#}"
    );
    assert_eq!(
        fs::read_to_string(target.join("notes.txt")).unwrap(),
        "keep me"
    );
    let err = site::build(&options(example(), example()), &Quiet).unwrap_err();
    assert!(format!("{err:#}").contains("holds the registry"), "{err:#}");
}

#[test]
fn the_command_exits_0_when_the_gate_fails_and_2_when_it_cannot_build() {
    let out = tempfile::tempdir().unwrap();
    let nhi = env!("CARGO_BIN_EXE_nhi");
    let site = out.path().join("site");
    let run = |args: &[&std::ffi::OsStr]| Command::new(nhi).args(args).output().unwrap();
    let ok = run(&[
        "build".as_ref(),
        hostile().as_os_str(),
        "-o".as_ref(),
        site.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-23".as_ref(),
        "--commit".as_ref(),
        "abc1234".as_ref(),
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("gate fails"));
    assert!(site.join("index.html").is_file());
    let missing = run(&[
        "build".as_ref(),
        out.path().join("nowhere").as_os_str(),
        "-o".as_ref(),
        site.as_os_str(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
}

/// What `nhi build` says when the site is past `--size-limit`: a note that the downloads were compressed
/// and, as the site is still too large, a warning (an annotation under GitHub Actions); `never` keeps them
/// plain and names the flag; a bare `--gzip-downloads` before the registry is `always`.
#[test]
fn the_command_says_when_it_compresses_the_downloads_and_when_the_site_is_still_too_large() {
    let out = tempfile::tempdir().unwrap();
    let nhi = env!("CARGO_BIN_EXE_nhi");
    let run = |dir: &str, flags: &[&str], github: bool| {
        let mut cmd = Command::new(nhi);
        cmd.arg("build")
            .args(flags)
            .arg(example())
            .arg("-o")
            .arg(out.path().join(dir))
            .args(["--as-of", "2026-11-23"])
            .env_remove("GITHUB_ACTIONS")
            .env_remove("TF_BUILD");
        if github {
            cmd.env("GITHUB_ACTIONS", "true");
        }
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&o.stdout), text(&o.stderr))
    };
    let gz = |dir: &str| out.path().join(dir).join("registry.json.gz").is_file();

    let (stdout, stderr) = run("auto", &["--size-limit", "0"], false);
    assert!(gz("auto"), "{stdout}");
    assert!(
        stderr.contains("note: with plain downloads the site would pack into a tar of more than --size-limit 0 MiB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: the site packs into a tar of"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("build it with --gzip-downloads"),
        "{stderr}"
    );

    let (stdout, stderr) = run("github", &["--size-limit", "0"], true);
    assert!(
        stdout.contains("::warning title=nhi build::the site packs"),
        "{stdout}"
    );
    assert!(!stderr.contains("warning:"), "{stderr}");

    let (_, stderr) = run(
        "never",
        &["--gzip-downloads=never", "--size-limit", "0"],
        false,
    );
    assert!(!gz("never") && !stderr.contains("note:"), "{stderr}");
    assert!(
        stderr.contains("build it with --gzip-downloads"),
        "{stderr}"
    );

    let (_, stderr) = run("roomy", &[], false);
    assert!(!gz("roomy") && stderr.is_empty(), "{stderr}");
    let (_, stderr) = run("bare", &["--gzip-downloads"], false);
    assert!(gz("bare") && stderr.is_empty(), "{stderr}");
}

#[test]
fn identity_pages_show_the_blast_radius_of_the_graph() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(example(), &site);
    let registry = nhi::load::load(&example()).unwrap().registry;
    let graph = nhi::graph::Graph::build(&registry);
    let mut paths = 0;
    for d in &registry.identities {
        let page = fs::read_to_string(site.join(format!("identities/{}.html", d.item.id))).unwrap();
        let blast = graph.blast(&d.item.id).unwrap();
        assert!(
            page.contains(&format!("score <strong>{}</strong>", blast.score))
                || blast.systems.is_empty(),
            "{}",
            d.item.id
        );
        let own_only =
            blast.identities.is_empty() && blast.systems.iter().all(|s| s.path.len() <= 1);
        if own_only {
            // The radius is the identity's own access: the Access table lists every system of it.
            for s in &blast.systems {
                assert!(
                    page.contains(&format!("systems/{}.html\">{}</a>", s.id, s.id)),
                    "{}: no access to {}",
                    d.item.id,
                    s.id
                );
            }
            assert!(
                blast.systems.is_empty() || page.contains("by its own access only (above)"),
                "{}",
                d.item.id
            );
            continue;
        }
        // The table lists up to 25 systems and 25 identities, each with the graph's path to it.
        for reached in [
            blast
                .systems
                .iter()
                .map(|s| &s.explained)
                .collect::<Vec<_>>(),
            blast.identities.iter().map(|r| &r.explained).collect(),
        ] {
            let listed = reached
                .iter()
                .filter(|s| page.contains(&format!("<code>{s}</code>")))
                .count();
            assert_eq!(listed, reached.len().min(25), "{}", d.item.id);
            paths += listed;
        }
    }
    assert!(paths > 20, "only {paths} paths");
}

/// A team of thousands of identities made an owner page of megabytes: past the limit, the page lists the
/// identities that most need looking at and points at inventory.csv, which holds every one.
#[test]
fn large_teams_list_the_worst_identities_and_point_at_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry");
    nhi::synth::generate(&registry, 2000, 7).unwrap();
    let site = dir.path().join("site");
    build(registry.clone(), &site);
    let loaded = nhi::load::load(&registry).unwrap().registry;
    let inventory = fs::read_to_string(site.join("inventory.csv")).unwrap();
    let mut checked = 0;
    for team in &loaded.teams {
        let owned = loaded
            .identities
            .iter()
            .filter(|d| d.item.owner.as_deref() == Some(team.item.id.as_str()))
            .count();
        let page = fs::read_to_string(site.join(format!("owners/{}.html", team.item.id))).unwrap();
        let table = page
            .split("id=\"owned\"")
            .nth(1)
            .and_then(|t| t.split("</table>").next())
            .unwrap_or("");
        let rows = table.matches("<tr>").count().saturating_sub(1);
        let in_inventory = inventory
            .lines()
            .filter(|l| l.split(',').nth(3) == Some(team.item.id.as_str()))
            .count();
        assert_eq!(
            in_inventory, owned,
            "inventory.csv lists every identity of {}",
            team.item.id
        );
        if owned > site::LIST_LIMIT {
            assert_eq!(rows, site::LIST_LIMIT, "{}", team.item.id);
            let more = owned - site::LIST_LIMIT;
            assert!(
                page.contains(&format!("{more} more identities are"))
                    && page.contains("../downloads.html\">inventory.csv</a>"),
                "{}: no pointer to the full list",
                team.item.id
            );
            checked += 1;
        } else {
            assert_eq!(rows, owned, "{}", team.item.id);
        }
    }
    assert!(checked > 0, "no team is past the limit");
}

/// Rebuilding into an existing site writes only the files whose bytes change (the others are hard links to
/// the previous site's files) and gives exactly the bytes of a clean build.
#[cfg(unix)]
/// What a rebuild after `edit` wrote and rendered, after checking that it equals a clean build, that it
/// wrote exactly the files whose bytes changed, and that unchanged files are the previous site's own.
struct Rebuilt {
    /// The files whose bytes changed.
    changed: Vec<String>,
    /// The pages (`.html` files) of the site.
    pages: usize,
    built: site::Built,
}

fn rebuild_after(registry: &Path, templates: Option<&Path>, edit: impl FnOnce(&Path)) -> Rebuilt {
    use std::os::unix::fs::MetadataExt;
    let dir = registry.parent().unwrap();
    let site = dir.join("site");
    let opts = |out: &Path| Options {
        templates: templates.map(Path::to_path_buf),
        ..options(registry.to_path_buf(), out.to_path_buf())
    };
    let first = site::build(&opts(&site), &Quiet).unwrap();
    assert_eq!(
        first.written, first.files,
        "a first build writes every file"
    );
    let before = files(&site);
    let inode = |path: &Path| fs::metadata(path).unwrap().ino();
    let inodes: BTreeMap<String, u64> = before
        .keys()
        .map(|k| (k.clone(), inode(&site.join(k))))
        .collect();
    edit(registry);
    let again = site::build(&opts(&site), &Quiet).unwrap();
    let clean = dir.join("clean");
    site::build(&opts(&clean), &Quiet).unwrap();
    let (after, expected) = (files(&site), files(&clean));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(&after[name] == bytes, "{name} differs from a clean build");
    }
    let changed: Vec<String> = after
        .keys()
        .filter(|k| before.get(*k) != Some(&after[*k]))
        .cloned()
        .collect();
    assert_eq!(
        again.written,
        changed.len(),
        "only the changed files are written"
    );
    for (name, old) in &inodes {
        let same_bytes = before[name] == after[name];
        assert_eq!(
            inode(&site.join(name)) == *old,
            same_bytes,
            "{name}: an unchanged file is the same file, a changed one a new file"
        );
    }
    // Nothing is left beside the site.
    let mut beside: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert!(
        ["clean", "registry", "site"]
            .iter()
            .all(|n| beside.iter().any(|b| b == n))
            && beside.len() <= 4,
        "{beside:?}"
    );
    fs::remove_dir_all(&clean).unwrap();
    let pages = after.keys().filter(|k| k.ends_with(".html")).count();
    let changed_pages = changed.iter().filter(|k| k.ends_with(".html")).count();
    assert!(
        again.rendered >= changed_pages,
        "every page whose bytes changed was rendered ({} rendered, {changed_pages} changed)",
        again.rendered
    );
    Rebuilt {
        changed,
        pages,
        built: again,
    }
}

fn edit_file(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} holds {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn example_copy(dir: &Path) -> PathBuf {
    let registry = dir.join("registry");
    crate::common::copy_dir(&example(), &registry);
    registry
}

#[test]
fn a_rebuild_writes_only_what_changed_and_equals_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let registry = example_copy(dir.path());
    // One identity changes its environment.
    let r = rebuild_after(&registry, None, |registry| {
        let file = walkdir::WalkDir::new(registry.join("identities"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| {
                fs::read_to_string(e.path()).is_ok_and(|t| t.contains("\nenvironment: prod\n"))
            })
            .expect("an identity in prod")
            .into_path();
        edit_file(&file, "\nenvironment: prod\n", "\nenvironment: staging\n");
    });
    assert!(
        !r.changed.is_empty() && r.changed.len() < r.pages / 2,
        "{:?}",
        r.changed
    );
    // Only the pages whose inputs changed are rendered: not every page to learn its bytes.
    assert!(
        r.built.rendered < r.pages / 4,
        "{} of {} pages rendered",
        r.built.rendered,
        r.pages
    );
}

/// A change in one document changes other documents' pages (here a system's criticality: the pages of the
/// identities that reach it show it in their access and blast radius): a rebuild renders those too.
#[test]
fn a_rebuild_renders_the_other_pages_a_change_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let registry = example_copy(dir.path());
    let r = rebuild_after(&registry, None, |registry| {
        edit_file(
            &registry.join("systems/cloud.yaml"),
            "id: aws-prod\nname: AWS account northwind-prod\ntype: cloud_account\ncriticality: critical\n",
            "id: aws-prod\nname: AWS account northwind-prod\ntype: cloud_account\ncriticality: low\n",
        );
    });
    assert!(r.changed.iter().any(|f| f == "systems/aws-prod.html"));
    for consumer in ["ci-deployer", "db-snapshot-copier"] {
        let page = format!("identities/{consumer}.html");
        assert!(r.changed.contains(&page), "{page} in {:?}", r.changed);
    }
    assert!(r.built.rendered < r.pages / 2, "{}", r.built.rendered);
}

/// The pages read the commit only where they show it (the dashboard and the downloads page): a build for
/// another commit renders those two and links every other page from the previous site.
#[test]
fn a_rebuild_for_another_commit_renders_only_the_pages_that_show_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build(example(), &site);
    let other = |out: &Path| Options {
        commit: Some("fedcba9876543210".into()),
        ..options(example(), out.to_path_buf())
    };
    let again = site::build(&other(&site), &Quiet).unwrap();
    assert_eq!(again.rendered, 2);
    let clean = dir.path().join("clean");
    site::build(&other(&clean), &Quiet).unwrap();
    assert!(
        files(&site) == files(&clean),
        "the rebuild equals a clean build"
    );
}

/// A page is rendered again when a template changed, and when the previous site's file is not the one its
/// manifest lists (here cut short): the rebuild still equals a clean build.
#[test]
fn a_rebuild_renders_again_after_a_template_change_or_a_damaged_page() {
    let dir = tempfile::tempdir().unwrap();
    let registry = example_copy(dir.path());
    let templates = dir.path().join("templates");
    fs::create_dir(&templates).unwrap();
    let base = templates.join("base.html");
    let builtin = nhi::site::templates::BUILTIN
        .iter()
        .find(|(n, _)| *n == "base.html")
        .unwrap()
        .1;
    fs::write(&base, builtin).unwrap();
    let site = dir.path().join("site");
    let r = rebuild_after(&registry, Some(&templates), |_| {
        edit_file(&base, "<main id=\"main\"", "<main data-edited id=\"main\"");
    });
    assert_eq!(
        r.built.rendered, r.pages,
        "a template change renders every page"
    );
    assert!(files(&site)["identities/ci-deployer.html"]
        .windows(11)
        .any(|w| w == b"data-edited"));

    let damaged = site.join("identities/ci-deployer.html");
    let text = fs::read(&damaged).unwrap();
    fs::remove_file(&damaged).unwrap();
    fs::write(&damaged, &text[..100]).unwrap();
    let again = site::build(
        &Options {
            templates: Some(templates.clone()),
            ..options(registry.clone(), site.clone())
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(
        (again.rendered, again.written),
        (1, 2),
        "the page and the manifest"
    );
    assert_eq!(fs::read(&damaged).unwrap(), text);
}

/// Identity pages stay small at scale: the blast-radius picture is drawn in the browser from the page's own
/// table (no inline SVG), the layout is not repeated per section, and a rule's fix is written once per
/// table. The synthetic registry's identity pages stay near 7 KB on average (they were 11.8 KB).
#[test]
fn identity_pages_are_small_and_draw_the_blast_radius_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry");
    nhi::synth::generate(&registry, 400, 7).unwrap();
    let site = dir.path().join("site");
    build(registry, &site);
    let (mut bytes, mut pages, mut fixes, mut capped) = (0, 0, 0, 0);
    let rules = Regex::new(r#"<td class="id"><a href="[^"]*">([^<]*)</a>"#).unwrap();
    for entry in fs::read_dir(site.join("identities")).unwrap() {
        let page = fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!page.contains("<svg"), "no inline picture");
        assert!(page.contains("<h2 id=\"h-blast\">Blast radius</h2>"));
        // Every rule's fix once, however many of its findings the table lists.
        let listed: std::collections::BTreeSet<String> = rules
            .captures_iter(&page)
            .map(|c| c[1].to_string())
            .collect();
        for rule in &listed {
            assert_eq!(
                page.matches(&format!(">{rule}</a>: ")).count(),
                1,
                "the fix of {rule} once"
            );
            fixes += 1;
        }
        capped += blast_rows_and_counts_agree(&page);
        bytes += page.len();
        pages += 1;
    }
    assert_eq!(pages, 400);
    assert!(fixes > 0, "some page lists a finding");
    assert!(capped > 0, "some blast-radius table is capped");
    let average = bytes / pages;
    assert!(average < 8_000, "identity pages average {average} bytes");
}

/// A blast-radius table lists at most 25 systems and 25 identities, the rest counted: its rows and the
/// count of those not listed add up to the systems and identities the page says are reached. Returns 1 for a
/// capped table.
fn blast_rows_and_counts_agree(page: &str) -> usize {
    let Some(table) = page
        .split("<table class=\"data sortable\" id=\"blast\">")
        .nth(1)
    else {
        return 0;
    };
    let table = &table[..table.find("</table>").unwrap()];
    let identities = table.matches("<tr class=\"i\">").count();
    let systems = table.matches("<tr").count() - 1 - identities;
    assert!(
        systems <= 25 && identities <= 25,
        "{systems} + {identities} rows"
    );
    let count = |pattern: &str| {
        Regex::new(pattern)
            .unwrap()
            .captures(page)
            .map_or(0, |c| c[1].parse::<usize>().unwrap())
    };
    let reached =
        count(r"reaches <strong>(\d+) system") + count(r"credentials of <strong>(\d+) identit");
    let not_listed = count(r"(\d+) more are not listed here");
    assert_eq!(systems + identities + not_listed, reached);
    usize::from(not_listed > 0)
}

/// Regression guard for the site taking the check's graph and ranking instead of making its own: the
/// check that keeps them finds what the plain check finds, and what it keeps is the registry's graph
/// ranked afresh.
#[test]
fn the_check_that_keeps_its_ranking_finds_the_same_and_keeps_the_registrys_ranking() {
    let as_of = day("2026-11-23");
    let plain = nhi::check(&example(), as_of).expect("the example loads");
    let (kept, ranked) = nhi::check_keeping(&example(), as_of).expect("the example loads");
    assert_eq!(plain.findings, kept.findings);
    let fresh = nhi::graph::Ranked::of(&kept.registry);
    assert!(!fresh.ranking.is_empty());
    assert_eq!(ranked.ranking, fresh.ranking);
    assert_eq!(ranked.graph.all(), fresh.ranking);
    assert_eq!(
        ranked.graph.petgraph().edge_count(),
        fresh.graph.petgraph().edge_count()
    );
}
