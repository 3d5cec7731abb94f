//! Pictures drawn at build time as inline SVG: what falls due by week, and findings by rule. Colours come
//! from CSS classes, so the stylesheet (and dark mode) decide them; every registry value in a picture is
//! escaped. (An identity's blast radius is drawn in the browser by `assets/site.js` from the page's own
//! tables, so it costs the page no bytes.)

use std::fmt::Write as _;

use minijinja::HtmlEscape;

fn esc(s: &str) -> String {
    HtmlEscape(s).to_string()
}

fn linked(out: &mut String, href: Option<&str>, body: &str) {
    match href {
        Some(h) => {
            let _ = write!(out, "<a href=\"{}\">{body}</a>", esc(h));
        }
        None => out.push_str(body),
    }
}

/// One stacked series of a bar chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'static str,
    pub values: Vec<usize>,
}

/// Vertical stacked bars, one per label (e.g. per week), with a legend.
pub fn stacked_columns(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let (w, h, left, bottom, top) = (720.0_f64, 260.0_f64, 36.0_f64, 44.0_f64, 28.0_f64);
    let totals: Vec<usize> = (0..labels.len())
        .map(|i| series.iter().map(|s| s.values[i]).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let step = (w - left - 8.0) / labels.len().max(1) as f64;
    let scale = (h - bottom - top) / max as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title)
    );
    for t in [0, max / 2, max] {
        let y = h - bottom - t as f64 * scale;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            w - 8.0
        );
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{t}</text>",
            left - 6.0,
            y + 4.0
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x = left + step * i as f64 + step * 0.15;
        let mut y = h - bottom;
        let mut tip = esc(label);
        for s in series {
            let v = s.values[i];
            if v == 0 {
                continue;
            }
            let bh = v as f64 * scale;
            y -= bh;
            let _ = write!(
                out,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"/>",
                s.class,
                step * 0.7
            );
            let _ = write!(tip, ", {} {v}", esc(s.name));
        }
        if totals[i] > 0 {
            let _ = write!(out, "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}<title>{tip}</title></text>", x + step * 0.35, y - 4.0, totals[i]);
        }
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x + step * 0.35,
            h - bottom + 16.0,
            esc(label)
        );
    }
    let mut lx = left;
    for s in series {
        let _ = write!(
            out,
            "<rect class=\"{}\" x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\"/>",
            s.class,
            h - 16.0
        );
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            lx + 16.0,
            h - 6.0,
            esc(s.name)
        );
        lx += 28.0 + 6.0 * s.name.len() as f64;
    }
    out.push_str("</svg>");
    out
}

/// One horizontal bar: a label (linked), open and waived counts.
pub struct Bar<'a> {
    pub label: &'a str,
    pub href: Option<String>,
    pub class: &'static str,
    pub open: usize,
    pub waived: usize,
}

/// Horizontal bars, one per row, open then waived.
pub fn bars(title: &str, rows: &[Bar<'_>]) -> String {
    let (w, row_h, label_w) = (1000.0_f64, 26.0_f64, 230.0_f64);
    let h = row_h * rows.len() as f64 + 8.0;
    let max = rows
        .iter()
        .map(|r| r.open + r.waived)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = (w - label_w - 140.0) / max as f64;
    let mut out = String::new();
    let _ = write!(out, "<svg class=\"chart bars\" viewBox=\"0 0 {w} {h}\" role=\"group\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">", esc(title));
    for (i, r) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let label = format!(
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            esc(r.label)
        );
        linked(&mut out, r.href.as_deref(), &label);
        let ow = r.open as f64 * scale;
        let ww = r.waived as f64 * scale;
        let _ = write!(
            out,
            "<rect class=\"{}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{ow:.1}\" height=\"{:.1}\"/>",
            r.class,
            y + 3.0,
            row_h - 8.0
        );
        if r.waived > 0 {
            let _ = write!(out, "<rect class=\"waived\" x=\"{:.1}\" y=\"{:.1}\" width=\"{ww:.1}\" height=\"{:.1}\"/>", label_w + ow, y + 3.0, row_h - 8.0);
        }
        let text = if r.waived > 0 {
            format!("{} (+{} waived)", r.open, r.waived)
        } else {
            r.open.to_string()
        };
        let _ = write!(
            out,
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{text}</text>",
            label_w + ow + ww + 6.0,
            y + 15.0
        );
    }
    out.push_str("</svg>");
    out
}
