//! Command cases as data: every directory `tests/cmd/<command>/<case>/` holds `args` (one argument a line, run
//! from the repository root), the expected `stdout`, and the expected exit `code`; an optional `stderr` must
//! be contained in the error output. `NHI_BLESS=1 cargo test commands` writes `stdout` and `code` from the
//! current binary instead: review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{nhi, repo};

struct Case {
    dir: PathBuf,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let root = repo().join("tests/cmd");
    let mut cases = Vec::new();
    for command in fs::read_dir(&root).expect("tests/cmd") {
        for case in fs::read_dir(command.unwrap().path()).unwrap() {
            let dir = case.unwrap().path();
            let args = fs::read_to_string(dir.join("args"))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join("args").display()));
            let args = args.lines().map(str::to_string).collect();
            cases.push(Case { dir, args });
        }
    }
    cases.sort_by(|a, b| a.dir.cmp(&b.dir));
    cases
}

fn read(dir: &Path, name: &str) -> Option<String> {
    fs::read_to_string(dir.join(name)).ok()
}

#[test]
fn every_command_case_gives_its_output_and_exit_code() {
    let bless = std::env::var_os("NHI_BLESS").is_some();
    let cases = cases();
    assert!(cases.len() >= 10, "the command cases are found");
    let mut failed = Vec::new();
    for case in &cases {
        let out = nhi()
            .args(&case.args)
            .current_dir(repo())
            .output()
            .expect("nhi runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out.status.code().expect("exits").to_string();
        if bless {
            fs::write(case.dir.join("stdout"), &stdout).unwrap();
            fs::write(case.dir.join("code"), format!("{code}\n")).unwrap();
            continue;
        }
        let name = case.dir.strip_prefix(repo()).unwrap().display().to_string();
        let want_code = read(&case.dir, "code").unwrap_or_else(|| panic!("{name}: no code"));
        if want_code.trim() != code {
            failed.push(format!(
                "{name}: exit {code}, expected {}\n{stderr}",
                want_code.trim()
            ));
        }
        let want = read(&case.dir, "stdout").unwrap_or_else(|| panic!("{name}: no stdout"));
        if want != stdout {
            failed.push(format!(
                "{name}: stdout differs\n--- expected\n{want}\n--- got\n{stdout}"
            ));
        }
        if let Some(part) = read(&case.dir, "stderr") {
            if !stderr.contains(part.trim_end()) {
                failed.push(format!("{name}: stderr lacks {part:?}: {stderr}"));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{}\n\n(after a deliberate change: NHI_BLESS=1 cargo test --test it commands, then review the diff)",
        failed.join("\n\n")
    );
}
