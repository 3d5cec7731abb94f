//! Helpers for the graph CLI tests: run the binary, and read DOT back.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory of a test case under `tests/`.
pub fn case(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

/// Runs `nhi ARGS…` and returns (exit code, stdout, stderr).
pub fn nhi(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nhi"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

/// An edge statement: from, to, and its attributes.
pub type DotEdge = (String, String, Vec<(String, String)>);

/// What a DOT digraph declares: node statements and edges, with ids unquoted.
#[derive(Debug, Default)]
pub struct Dot {
    pub nodes: Vec<String>,
    pub edges: Vec<DotEdge>,
}

#[derive(Debug, PartialEq, Clone)]
enum Tok {
    Id(String),
    Punct(&'static str),
}

/// Tokenizes DOT: identifiers, numerals, quoted strings (where `\"` is a quote), and punctuation.
fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '{' | '}' | '[' | ']' | ';' | ',' | '=' => {
                out.push(Tok::Punct(match c {
                    '{' => "{",
                    '}' => "}",
                    '[' => "[",
                    ']' => "]",
                    ';' => ";",
                    ',' => ",",
                    _ => "=",
                }));
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'>') => {
                out.push(Tok::Punct("->"));
                i += 2;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string".into()),
                        Some('"') => break,
                        Some('\\') if chars.get(i + 1) == Some(&'"') => {
                            s.push('"');
                            i += 2;
                        }
                        Some('\\') if chars.get(i + 1) == Some(&'\\') => {
                            s.push_str("\\\\");
                            i += 2;
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push(Tok::Id(s));
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
                {
                    i += 1;
                }
                out.push(Tok::Id(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(out)
}

/// Parses the subset of DOT a digraph export uses; any other shape is an error.
pub fn parse_dot(text: &str) -> Result<Dot, String> {
    let toks = tokens(text)?;
    let mut p = 0;
    let id = |p: &mut usize| match toks.get(*p) {
        Some(Tok::Id(s)) => {
            *p += 1;
            Ok(s.clone())
        }
        other => Err(format!("expected an id, found {other:?}")),
    };
    let punct = |p: &mut usize, want: &str| match toks.get(*p) {
        Some(Tok::Punct(s)) if *s == want => {
            *p += 1;
            Ok(())
        }
        other => Err(format!("expected {want}, found {other:?}")),
    };
    let attrs = |p: &mut usize| -> Result<Vec<(String, String)>, String> {
        let mut list = Vec::new();
        if toks.get(*p) != Some(&Tok::Punct("[")) {
            return Ok(list);
        }
        *p += 1;
        while toks.get(*p) != Some(&Tok::Punct("]")) {
            let k = id(p)?;
            punct(p, "=")?;
            list.push((k, id(p)?));
            if matches!(toks.get(*p), Some(Tok::Punct(",")) | Some(Tok::Punct(";"))) {
                *p += 1;
            }
        }
        *p += 1;
        Ok(list)
    };
    if id(&mut p)? != "digraph" {
        return Err("not a digraph".into());
    }
    if matches!(toks.get(p), Some(Tok::Id(_))) {
        p += 1;
    }
    punct(&mut p, "{")?;
    let mut dot = Dot::default();
    while toks.get(p) != Some(&Tok::Punct("}")) {
        let first = id(&mut p)?;
        if matches!(first.as_str(), "node" | "edge" | "graph")
            && toks.get(p) == Some(&Tok::Punct("["))
        {
            attrs(&mut p)?;
        } else if toks.get(p) == Some(&Tok::Punct("=")) {
            p += 1;
            id(&mut p)?;
        } else if toks.get(p) == Some(&Tok::Punct("->")) {
            p += 1;
            let to = id(&mut p)?;
            let a = attrs(&mut p)?;
            dot.edges.push((first, to, a));
        } else {
            attrs(&mut p)?;
            dot.nodes.push(first);
        }
        if toks.get(p) == Some(&Tok::Punct(";")) {
            p += 1;
        }
    }
    if p + 1 != toks.len() {
        return Err("text after the closing brace".into());
    }
    Ok(dot)
}
