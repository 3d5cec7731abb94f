//! Positions of findings, found after the rules ran: each file with findings that name a JSON pointer is
//! parsed again and indexed then, so a registry of a million documents keeps no position index in memory.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{document, yaml};
use crate::finding::{Anchor, Finding};
use crate::span::{Locator, Pos};

/// Sets the position of every finding anchored at a key or value. `read` gives a file's text by its
/// registry-relative path; a file that cannot be read again keeps its findings at the document's start.
pub fn resolve_positions(findings: &mut [Finding], read: &(dyn Fn(&str) -> Option<String> + Sync)) {
    let mut by_file: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.anchor != Anchor::Fixed {
            by_file.entry(f.file.clone()).or_default().push(i);
        }
    }
    let groups: Vec<(Arc<str>, Vec<usize>)> = by_file.into_iter().collect();
    let view: &[Finding] = findings;
    let placed: Vec<(usize, Pos)> = groups
        .par_iter()
        .flat_map_iter(|(file, indexes)| place(view, file, indexes, read))
        .collect();
    for (i, pos) in placed {
        findings[i].pos = pos;
        findings[i].anchor = Anchor::Fixed;
    }
}

fn place(
    findings: &[Finding],
    file: &str,
    indexes: &[usize],
    read: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<(usize, Pos)> {
    let Some(text) = read(file) else {
        return Vec::new();
    };
    let parsed = yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(&text));
    let mut locators: HashMap<u32, Locator> = HashMap::new();
    let mut out = Vec::with_capacity(indexes.len());
    for &i in indexes {
        let f = &findings[i];
        let Some(doc) = parsed.documents.get(f.doc as usize) else {
            continue;
        };
        let locator = locators
            .entry(f.doc)
            .or_insert_with(|| document::locate(&doc.root));
        let key = locator.nearest(&f.pointer);
        let pos = match f.anchor {
            Anchor::Value => locator.value(&f.pointer).unwrap_or(key),
            _ => key,
        };
        out.push((i, pos));
    }
    out
}

/// The position of the value at each `(source, pointer)` (its key's, or the nearest ancestor's, when the
/// value has none), for reports that say where a document names something. Each file is parsed again once.
pub fn value_positions(
    wanted: &[(&crate::model::Source, String)],
    read: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<Pos> {
    let mut out: Vec<Pos> = wanted.iter().map(|(source, _)| source.start).collect();
    let mut by_file: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (source, _)) in wanted.iter().enumerate() {
        by_file.entry(&source.file).or_default().push(i);
    }
    for (file, indexes) in by_file {
        let Some(text) = read(file) else {
            continue;
        };
        let parsed = yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(&text));
        let mut locators: HashMap<u32, Locator> = HashMap::new();
        for i in indexes {
            let (source, pointer) = &wanted[i];
            let Some(doc) = parsed.documents.get(source.doc as usize) else {
                continue;
            };
            let locator = locators
                .entry(source.doc)
                .or_insert_with(|| document::locate(&doc.root));
            out[i] = locator
                .value(pointer)
                .unwrap_or_else(|| locator.nearest(pointer));
        }
    }
    out
}
