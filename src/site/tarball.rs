//! How large the site is as GitHub Pages receives it. `actions/upload-pages-artifact` packs the output
//! directory with `tar -cf artifact.tar .` (GNU tar's format), and GitHub supports published sites of up to
//! 1 GB; `actions/deploy-pages` warns past 1 GiB. The tar holds a 512-byte header for each file and folder,
//! and each file's bytes padded to 512, so 113,000 small files add about 90 MB to the bytes of the pages.

use std::collections::BTreeSet;

/// The size past which `actions/deploy-pages` warns that a deployment might fail (its `ONE_GIGABYTE`).
pub const PAGES_LIMIT: u64 = 1 << 30;

const BLOCK: u64 = 512;
/// GNU tar writes whole records of 20 blocks.
const RECORD: u64 = 20 * BLOCK;
/// The longest name a header holds; a longer one takes a GNU long-name entry before it.
const NAME: usize = 100;

/// The bytes of `tar -cf - .` run in the site's folder, for its files given as (path, bytes).
pub fn tar_bytes<'a>(files: impl IntoIterator<Item = (&'a str, u64)>) -> u64 {
    let mut folders = BTreeSet::new();
    let mut total = 0;
    for (path, bytes) in files {
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            folders.insert(parent);
            dir = parent;
        }
        total += member(path.len() + 2, bytes);
    }
    // `./` itself, then each folder as `./NAME/`.
    total += member(2, 0);
    total += folders.iter().map(|f| member(f.len() + 3, 0)).sum::<u64>();
    // Two zero blocks end the archive.
    (total + 2 * BLOCK).next_multiple_of(RECORD)
}

/// One entry: its header (and a long-name entry if its name, `./` included, is too long) and its bytes.
fn member(name: usize, bytes: u64) -> u64 {
    let long_name = if name > NAME {
        BLOCK + (name as u64 + 1).next_multiple_of(BLOCK)
    } else {
        0
    };
    long_name + BLOCK + bytes.next_multiple_of(BLOCK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_headers_padding_folders_and_the_closing_record() {
        // `./`, `./a/`, `./a/b.html` (1 byte: one header and one block), end blocks: 5 blocks, one record.
        assert_eq!(tar_bytes([("a/b.html", 1)]), RECORD);
        // 21 blocks of data make a second record.
        let big = tar_bytes([("f", 21 * BLOCK)]);
        assert_eq!(big, 2 * RECORD);
        // A name of over 100 bytes takes a long-name entry: two more blocks.
        let long = "x".repeat(120);
        assert_eq!(
            tar_bytes([(long.as_str(), 16 * BLOCK)]),
            tar_bytes([("x", 16 * BLOCK)]) + RECORD
        );
    }
}
