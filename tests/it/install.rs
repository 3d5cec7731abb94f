//! The action's install step, run as the runner runs it: the script of action.yml's install step with the
//! runner's variables, the action kept in `_actions/OWNER/NAME/REF`, releases served from a directory
//! (`NHI_DOWNLOAD_URL=file://…`) and a stand-in `cargo` that records a build from source. A release tag
//! installs the release and verifies its checksum; a tampered archive stops the job; a branch, or a pinned
//! commit the release was not built from, builds from source.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use nhi::load::yaml::{self, Node, Value};

use crate::common::repo;

/// The `run` script of the install step.
fn install_script() -> String {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let root = yaml::parse(&text).documents.remove(0).root;
    let get = |node: &Node, key: &str| -> Option<Node> {
        let Value::Map(entries) = &node.value else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v.clone())
    };
    let Value::Seq(steps) = get(&get(&root, "runs").unwrap(), "steps").unwrap().value else {
        panic!("runs.steps")
    };
    let step = steps
        .iter()
        .find(|s| matches!(get(s, "name"), Some(Node { value: Value::Str(n), .. }) if n.starts_with("Install nhi")))
        .expect("an install step");
    match get(step, "run").unwrap().value {
        Value::Str(s) => s,
        _ => panic!("run is a string"),
    }
}

fn write_exec(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn sh(dir: &Path, script: &str) {
    let ok = Command::new("bash")
        .current_dir(dir)
        .args(["-c", script])
        .status()
        .unwrap();
    assert!(ok.success(), "{script}");
}

/// A world with release `tag` of acme/nhi (built from commit `commit`) for Linux x86_64.
struct World {
    dir: tempfile::TempDir,
}

const TARGET: &str = "x86_64-unknown-linux-musl";

impl World {
    fn new(tag: &str, commit: &str) -> World {
        let world = World {
            dir: tempfile::tempdir().unwrap(),
        };
        let name = format!("nhi-{tag}-{TARGET}");
        let staging = world.path().join("staging");
        write_exec(
            &staging.join(&name).join("nhi"),
            &format!("#!/bin/sh\necho 'nhi {} (commit {commit})'\n", &tag[1..]),
        );
        let release = world
            .path()
            .join("releases/acme/nhi/releases/download")
            .join(tag);
        std::fs::create_dir_all(&release).unwrap();
        sh(
            &staging,
            &format!("tar -czf '{}/{name}.tar.gz' {name}", release.display()),
        );
        sh(&release, "sha256sum nhi-* > SHA256SUMS");
        world
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the install step for the action used at `acme/nhi@REF`, with `install` as the input.
    fn run(&self, action_ref: &str, install: &str) -> (bool, String, Option<String>) {
        let action = self.path().join("work/_actions/acme/nhi").join(action_ref);
        std::fs::create_dir_all(action.join("scripts")).unwrap();
        std::fs::copy(
            repo().join("scripts/install.sh"),
            action.join("scripts/install.sh"),
        )
        .unwrap();
        std::fs::write(
            action.join("Cargo.toml"),
            "[package]\nname = \"nhi\"\nversion = \"1.2.3\"\n",
        )
        .unwrap();
        let bin = self.path().join("fake-bin");
        let built = self.path().join("cargo-was-called");
        let _ = std::fs::remove_file(&built);
        write_exec(
            &bin.join("cargo"),
            &format!("#!/bin/sh\necho \"$@\" > '{}'\n", built.display()),
        );
        let temp = self
            .path()
            .join(format!("runner-temp-{action_ref}-{install}"));
        std::fs::create_dir_all(&temp).unwrap();
        let github_path = temp.join("github-path");
        let out = Command::new("bash")
            .args(["-e", "-c", &install_script()])
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("GITHUB_ACTION_PATH", &action)
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_PATH", &github_path)
            .env("NHI_INSTALL", install)
            .env("NHI_ACTION_REF", "")
            .env("NHI_ACTION_REPOSITORY", "")
            .env("NHI_TARGET", TARGET)
            .env(
                "NHI_DOWNLOAD_URL",
                format!("file://{}", self.path().join("releases").display()),
            )
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let installed: PathBuf = temp.join("nhi/bin/nhi");
        let version = Command::new(&installed)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        let source = std::fs::read_to_string(&built).ok();
        if out.status.success() {
            let path = std::fs::read_to_string(&github_path).unwrap();
            assert_eq!(path.trim(), temp.join("nhi/bin").display().to_string());
        }
        (
            out.status.success(),
            log,
            version.or(source.map(|s| format!("built: {s}"))),
        )
    }
}

#[test]
fn a_release_tag_installs_the_verified_release() {
    let world = World::new("v1.2.3", "0123456789ab");
    let (ok, log, got) = world.run("v1.2.3", "auto");
    assert!(ok, "{log}");
    assert_eq!(
        got.as_deref(),
        Some("nhi 1.2.3 (commit 0123456789ab)"),
        "{log}"
    );
    assert!(log.contains("verified against SHA256SUMS"), "{log}");
    // A floating major tag stands for the version of the action's own Cargo.toml.
    let (ok, log, got) = world.run("v1", "release");
    assert!(ok, "{log}");
    assert_eq!(got.as_deref(), Some("nhi 1.2.3 (commit 0123456789ab)"));
}

#[test]
fn a_tampered_archive_stops_the_job() {
    let world = World::new("v1.2.3", "0123456789ab");
    let archive = world.path().join(format!(
        "releases/acme/nhi/releases/download/v1.2.3/nhi-v1.2.3-{TARGET}.tar.gz"
    ));
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();
    let (ok, log, got) = world.run("v1.2.3", "auto");
    assert!(!ok, "{log}");
    assert!(log.contains("checksum mismatch"), "{log}");
    assert_eq!(got, None, "nothing installed, nothing built");
}

#[test]
fn a_branch_or_a_foreign_commit_builds_from_source() {
    let world = World::new("v1.2.3", "0123456789ab");
    for action_ref in ["main", "v2", "fedcba9876543210fedcba9876543210fedcba98"] {
        let (ok, log, got) = world.run(action_ref, "auto");
        assert!(ok, "{action_ref}: {log}");
        let got = got.unwrap_or_default();
        assert!(
            got.starts_with("built: install --path"),
            "{action_ref}: {got}\n{log}"
        );
        assert!(got.contains("--locked"), "{got}");
    }
    // The commit the release was built from takes the release.
    let pinned = "0123456789abcdef0123456789abcdef01234567";
    let (ok, log, got) = world.run(pinned, "auto");
    assert!(ok, "{log}");
    assert_eq!(
        got.as_deref(),
        Some("nhi 1.2.3 (commit 0123456789ab)"),
        "{log}"
    );
    // `release` refuses to build.
    let (ok, log, _) = world.run("main", "release");
    assert!(!ok, "{log}");
    // `source` always builds.
    let (ok, _, got) = world.run("v1.2.3", "source");
    assert!(ok);
    assert!(got.unwrap().starts_with("built: "));
}
