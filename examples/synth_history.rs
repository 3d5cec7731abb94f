//! Gives a registry a year of git history, for benchmarks and the browser test:
//! `cargo run --release --example synth_history -- REGISTRY REPO [--months N] [--percent P] [--start DAY]`.
//!
//! REPO becomes a new git repository holding a copy of REGISTRY under `registry/`, committed on `--start`
//! (default 2025-11-01). Each following month, P percent (default 3) of the identity files change: the
//! credential is rotated or the review recorded on that month's day (`last_rotated:` / `last:` lines are
//! rewritten), as one commit with a scripted author and date and a pull-request number in its subject.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(from), Some(repo)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: synth_history REGISTRY REPO [--months N] [--percent P] [--start YYYY-MM-DD]"
        );
        return ExitCode::from(2);
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let months: i64 = flag("--months").and_then(|s| s.parse().ok()).unwrap_or(12);
    let percent: f64 = flag("--percent")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let start: jiff::civil::Date = flag("--start")
        .and_then(|s| s.parse().ok())
        .unwrap_or(jiff::civil::date(2025, 11, 1));
    match run(Path::new(from), Path::new(repo), months, percent, start) {
        Ok(commits) => {
            eprintln!("wrote {commits} commits to {repo}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth_history: {e}");
            ExitCode::from(2)
        }
    }
}

const AUTHORS: [(&str, &str); 3] = [
    ("Amara Okafor", "amara.okafor@northwind.example"),
    ("Lena Fischer", "lena.fischer@northwind.example"),
    ("Jonas Weber", "jonas.weber@northwind.example"),
];

fn run(
    from: &Path,
    repo: &Path,
    months: i64,
    percent: f64,
    start: jiff::civil::Date,
) -> Result<usize, String> {
    let reg = repo.join("registry");
    copy_dir(from, &reg).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    git(repo, &["init", "-q", "-b", "main"], None)?;
    git(repo, &["config", "commit.gpgsign", "false"], None)?;
    commit(repo, start, 0, "Registry")?;
    let mut files = Vec::new();
    collect(&reg.join("identities"), &mut files);
    files.sort();
    let per_month = ((files.len() as f64 * percent / 100.0).round() as usize).max(1);
    let mut cursor = 0usize;
    for month in 1..=months {
        let day = start
            .checked_add(jiff::Span::new().months(month))
            .map_err(|e| e.to_string())?;
        for _ in 0..per_month {
            // A stride through the files, so each month touches different ones.
            let file = &files[(cursor * 7919) % files.len()];
            cursor += 1;
            touch(file, day, cursor % 2 == 0).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        let subject = format!(
            "Rotations and reviews of {} (#{})",
            day.strftime("%B %Y"),
            100 + month
        );
        commit(repo, day, month as usize, &subject)?;
    }
    Ok(months as usize + 1)
}

/// Rewrites the identity's rotation (or its review) to `day`.
fn touch(file: &Path, day: jiff::civil::Date, review: bool) -> std::io::Result<()> {
    let text = std::fs::read_to_string(file)?;
    let (key, other) = if review {
        ("last:", "last_rotated:")
    } else {
        ("last_rotated:", "last:")
    };
    let mut done = false;
    let mut out = String::with_capacity(text.len());
    for key in [key, other] {
        if done {
            break;
        }
        out.clear();
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if !done && trimmed.starts_with(key) {
                let indent = &line[..line.len() - trimmed.len()];
                out.push_str(&format!("{indent}{key} {day}\n"));
                done = true;
            } else {
                out.push_str(line);
            }
        }
    }
    if !done {
        out = text;
        out.push_str(&format!("# touched {day}\n"));
    }
    std::fs::write(file, out)
}

fn commit(repo: &Path, day: jiff::civil::Date, n: usize, subject: &str) -> Result<(), String> {
    git(repo, &["add", "-A"], None)?;
    let (name, email) = AUTHORS[n % AUTHORS.len()];
    let date = format!("{day}T10:00:00Z");
    git(
        repo,
        &["commit", "-q", "--allow-empty", "-m", subject],
        Some((name, email, &date)),
    )
}

fn git(repo: &Path, args: &[&str], who: Option<(&str, &str, &str)>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(repo).args(args);
    if let Some((name, email, date)) = who {
        for (k, v) in [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_AUTHOR_DATE", date),
            ("GIT_COMMITTER_DATE", date),
        ] {
            cmd.env(k, v);
        }
    }
    let out = cmd.output().map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
