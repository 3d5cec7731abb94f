//! Letting go of replaced files on other threads: a file renamed over is freed when its last name and its
//! last open handle are gone, and freeing can wait on the disk. Held open across the rename, the old file
//! is freed when the handle is dropped, here on a pool of threads whose waits overlap.

use std::fs::File;
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Mutex;

/// Threads that drop handles. They only wait (on the disk), so more than the cores: measured on ext4 with
/// `discard`, freeing 80,000 files took 10 to 14 s on one thread, 2.3 s on 16, 1.5 s on 32 and 1.1 s on 64.
const RELEASERS: usize = 32;
/// Below this many files the handles are dropped in place (no threads).
const FEW: usize = 64;
/// Handles waiting to be dropped at most: with the releasers' own, well under the usual limit of 1,024
/// open files.
const QUEUE: usize = 256;

/// Where the caller hands the handles it holds.
pub struct Release {
    queue: Option<SyncSender<File>>,
}

impl Release {
    /// Opens `path` for reading (without following a link and without blocking), to keep its file alive
    /// past a rename over it; `None` when there is nothing to gain or it cannot be opened (then the rename
    /// frees it as usual).
    pub fn hold(&self, path: &Path) -> Option<File> {
        self.queue.as_ref()?;
        open(path)
    }

    /// Drops the handle on a releasing thread.
    pub fn let_go(&self, file: Option<File>) {
        if let (Some(queue), Some(file)) = (&self.queue, file) {
            // The releasers only stop once the queue is dropped, so sending cannot fail; if it did, the
            // handle comes back and is dropped here.
            let _ = queue.send(file);
        }
    }
}

/// Runs `f` with a pool of releasing threads for `files` renames (none for a few), and waits for every
/// handle to be dropped before returning.
pub fn with_releasers<T>(files: usize, f: impl FnOnce(&Release) -> T) -> T {
    if files < FEW || !cfg!(unix) {
        return f(&Release { queue: None });
    }
    let (queue, handles) = sync_channel::<File>(QUEUE);
    let handles = Mutex::new(handles);
    std::thread::scope(|scope| {
        for _ in 0..RELEASERS {
            scope.spawn(|| loop {
                // The lock is held only to take the next handle, not while it is dropped.
                let next = handles.lock().map(|h| h.recv());
                match next {
                    Ok(Ok(file)) => drop(file),
                    _ => break,
                }
            });
        }
        let release = Release { queue: Some(queue) };
        let out = f(&release);
        // Without the queue the releasers finish what is in it and stop; the scope waits for them.
        drop(release);
        out
    })
}

#[cfg(unix)]
fn open(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()
}

#[cfg(not(unix))]
fn open(_: &Path) -> Option<File> {
    None
}
