//! The site's templates and static assets: built into the binary, replaceable file by file.
//!
//! `--templates DIR` is read once, up front: a file there wins over the built-in of the same name (the
//! user's `identity.html` replaces ours; their `partials/x.html` can be included by it). Templates are
//! rendered by one [`Environment`] per thread; each looks names up in the overrides first.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

macro_rules! builtin {
    ($($name:literal),+ $(,)?) => {
        /// Every built-in template and asset, by name.
        pub const BUILTIN: &[(&str, &str)] = &[$(($name, include_str!(concat!("../../templates/", $name)))),+];
    };
}

builtin!(
    "base.html",
    "macros.html",
    "index.html",
    "identities.html",
    "identity.html",
    "owners.html",
    "owner.html",
    "systems.html",
    "system.html",
    "findings.html",
    "exceptions.html",
    "compliance.html",
    "graph.html",
    "search.html",
    "downloads.html",
    "drift.html",
    "runbooks.html",
    "leak.html",
    "offboard.html",
    "trends.html",
    "exception.html",
    "assets/style.css",
    "assets/print.css",
    "assets/site.js",
    "assets/graph-view.js",
);

/// Static files copied into the site as they are (after overrides).
pub const ASSETS: [&str; 4] = [
    "assets/style.css",
    "assets/print.css",
    "assets/site.js",
    "assets/graph-view.js",
];

/// The version of what nhi does to a rendering before writing it (the end tags it leaves out): part of every
/// page's input key, so a site built by an nhi that wrote other bytes is rendered again, not relinked.
const OUTPUT: u32 = 1;

/// The built-ins with the user's overrides.
#[derive(Clone, Default)]
pub struct Templates {
    overrides: Arc<BTreeMap<String, String>>,
}

impl Templates {
    /// Reads every file under `dir` (UTF-8 text; `/`-separated names relative to `dir`).
    pub fn with_overrides(dir: Option<&Path>) -> Result<Templates> {
        let Some(dir) = dir else {
            return Ok(Templates::default());
        };
        if !dir.is_dir() {
            anyhow::bail!("the templates directory {} does not exist", dir.display());
        }
        let mut overrides = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
        {
            let entry = entry.with_context(|| {
                format!("cannot read the templates directory {}", dir.display())
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(entry.path()).with_context(|| {
                format!(
                    "cannot read the template {} (templates are UTF-8 text)",
                    entry.path().display()
                )
            })?;
            overrides.insert(name, text);
        }
        Ok(Templates {
            overrides: Arc::new(overrides),
        })
    }

    /// The text of `name`: the user's file first, then the built-in.
    pub fn source(&self, name: &str) -> Option<&str> {
        self.overrides
            .get(name)
            .map(String::as_str)
            .or_else(|| BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t))
    }

    /// A digest of what rendering depends on besides a page's context: every template and asset (the
    /// user's and the built-in ones) and the version of nhi, whose filters and escaping they run with.
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION"));
        h.update(OUTPUT.to_le_bytes());
        h.update((self.overrides.len() as u64).to_le_bytes());
        let sources = self.overrides.iter().map(|(n, t)| (n.as_str(), t.as_str()));
        for (name, text) in sources.chain(BUILTIN.iter().copied()) {
            for part in [name, text] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part);
            }
        }
        h.finalize().into()
    }

    /// An environment that loads templates from these sources, with the site's filters.
    pub fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_reload(false);
        env.set_debug(false);
        let me = self.clone();
        env.set_loader(move |name| Ok(me.source(name).map(str::to_string)));
        // Tags on lines of their own leave no blank line or indentation behind: at 100,000 pages the
        // template's layout whitespace alone was a tenth of the site.
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        syntax.trim_blocks(true).lstrip_blocks(true);
        if let Ok(syntax) = syntax.build() {
            env.set_syntax(syntax);
        }
        env.set_formatter(html_formatter);
        // `{{ n|plural("identity", "identities") }}` → `1 identity`, `2 identities`.
        env.add_filter("plural", |n: i64, one: &str, many: &str| {
            crate::report::text::plural(n, one, many)
        });
        super::markup::register(&mut env);
        env
    }
}

/// Autoescaping for HTML without the `/` → `&#x2f;` of minijinja's default: a slash cannot end a quoted
/// attribute nor open a tag, and every relative link of every page carried five bytes per slash for it.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let text = match value.as_str() {
        Some(text) if !value.is_safe() && *state.auto_escape() == AutoEscape::Html => text,
        _ => return minijinja::escape_formatter(out, state, value),
    };
    super::markup::escape(out, text)?;
    Ok(())
}
