//! What a file looked like on disk when it was read (device, inode, size, change and modification
//! times, mode), so that writing a plan can tell the file is unchanged without reading it again.
//!
//! A stamp proves nothing about a file changed in the same clock tick as it was read: time stamps are
//! coarse (a few milliseconds on Linux, seconds on some file systems), so a change right before the read and
//! another right after could leave the same stamp. A stamp only vouches for a file whose times are older
//! than the read by more than [`SETTLED`]; any later change moves the change time (which no program can set
//! back) past the stamp's. Otherwise, or when the stamps differ, the caller compares the bytes.

use std::fs::Metadata;
use std::time::{Duration, SystemTime};

/// How much older than the read a file's times must be for its stamp to vouch for it.
const SETTLED: Duration = Duration::from_secs(2);

/// A file's metadata as read, and when it was taken.
#[derive(Clone, Debug)]
pub struct Stamp {
    meta: Fields,
    settled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Fields {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    unix: (u64, u64, u32, i64, i64),
}

impl Fields {
    fn of(meta: &Metadata) -> Fields {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Fields {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            unix: (
                meta.dev(),
                meta.ino(),
                meta.mode(),
                meta.ctime(),
                meta.ctime_nsec(),
            ),
        }
    }

    /// The latest of the file's times, when the platform gives them.
    fn latest(&self) -> Option<SystemTime> {
        #[cfg(unix)]
        let changed = {
            let (_, _, _, secs, nanos) = self.unix;
            let secs = u64::try_from(secs).ok()?;
            let nanos = u32::try_from(nanos).ok()?;
            SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))?
        };
        #[cfg(not(unix))]
        let changed = SystemTime::UNIX_EPOCH;
        Some(self.modified?.max(changed))
    }
}

impl Stamp {
    /// The stamp of `meta`, taken from the file before its bytes were read, at `before` (a time taken
    /// before `meta`).
    pub fn new(meta: &Metadata, before: SystemTime) -> Stamp {
        let meta = Fields::of(meta);
        let settled = meta
            .latest()
            .zip(before.checked_sub(SETTLED))
            .is_some_and(|(latest, limit)| latest < limit);
        Stamp { meta, settled }
    }

    /// Whether `now` (the file's metadata now) shows the file as it was read, without a doubt; `false`
    /// means "compare the bytes", not "changed".
    pub fn vouches_for(&self, now: &Metadata) -> bool {
        self.settled && Fields::of(now) == self.meta
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::Stamp;

    #[test]
    fn a_stamp_vouches_only_for_a_settled_file_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        // Just written: too recent to vouch for, whatever the metadata says.
        assert!(!Stamp::new(&meta, SystemTime::now()).vouches_for(&meta));
        let later = SystemTime::now() + Duration::from_secs(10);
        let stamp = Stamp::new(&meta, later);
        assert!(stamp.vouches_for(&std::fs::symlink_metadata(&path).unwrap()));
        // A change of the file changes what the stamp compares.
        std::fs::write(&path, "a: 22\n").unwrap();
        assert!(!stamp.vouches_for(&std::fs::symlink_metadata(&path).unwrap()));
        let stamp = Stamp::new(&std::fs::symlink_metadata(&path).unwrap(), later);
        let mut permissions = std::fs::symlink_metadata(&path).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&path, permissions).unwrap();
        assert!(!stamp.vouches_for(&std::fs::symlink_metadata(&path).unwrap()));
    }
}
