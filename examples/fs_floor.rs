//! What the file system alone costs a site build, with no rendering: `cargo run --release --example
//! fs_floor -- SITE DIR`. It lists the files of a built SITE, then under DIR (on the file system to
//! measure, made just before for the figures in `docs/benchmarks.md`) creates files of the same sizes and
//! paths on two threads and then on one, hard-links the first copy's files into a new tree as a rebuild's
//! staging does, and removes that tree, timing each step.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [site, dir] = args.as_slice() else {
        eprintln!("usage: fs_floor SITE DIR");
        return ExitCode::from(2);
    };
    match run(site, dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fs_floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(site: &Path, dir: &Path) -> io::Result<()> {
    let mut files = Vec::new();
    list(site, Path::new(""), &mut files)?;
    files.sort();
    println!("{} files in {}", files.len(), site.display());
    let bytes = vec![b'x'; files.iter().map(|f| f.1).max().unwrap_or(0) as usize];
    let create = |root: &Path, files: &[(PathBuf, u64)]| -> io::Result<()> {
        for (rel, size) in files {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&path, &bytes[..*size as usize])?;
        }
        Ok(())
    };
    let (a, b) = files.split_at(files.len() / 2);
    time("create, two threads", || {
        std::thread::scope(|s| {
            let first = s.spawn(|| create(&dir.join("two"), a));
            let second = create(&dir.join("two"), b);
            first.join().expect("the creating thread ends")?;
            second
        })
    })?;
    time("create, one thread", || create(&dir.join("one"), &files))?;
    time("hard-link, one thread", || {
        for (rel, _) in &files {
            let to = dir.join("linked").join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::hard_link(dir.join("one").join(rel), to)?;
        }
        Ok(())
    })?;
    time("remove, one thread", || {
        for (rel, _) in &files {
            fs::remove_file(dir.join("linked").join(rel))?;
        }
        Ok(())
    })
}

fn list(root: &Path, rel: &Path, out: &mut Vec<(PathBuf, u64)>) -> io::Result<()> {
    for entry in fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let rel = rel.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            list(root, &rel, out)?;
        } else if kind.is_file() {
            out.push((rel, entry.metadata()?.len()));
        }
    }
    Ok(())
}

fn time(what: &str, f: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
    let start = Instant::now();
    f()?;
    println!("{what}: {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}
