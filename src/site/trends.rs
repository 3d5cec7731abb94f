//! The Trends page (`nhi build --history`): the samples of `nhi trend` as charts drawn at build time
//! (inline SVG: no script, no request, readable offline) with the same figures as a table for screen
//! readers and print.

use std::fmt::Write as _;

use minijinja::HtmlEscape;
use serde_json::{json, Value};

use super::index::Site;
use super::overview::TOP;
use super::svg::{self, Series};
use crate::history::trend::{Point, Rate};

/// The context of `trends.html`.
pub fn page(site: &Site<'_>) -> Value {
    let points: &[Point] = site
        .history
        .as_ref()
        .and_then(|h| h.trend.as_ref())
        .map_or(&[], |t| t.points.as_slice());
    let labels: Vec<String> = points.iter().map(|p| p.date.to_string()).collect();
    // Axis labels short enough not to overlap: a month and year, and only every few when there are many.
    let every = points.len().div_ceil(13).max(1);
    let short: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % every == 0 || i + 1 == points.len() {
                p.date.strftime("%b %-d '%y").to_string()
            } else {
                String::new()
            }
        })
        .collect();
    let findings = svg::stacked_columns(
        "Open findings at each sample, by severity",
        &short,
        &[
            Series {
                name: "errors",
                class: "sev-error",
                values: points.iter().map(|p| p.counts.errors).collect(),
            },
            Series {
                name: "warnings",
                class: "sev-warning",
                values: points.iter().map(|p| p.counts.warnings).collect(),
            },
            Series {
                name: "notices",
                class: "sev-notice",
                values: points.iter().map(|p| p.counts.notices).collect(),
            },
        ],
    );
    let rates = lines(
        "Rates at each sample: rotated on time, reviewed on time, owned by an active team",
        &labels,
        &short,
        &[
            (
                "rotated on time",
                "rate-rotated",
                points
                    .iter()
                    .map(|p| p.rates.rotated_on_time.rate)
                    .collect(),
            ),
            (
                "reviewed on time",
                "rate-reviewed",
                points
                    .iter()
                    .map(|p| p.rates.reviewed_on_time.rate)
                    .collect(),
            ),
            (
                "owned by an active team",
                "rate-owned",
                points
                    .iter()
                    .map(|p| p.rates.owned_by_active_team.rate)
                    .collect(),
            ),
        ],
    );
    let forge = site.history.as_ref().and_then(|h| h.forge.as_ref());
    let rows: Vec<Value> = points
        .iter()
        .map(|p| {
            let short = crate::history::short(&p.commit).get(..8).unwrap_or(&p.commit);
            json!({
                "date": p.date.to_string(), "commit": short, "commit_href": forge.map(|f| f.commit(&p.commit)),
                "errors": p.counts.errors, "warnings": p.counts.warnings, "notices": p.counts.notices,
                "waived": p.counts.waived, "identities": p.identities,
                "rotated": percent(&p.rates.rotated_on_time), "reviewed": percent(&p.rates.reviewed_on_time),
                "owned": percent(&p.rates.owned_by_active_team),
                "exceptions": p.rates.exceptions_in_force.met, "exceptions_of": p.rates.exceptions_in_force.of,
            })
        })
        .collect();
    let before: Vec<String> = site
        .history
        .as_ref()
        .and_then(|h| h.trend.as_ref())
        .map(|t| t.before_registry.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    json!({
        "root": TOP, "title": "Trends", "findings_chart": findings, "rates_chart": rates,
        "rows": rows, "before": before,
    })
}

fn percent(rate: &Rate) -> Option<String> {
    rate.rate.map(|r| format!("{:.1} %", r * 100.0))
}

/// Lines of shares (0 to 1) over the samples, one per series, with a legend; a missing share breaks its
/// line. Each point carries a `<title>` with its figure.
fn lines(
    title: &str,
    labels: &[String],
    axis: &[String],
    series: &[(&str, &str, Vec<Option<f64>>)],
) -> String {
    let (w, h, left, bottom, top) = (720.0_f64, 260.0_f64, 44.0_f64, 60.0_f64, 16.0_f64);
    let step = (w - left - 16.0) / labels.len().saturating_sub(1).max(1) as f64;
    let y_of = |v: f64| h - bottom - v * (h - bottom - top);
    let esc = |s: &str| HtmlEscape(s).to_string();
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"chart lines\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(title),
        esc(title)
    );
    for t in [0.0, 0.5, 1.0] {
        let y = y_of(t);
        let _ = write!(out, "<line class=\"grid\" x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}%</text>", w - 8.0, left - 6.0, y + 4.0, t * 100.0);
    }
    for (i, label) in axis.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
        let x = left + step * i as f64;
        let anchor = if i + 1 == axis.len() && i > 0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            h - bottom + 16.0,
            esc(label)
        );
    }
    for (name, class, values) in series {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            let Some(v) = v else {
                pen_down = false;
                continue;
            };
            let (x, y) = (left + step * i as f64, y_of(*v));
            let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
            pen_down = true;
        }
        let _ = write!(
            out,
            "<path class=\"line {class}\" d=\"{}\"/>",
            path.trim_end()
        );
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                let label = labels.get(i).map_or("", String::as_str);
                let _ = write!(out, "<circle class=\"dot {class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}, {}: {:.1} %</title></circle>", left + step * i as f64, y_of(*v), esc(label), esc(name), v * 100.0);
            }
        }
    }
    let mut lx = left;
    for (name, class, _) in series {
        let _ = write!(out, "<rect class=\"key {class}\" x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\"/><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\">{}</text>", h - 18.0, lx + 16.0, h - 8.0, esc(name));
        lx += 40.0 + 6.0 * name.len() as f64;
    }
    out.push_str("</svg>");
    out
}
