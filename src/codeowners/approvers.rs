//! The policy's approvers in CODEOWNERS: they own `exceptions/` and `nhi.yaml`, so GitHub asks for their
//! review of every exception and policy change (`approved_by` alone is text anyone can type in their own
//! pull request). `codeowners-approvers` warns while the repository's CODEOWNERS does not say so.

use std::path::Path;

use super::{pattern, Handles, LOCATIONS};
use crate::catalogue::RuleId;
use crate::finding::Finding;
use crate::model::{Kind, Registry};

/// What the approvers own, relative to the registry root.
pub const OWNED: [&str; 2] = ["exceptions/", "nhi.yaml"];

/// The approvers' handles, and why each approver without one has none.
fn resolve(handles: &Handles<'_>, approvers: &[String]) -> (Vec<String>, Vec<String>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for approver in approvers {
        match handles.handle(approver) {
            Ok(h) if !found.contains(&h) => found.push(h),
            Ok(_) => {}
            Err(why) => missing.push(format!("approver {approver}: {why}")),
        }
    }
    (found, missing)
}

/// The block's lines for the approvers: `exceptions/` and `nhi.yaml` to their handles, or comments saying
/// which approver has no handle. Nothing when the policy names no approvers.
pub(super) fn lines(handles: &Handles<'_>, approvers: &[String], prefix: &str) -> Vec<String> {
    if approvers.is_empty() {
        return Vec::new();
    }
    let (found, missing) = resolve(handles, approvers);
    let mut lines = Vec::new();
    if !found.is_empty() {
        for owned in OWNED {
            if let Some(p) = pattern(&format!("{prefix}{owned}")) {
                lines.push(format!("{p} {}", found.join(" ")));
            }
        }
    }
    lines.extend(missing.iter().map(|m| {
        format!("# {m} (give it a `github` handle so CODEOWNERS can require its review)")
    }));
    lines
}

/// Whether the CODEOWNERS pattern `pattern_text` matches `path` (a file's path from the top of the
/// repository), by gitignore's rules as GitHub applies them: `/` anchors, a pattern without an inner `/`
/// matches at any depth, a trailing `/` matches a folder's contents, `*` and `?` stay within a path segment,
/// `**` spans segments, and `\ ` is a space.
fn matches(pattern_text: &str, path: &str) -> bool {
    let mut p = pattern_text.replace("\\ ", " ");
    let dir_only = p.ends_with('/');
    if dir_only {
        p.pop();
    }
    let anchored = p.starts_with('/') || p.contains('/');
    let p = p.strip_prefix('/').unwrap_or(&p);
    let mut re = String::from(if anchored { "^" } else { "^(?:.*/)?" });
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                if chars.get(i + 2) == Some(&'/') {
                    re.push_str("(?:.*/)?");
                    i += 3;
                } else {
                    re.push_str(".*");
                    i += 2;
                }
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push_str(if dir_only { "/.*$" } else { "(?:/.*)?$" });
    regex::Regex::new(&re).is_ok_and(|r| r.is_match(path))
}

/// The owners the last matching line of `text` gives to `path` (lower case), as GitHub decides them.
fn owners_of(text: &str, path: &str) -> Vec<String> {
    text.lines()
        .rev()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .find(|l| matches(split_pattern(l).0, path))
        .map(|l| {
            split_pattern(l)
                .1
                .split_whitespace()
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

/// A line's pattern (up to the first space that is not escaped) and the rest.
fn split_pattern(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i].is_ascii_whitespace() {
            return (&line[..i], &line[i..]);
        }
        i += 1;
    }
    (line, "")
}

/// What is wrong with `codeowners` (the file's text, `None` when the repository has none) for a registry at
/// `prefix` whose approvers are `approvers`: one message per problem, empty when every owned path goes to
/// every approver's handle.
pub fn problems(
    registry: &Registry,
    codeowners: Option<(&str, &str)>,
    prefix: &str,
) -> Vec<String> {
    let approvers = &registry.policy.approvers;
    if approvers.is_empty() {
        return Vec::new();
    }
    let handles = Handles::new(registry);
    let (found, mut problems) = resolve(&handles, approvers);
    let Some((file, text)) = codeowners else {
        problems.push(format!(
            "the policy names approvers, but the repository has no CODEOWNERS file: run `nhi codeowners --write` so GitHub requires their review of {} and {}",
            OWNED[0], OWNED[1]
        ));
        return problems;
    };
    for owned in OWNED {
        // A file inside the folder stands for the folder.
        let sample = match owned.strip_suffix('/') {
            Some(dir) => format!("{prefix}{dir}/exception.yaml"),
            None => format!("{prefix}{owned}"),
        };
        let path = format!("{prefix}{owned}");
        let owners = owners_of(text, &sample);
        let absent: Vec<&String> = found
            .iter()
            .filter(|h| !owners.contains(&h.to_lowercase()))
            .collect();
        if !absent.is_empty() {
            let names: Vec<&str> = absent.iter().map(|s| s.as_str()).collect();
            problems.push(format!(
                "{file} does not give /{path} to the approvers ({}): run `nhi codeowners --write`",
                names.join(", ")
            ));
        }
    }
    problems
}

/// The `codeowners-approvers` findings of the registry at `root` on disk: its repository is the nearest
/// folder above it with `.git`, whose CODEOWNERS GitHub reads from the first of [`LOCATIONS`]. A registry
/// outside any repository has no CODEOWNERS to check.
pub fn findings(registry: &Registry, root: &Path) -> Vec<Finding> {
    if registry.policy.approvers.is_empty() {
        return Vec::new();
    }
    if registry.policy_source.is_none() {
        return Vec::new();
    }
    let Some(top) = crate::git::top_of(root) else {
        return Vec::new();
    };
    let prefix = crate::git::prefix_of(root);
    let file = LOCATIONS
        .iter()
        .find_map(|l| Some((*l, std::fs::read_to_string(top.join(l)).ok()?)));
    let codeowners = file.as_ref().map(|(l, t)| (*l, t.as_str()));
    findings_with(registry, codeowners, &prefix)
}

/// The `codeowners-approvers` findings of a registry at `prefix` in a repository whose CODEOWNERS is
/// `codeowners` (`(location, text)`, `None` when it has none), e.g. read from a git revision.
pub fn findings_with(
    registry: &Registry,
    codeowners: Option<(&str, &str)>,
    prefix: &str,
) -> Vec<Finding> {
    let Some(source) = &registry.policy_source else {
        return Vec::new();
    };
    problems(registry, codeowners, prefix)
        .into_iter()
        .map(|message| {
            let rule = RuleId::CodeownersApprovers;
            Finding::at(rule, Kind::Policy, "", source, "/approvers", message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{matches, owners_of};

    #[test]
    fn patterns_match_as_gitignore_does() {
        for (pattern, path, want) in [
            ("/exceptions/", "exceptions/a.yaml", true),
            ("/exceptions/**", "exceptions/x/a.yaml", true),
            ("exceptions/", "reg/exceptions/a.yaml", true),
            ("/exceptions/", "reg/exceptions/a.yaml", false),
            ("*", "reg/nhi.yaml", true),
            ("*.yaml", "reg/nhi.yaml", true),
            ("/*.yaml", "reg/nhi.yaml", false),
            ("/reg/nhi.yaml", "reg/nhi.yaml", true),
            ("/a\\ b/nhi.yaml", "a b/nhi.yaml", true),
            ("**/nhi.yaml", "a/b/nhi.yaml", true),
            ("/reg/", "reg/nhi.yaml", true),
            ("/re?/nhi.yaml", "reg/nhi.yaml", true),
            ("/exceptions/*.yaml", "exceptions/x/a.yaml", false),
        ] {
            assert_eq!(matches(pattern, path), want, "{pattern} ~ {path}");
        }
    }

    #[test]
    fn the_last_matching_line_decides() {
        let text = "/exceptions/ @acme/sec\n* @acme/all\n";
        assert_eq!(owners_of(text, "exceptions/a.yaml"), ["@acme/all"]);
        let text = "* @acme/all\n/exceptions/ @Acme/Sec @b\n";
        assert_eq!(
            owners_of(text, "exceptions/a.yaml")[..2],
            ["@acme/sec", "@b"]
        );
        assert!(owners_of("# only comments\n", "nhi.yaml").is_empty());
    }
}
