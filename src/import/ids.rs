//! Registry ids from names found in exports: sanitised to `^[a-z0-9][a-z0-9._-]{0,127}$` and made unique.
//!
//! Ids become file names, so a name from an export (hostile, like every value in it) can never produce a
//! path separator, a leading dot, or anything else the pattern refuses.

use std::collections::HashSet;

use crate::id::{is_id_char, MAX_LEN};

/// `name` as an id: lowercased, every other character a `-`, runs of `-` collapsed, leading characters
/// that are not a letter or digit dropped, at most 128 characters; `identity` when nothing is left.
pub fn sanitize(name: &str) -> String {
    let mut id = String::with_capacity(name.len().min(MAX_LEN));
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = if is_id_char(c) { c } else { '-' };
        if id.is_empty() && !c.is_ascii_alphanumeric() {
            continue;
        }
        if c == '-' && id.ends_with('-') {
            continue;
        }
        id.push(c);
    }
    id.truncate(MAX_LEN);
    let trimmed = id.trim_end_matches(['-', '.', '_']).len();
    id.truncate(trimmed);
    if id.is_empty() {
        "identity".to_string()
    } else {
        id
    }
}

/// The organisation of an external id `PREFIX<org>:<name>` (GitHub Apps and tokens), lower-cased.
pub fn org_of(prefix: &str, external_id: &str) -> Option<String> {
    let rest = external_id.trim().strip_prefix(prefix)?;
    let (org, name) = rest.split_once(':')?;
    (!org.is_empty() && !name.is_empty()).then(|| org.to_lowercase())
}

/// Hands out unique ids: the first request for a base gets it, later ones `-2`, `-3`, …
#[derive(Debug, Default)]
pub struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    /// Ids already in use (e.g. the registry's), never handed out.
    pub fn with_taken(taken: impl IntoIterator<Item = String>) -> Unique {
        Unique {
            taken: taken.into_iter().collect(),
        }
    }

    /// A unique id for `base` (already sanitised).
    pub fn claim(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        for n in 2u64.. {
            let suffix = format!("-{n}");
            let mut stem = base.to_string();
            stem.truncate(MAX_LEN - suffix.len());
            let candidate = format!("{}{suffix}", stem.trim_end_matches(['-', '.', '_']));
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("u64 ids run out")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::id::is_id as valid;

    #[test]
    fn hostile_names_become_valid_ids() {
        for name in [
            "../../etc/passwd",
            ".hidden",
            "Deploy Bot+CI@Example,Corp",
            "",
            "---",
            "Ünïcødé",
            &"x".repeat(300),
            "a\nb",
        ] {
            let id = sanitize(name);
            assert!(valid(&id), "{name:?} gave {id:?}");
        }
        assert_eq!(sanitize("Deploy Bot+CI@corp"), "deploy-bot-ci-corp");
        assert_eq!(sanitize("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitize("<root_account>"), "root_account");
    }

    #[test]
    fn repeated_bases_get_numbered() {
        let mut unique = Unique::with_taken(["ci".to_string()]);
        assert_eq!(unique.claim("ci"), "ci-2");
        assert_eq!(unique.claim("ci"), "ci-3");
        assert_eq!(unique.claim("web"), "web");
        let long = "y".repeat(128);
        assert_eq!(unique.claim(&long), long);
        let second = unique.claim(&long);
        assert!(valid(&second) && second.ends_with("-2"), "{second}");
    }
}
