//! Writing the site: every path checked to stay inside the output, files written into a staging directory
//! beside the output, and the staging directory renamed over the output only once everything is written.
//! A file whose bytes the previous site already holds is hard-linked from it rather than written again.

use foldhash::{HashMap, HashMapExt};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{bail, Context as _, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The name of the manifest; its presence marks a directory as a site this tool may replace.
pub const MANIFEST: &str = "manifest.json";

/// One written file, for the manifest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Written {
    pub path: String,
    pub sha256: Sum,
    pub bytes: usize,
}

/// A SHA-256 sum, written in lower-case hexadecimal. Held as its 32 bytes: a site of a million
/// identities lists over a million files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sum(pub [u8; 32]);

impl Sum {
    pub fn of(bytes: &[u8]) -> Sum {
        Sum(Sha256::digest(bytes).into())
    }

    /// The sum written in hexadecimal, as the manifest has it; `None` for anything else.
    pub fn parse(hex: &str) -> Option<Sum> {
        let mut sum = [0; 32];
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        for (n, b) in sum.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * n..2 * n + 2], 16).ok()?;
        }
        Some(Sum(sum))
    }
}

impl std::fmt::Display for Sum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Serialize for Sum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The directory a site is written into before it replaces the output.
pub struct Staging {
    dir: PathBuf,
    /// The site being replaced, with its manifest's sums: a file whose new bytes have the same sum and size
    /// is hard-linked from it instead of written again.
    previous: Option<Previous>,
    /// How many files were written (not linked from the previous site).
    written: AtomicUsize,
}

struct Previous {
    dir: PathBuf,
    files: HashMap<String, (Sum, usize)>,
    /// Each page's input key, by path (see [`super::inputs`]).
    inputs: HashMap<String, (u32, String)>,
}

impl Previous {
    /// The site at `out`, when it is one this tool built (it has a readable `manifest.json`).
    fn read(out: &Path) -> Option<Previous> {
        let file = fs::File::open(out.join(MANIFEST)).ok()?;
        let manifest: ManifestFiles =
            serde_json::from_reader(io::BufReader::with_capacity(1 << 16, file)).ok()?;
        let files = manifest.files.0;
        let inputs = fs::read_to_string(out.join(super::inputs::FILE))
            .map(|text| super::inputs::parse(&text))
            .unwrap_or_default();
        Some(Previous {
            dir: out.to_path_buf(),
            files,
            inputs,
        })
    }

    /// Links `rel` from the previous site to `to` when the manifest gives it `sum` and `bytes`, and the file
    /// there is still a regular file of that size; false when it cannot (the caller then writes it).
    fn link(&self, rel: &str, sum: &Sum, bytes: usize, to: &Path) -> bool {
        if !self
            .files
            .get(rel)
            .is_some_and(|(s, b)| s == sum && *b == bytes)
        {
            return false;
        }
        let from = self.dir.join(rel);
        let same = fs::symlink_metadata(&from)
            .is_ok_and(|m| m.file_type().is_file() && m.len() == bytes as u64);
        same && fs::hard_link(&from, to).is_ok()
    }

    /// As [`Previous::link`], over the file already written at `to` (through a link beside it, renamed over
    /// it): the file keeps the previous site's inode, as a file linked before writing would.
    fn link_over(&self, rel: &str, sum: &Sum, bytes: usize, to: &Path) -> bool {
        let Some(name) = to.file_name() else {
            return false;
        };
        let beside = to.with_file_name(format!(".{}.link", name.to_string_lossy()));
        let _ = fs::remove_file(&beside);
        if !self.link(rel, sum, bytes, &beside) {
            return false;
        }
        let moved = fs::rename(&beside, to).is_ok();
        if !moved {
            let _ = fs::remove_file(&beside);
        }
        moved
    }
}

/// The files of a previous site's manifest, read entry by entry into a map (not a JSON tree: at a million
/// files that tree would take a gigabyte). An entry that does not parse is left out (its file is written).
#[derive(serde::Deserialize)]
struct ManifestFiles {
    files: FileSums,
}

struct FileSums(HashMap<String, (Sum, usize)>);

impl<'de> serde::Deserialize<'de> for FileSums {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = FileSums;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of files")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<FileSums, A::Error> {
                #[derive(serde::Deserialize)]
                struct Entry {
                    path: Option<String>,
                    sha256: Option<String>,
                    bytes: Option<u64>,
                }
                let mut files = HashMap::new();
                while let Some(e) = seq.next_element::<Entry>()? {
                    let sum = e.sha256.as_deref().and_then(Sum::parse);
                    let bytes = e.bytes.and_then(|b| usize::try_from(b).ok());
                    if let (Some(path), Some(sum), Some(bytes)) = (e.path, sum, bytes) {
                        files.insert(path, (sum, bytes));
                    }
                }
                Ok(FileSums(files))
            }
        }
        d.deserialize_seq(Entries)
    }
}

/// A writer that hashes and counts what passes through it.
struct Summing<W> {
    inner: W,
    hash: Sha256,
    bytes: usize,
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Staging {
    /// Creates an empty staging directory beside `out` (same file system, so the final rename is atomic).
    pub fn beside(out: &Path) -> Result<Staging> {
        let parent = parent_of(out);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = out
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot remove the stale {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging {
            dir,
            previous: Previous::read(out),
            written: AtomicUsize::new(0),
        })
    }

    /// The input key the previous site recorded for the page at `rel`, with the site-wide fields it read.
    pub fn previous_input(&self, rel: &str) -> Option<(u32, &str)> {
        let (read, key) = self.previous.as_ref()?.inputs.get(rel)?;
        Some((*read, key.as_str()))
    }

    /// Links the previous site's `rel` unchanged, as its manifest lists it, without knowing its bytes: for a
    /// page whose inputs did not change. `None` when the previous site does not hold it whole.
    pub fn relink(&self, rel: &str) -> Result<Option<Written>> {
        let path = self.path(rel)?;
        let Some(previous) = &self.previous else {
            return Ok(None);
        };
        let Some((sum, bytes)) = previous.files.get(rel) else {
            return Ok(None);
        };
        Ok(previous.link(rel, sum, *bytes, &path).then(|| Written {
            path: rel.to_string(),
            sha256: *sum,
            bytes: *bytes,
        }))
    }

    /// How many files were written so far; the others were linked unchanged from the previous site.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The place of `rel` (a `/`-separated relative path) inside the staging directory, refusing any path
    /// that could leave it.
    pub fn path(&self, rel: &str) -> Result<PathBuf> {
        let inside = !rel.is_empty()
            && !rel.starts_with('/')
            && !rel.contains('\\')
            && Path::new(rel)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            && rel
                .split('/')
                .all(|part| !part.is_empty() && part.bytes().any(|b| b != b'.'));
        if !inside {
            bail!("refusing to write `{rel}`: the path would leave the output directory");
        }
        let path = self.dir.join(rel);
        if !path.starts_with(&self.dir) {
            bail!("refusing to write `{rel}`: the path would leave the output directory");
        }
        Ok(path)
    }

    /// Writes `bytes` at `rel` (its directory must exist) and returns its manifest entry. A file the previous
    /// site holds with the same bytes (by its manifest's sum and size) is hard-linked from it instead: a
    /// rebuild writes only what changed, and readers still see the old site whole until the rename.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<Written> {
        let path = self.path(rel)?;
        let sha256 = Sum::of(bytes);
        let linked = self
            .previous
            .as_ref()
            .is_some_and(|p| p.link(rel, &sha256, bytes.len(), &path));
        if !linked {
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Written {
            path: rel.to_string(),
            sha256,
            bytes: bytes.len(),
        })
    }

    /// Writes the file `rel` as `fill` makes it: its bytes go to the file (and its sum) as they come, so a
    /// large data file is never held whole in memory. Then, as [`Staging::write`] does, a file the previous
    /// site holds with the same bytes becomes a link to it. A failing `fill` fails the build.
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<Written> {
        let path = self.path(rel)?;
        let file =
            fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        let mut out = Summing {
            inner: BufWriter::with_capacity(1 << 16, file),
            hash: Sha256::new(),
            bytes: 0,
        };
        fill(&mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        let Summing { inner, hash, bytes } = out;
        drop(inner);
        let sha256 = Sum(hash.finalize().into());
        let linked = self
            .previous
            .as_ref()
            .is_some_and(|p| p.link_over(rel, &sha256, bytes, &path));
        if !linked {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Written {
            path: rel.to_string(),
            sha256,
            bytes,
        })
    }

    /// Creates the directory `rel` inside the staging directory.
    pub fn mkdir(&self, rel: &str) -> Result<()> {
        let path = self.path(rel)?;
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))
    }

    /// Replaces `out` with the staging directory. An existing `out` is replaced only when it is empty or
    /// holds a site (a `manifest.json`), so a mistyped `-o` cannot wipe an unrelated directory.
    pub fn commit(&self, out: &Path) -> Result<()> {
        if out.exists() {
            let is_empty = fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !is_empty && !out.join(MANIFEST).is_file() {
                bail!("refusing to replace {}: it is not empty and holds no {MANIFEST}, so it is not a site built by nhi", out.display());
            }
            let old = self.dir.with_extension("old");
            fs::rename(out, &old).with_context(|| {
                format!("cannot move the previous site {} aside", out.display())
            })?;
            fs::rename(&self.dir, out)
                .with_context(|| format!("cannot move the new site into {}", out.display()))?;
            fs::remove_dir_all(&old)
                .with_context(|| format!("cannot remove the previous site at {}", old.display()))?;
        } else {
            fs::rename(&self.dir, out)
                .with_context(|| format!("cannot move the new site into {}", out.display()))?;
        }
        Ok(())
    }

    /// Removes the file `rel` written or linked earlier in this build, so that it can be written again: writing
    /// over it in place would change the previous site's file through the link they share.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let path = self.path(rel)?;
        if fs::symlink_metadata(&path).is_ok_and(|m| !self.linked(rel, &m)) {
            // Never below 0, whatever the platform made of the file.
            let _ = self
                .written
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        }
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", path.display()))
            }
            _ => Ok(()),
        }
    }

    /// Whether the staged file `rel` (of metadata `meta`) is a link to the previous site's, not written by
    /// this build: it has another name. Where the link count cannot be read, a file of the size the previous
    /// site's manifest gives it is taken for a link, as [`Previous::link`] makes only those.
    fn linked(&self, rel: &str, meta: &fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            let _ = rel;
            std::os::unix::fs::MetadataExt::nlink(meta) > 1
        }
        #[cfg(not(unix))]
        {
            self.previous.as_ref().is_some_and(|p| {
                p.files
                    .get(rel)
                    .is_some_and(|(_, bytes)| *bytes as u64 == meta.len())
            })
        }
    }

    /// Removes the staging directory after a failed build.
    pub fn discard(&self) {
        if self.dir.exists() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_registry_ids_name_files() {
        for ok in ["a", "payments-stripe.key_1", "0", "a.."] {
            assert!(crate::id::is_id(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "...",
            "../x",
            "a/b",
            "A",
            "-x",
            ".hidden",
            "a\\b",
            &"a".repeat(129),
        ] {
            assert!(!crate::id::is_id(bad), "{bad}");
        }
    }

    #[test]
    fn sums_read_back_as_written() {
        let sum = Sum::of(b"abc");
        let hex = sum.to_string();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sum::parse(&hex), Some(sum));
        for bad in [
            "",
            "ba78",
            &hex[1..],
            &format!("{}g", &hex[1..]),
            &"é".repeat(32),
        ] {
            assert_eq!(Sum::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_path_leaves_the_staging_directory() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::beside(&dir.path().join("site")).unwrap();
        assert!(staging
            .path("identities/a.html")
            .unwrap()
            .starts_with(staging.dir()));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "..",
            "...",
            "a//b",
            "a\\..\\b",
            "identities/..",
        ] {
            assert!(staging.path(bad).is_err(), "{bad}");
        }
        staging.discard();
        assert!(!staging.dir().exists());
    }
}
