//! The small pieces of markup every table cell is made of, as template filters: `{{ x|link }}`,
//! `{{ v|val }}`, `{{ s|sev }}`, `{{ v|td("level-") }}`, `{{ c|commit }}`…
//!
//! They write what the macros of the same names in `macros.html` wrote, byte for byte, and those macros
//! now call them, so a user's template that imports `macros.html` keeps working. A filter costs a
//! function call where a macro call cost a new frame of the template engine: at 100,000 pages the
//! macros were about half of all rendering.

use std::fmt::Write as _;

use minijinja::value::{Value, ValueKind};
use minijinja::Environment;

/// Adds the filters to `env`.
pub fn register(env: &mut Environment<'_>) {
    env.add_filter("link", |x: Value| Value::from_safe_string(link(&x)));
    env.add_filter("links", links);
    env.add_filter("web", web);
    env.add_filter("val", val);
    env.add_filter("sev", sev);
    env.add_filter("badge", badge);
    env.add_filter("td", td);
    env.add_filter("crit", crit);
    env.add_filter("spans", spans);
    env.add_filter("capped", capped);
    env.add_filter("commit", commit);
    env.add_filter("due_on", due_on);
}

/// Writes `text` escaped for HTML text and quoted attributes (`&`, `<`, `>`, `"`, `'`).
pub fn escape(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut rest = text;
    while let Some(at) = rest
        .bytes()
        .position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#x27;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)
}

/// Writes a value as `{{ v }}` prints it on the site: safe strings as they are, other strings escaped,
/// numbers and booleans as the template engine prints them.
fn print(out: &mut String, v: &Value) {
    if v.is_safe() {
        out.push_str(v.as_str().unwrap_or_default());
        return;
    }
    let _ = match (v.kind(), v.as_str()) {
        (_, Some(text)) => escape(out, text),
        (ValueKind::Bool, _) => {
            out.push_str(if v.is_true() { "True" } else { "False" });
            Ok(())
        }
        (ValueKind::Number, _) => write!(out, "{v}"),
        _ => escape(out, &v.to_string()),
    };
}

/// Writes `open`, the value as [`print`] does, and `close`.
fn put(out: &mut String, open: &str, v: &Value, close: &str) {
    out.push_str(open);
    print(out, v);
    out.push_str(close);
}

fn attr(x: &Value, key: &str) -> Value {
    x.get_attr(key).unwrap_or_default()
}

fn items(list: &Value) -> Vec<Value> {
    list.try_iter().map(Iterator::collect).unwrap_or_default()
}

/// `None` and undefined print as a dash.
fn absent(v: &Value) -> bool {
    v.is_none() || v.is_undefined()
}

/// A link `{label, href}` to a page of the site; a dangling id (no page) as text; `—` for none.
fn link(x: &Value) -> String {
    let mut out = String::new();
    if absent(x) {
        out.push('—');
        return out;
    }
    let href = attr(x, "href");
    if href.is_true() {
        put(&mut out, "<a href=\"", &href, "\">");
        print(&mut out, &attr(x, "label"));
        out.push_str("</a>");
    } else {
        put(
            &mut out,
            "<span class=\"dangling\" title=\"no page for this id\">",
            &attr(x, "label"),
            "</span>",
        );
    }
    out
}

/// Links separated by commas; `—` for an empty list.
fn links(list: Value) -> Value {
    let items = items(&list);
    if !list.is_true() || items.is_empty() {
        return Value::from_safe_string("—".into());
    }
    let parts: Vec<String> = items.iter().map(link).collect();
    Value::from_safe_string(parts.join(", "))
}

/// A link out of the site, followed only when it is http(s) (the context says so by its `href`).
fn web(x: Value) -> Value {
    let mut out = String::new();
    if absent(&x) {
        out.push('—');
        return Value::from_safe_string(out);
    }
    let href = attr(&x, "href");
    if href.is_true() {
        put(
            &mut out,
            "<a class=\"external\" href=\"",
            &href,
            "\" rel=\"noopener noreferrer nofollow\">",
        );
    } else {
        out.push_str(
            "<span class=\"not-a-link\" title=\"shown as text: only http and https links are followed\">",
        );
    }
    print(&mut out, &attr(&x, "label"));
    out.push_str(if href.is_true() { "</a>" } else { "</span>" });
    Value::from_safe_string(out)
}

/// The value, or `—` when it is none or empty.
fn val(v: Value) -> Value {
    let mut out = String::new();
    if absent(&v) || v.as_str() == Some("") {
        out.push('—');
    } else {
        print(&mut out, &v);
    }
    Value::from_safe_string(out)
}

/// A badge of class `class` (markup, not escaped) followed by `suffix`, showing `text`.
fn badge_with(out: &mut String, class: &str, suffix: &Value, text: &Value) {
    out.push_str("<span class=\"badge ");
    out.push_str(class);
    print(out, suffix);
    out.push_str("\">");
    print(out, text);
    out.push_str("</span>");
}

/// A severity badge; nothing for none.
fn sev(s: Value) -> Value {
    let mut out = String::new();
    if s.is_true() {
        badge_with(&mut out, "sev-", &s, &s);
    }
    Value::from_safe_string(out)
}

/// A badge of class `kind` (default `plain`); nothing for an empty text.
fn badge(text: Value, kind: Option<Value>) -> Value {
    let mut out = String::new();
    if text.is_true() {
        let kind = kind.unwrap_or_else(|| Value::from("plain"));
        badge_with(&mut out, "", &kind, &text);
    }
    Value::from_safe_string(out)
}

/// A table cell of class `kind` followed by the value (`level-write`); `—` in a plain cell for none.
fn td(v: Value, kind: Value) -> Value {
    let mut out = String::new();
    if v.is_true() {
        out.push_str("<td class=\"");
        print(&mut out, &kind);
        print(&mut out, &v);
        put(&mut out, "\">", &v, "</td>");
    } else {
        out.push_str("<td>—</td>");
    }
    Value::from_safe_string(out)
}

/// A criticality badge; `—` for none.
fn crit(c: Value) -> Value {
    let mut out = String::new();
    if c.is_true() {
        badge_with(&mut out, "crit-", &c, &c);
    } else {
        out.push('—');
    }
    Value::from_safe_string(out)
}

/// Text and code in turn: `["Disable ", "nhi-bot", " first"]` → `Disable <code>nhi-bot</code> first`.
fn spans(list: Value) -> Value {
    let mut out = String::new();
    for (n, s) in items(&list).iter().enumerate() {
        if n % 2 == 1 {
            put(&mut out, "<code>", s, "</code>");
        } else {
            print(&mut out, s);
        }
    }
    Value::from_safe_string(out)
}

/// A list cut short: `{items: [{link, note}], more}` → `a, b <small>(note)</small> and 3 more`.
fn capped(list: Value) -> Value {
    let mut out = String::new();
    let all = items(&attr(&list, "items"));
    for (n, x) in all.iter().enumerate() {
        out.push_str(&link(&attr(x, "link")));
        let note = attr(x, "note");
        if note.is_true() {
            put(&mut out, " <small>(", &note, ")</small>");
        }
        if n + 1 < all.len() {
            out.push_str(", ");
        }
    }
    let more = attr(&list, "more");
    if more.is_true() {
        put(&mut out, " and ", &more, " more");
    }
    Value::from_safe_string(out)
}

/// A commit: its day, its short hash (linked to the forge when known), subject, pull request and author.
fn commit(c: Value) -> Value {
    let mut out = String::new();
    let date = attr(&c, "date");
    put(&mut out, "<time datetime=\"", &date, "\">");
    print(&mut out, &date);
    out.push_str("</time> ");
    let href = attr(&c, "href");
    if href.is_true() {
        put(
            &mut out,
            "<a href=\"",
            &href,
            "\" rel=\"noopener noreferrer nofollow\"><code>",
        );
        print(&mut out, &attr(&c, "short"));
        out.push_str("</code></a>");
    } else {
        put(&mut out, "<code>", &attr(&c, "short"), "</code>");
    }
    out.push(' ');
    print(&mut out, &attr(&c, "subject"));
    let pr_href = attr(&c, "pr_href");
    if pr_href.is_true() {
        put(
            &mut out,
            " (<a href=\"",
            &pr_href,
            "\" rel=\"noopener noreferrer nofollow\">pull request #",
        );
        print(&mut out, &attr(&c, "pr"));
        out.push_str("</a>)");
    }
    put(&mut out, " <small>by ", &attr(&c, "author"), "</small>");
    Value::from_safe_string(out)
}

/// When an obligation falls due `{day, overdue, days}`: the day, and how far off or overdue it is.
fn due_on(d: Value) -> Value {
    let mut out = String::new();
    print(&mut out, &attr(&d, "day"));
    out.push(' ');
    let n = i64::try_from(attr(&d, "days")).unwrap_or_default();
    let days = crate::report::text::plural(n, "day", "days");
    if attr(&d, "overdue").is_true() {
        out.push_str("<span class=\"badge sev-error\">overdue by ");
        let _ = escape(&mut out, &days);
        out.push_str("</span>");
    } else if n == 0 {
        out.push_str("<span class=\"badge sev-warning\">due today</span>");
    } else {
        out.push_str("<small>(in ");
        let _ = escape(&mut out, &days);
        out.push_str(")</small>");
    }
    Value::from_safe_string(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn json(v: serde_json::Value) -> Value {
        Value::from(minijinja::value::Serde(&v))
    }

    fn render(template: &str, ctx: Value) -> String {
        let mut env = crate::site::templates::Templates::default().environment();
        env.add_template("t.html", template).unwrap();
        env.get_template("t.html").unwrap().render(ctx).unwrap()
    }

    fn hostile() -> Value {
        json(serde_json::json!({
            "label": "<b>\"a&b'</b>", "href": "../x/\"><script>.html",
        }))
    }

    #[test]
    fn links_escape_their_label_and_target() {
        let out = render("{{ x|link }}", context! { x => hostile() });
        assert_eq!(
            out,
            "<a href=\"../x/&quot;&gt;&lt;script&gt;.html\">&lt;b&gt;&quot;a&amp;b&#x27;&lt;/b&gt;</a>"
        );
        let dangling = json(serde_json::json!({"label": "<i>", "href": null}));
        let out = render("{{ x|link }}|{{ none|link }}", context! { x => dangling });
        assert_eq!(
            out,
            "<span class=\"dangling\" title=\"no page for this id\">&lt;i&gt;</span>|—"
        );
    }

    #[test]
    fn values_and_cells_print_as_the_engine_does() {
        let out = render(
            "{{ none|val }}|{{ ''|val }}|{{ 3|val }}|{{ true|val }}|{{ '<x>'|val }}|{{ 'write'|td('level-') }}|{{ none|td('crit-') }}",
            context! {},
        );
        assert_eq!(
            out,
            "—|—|3|True|&lt;x&gt;|<td class=\"level-write\">write</td>|<td>—</td>"
        );
        let out = render(
            "{{ 'error'|sev }}|{{ none|sev }}|{{ 'high'|crit }}|{{ none|crit }}|{{ 'bot'|badge }}|{{ 'prod'|badge('env') }}",
            context! {},
        );
        assert_eq!(
            out,
            "<span class=\"badge sev-error\">error</span>||<span class=\"badge crit-high\">high</span>|—|<span class=\"badge plain\">bot</span>|<span class=\"badge env\">prod</span>"
        );
    }

    #[test]
    fn the_macros_of_users_templates_give_what_the_filters_give() {
        let template = "{% import \"macros.html\" as m %}{{ m.link(x) }}|{{ m.links([x, x]) }}|{{ m.val(v) }}|{{ m.spans(s) }}|{{ m.web(x) }}";
        let via_macros = render(
            template,
            context! { x => hostile(), v => "<v>", s => vec!["Disable ", "<id>", " first"] },
        );
        let via_filters = render(
            "{{ x|link }}|{{ [x, x]|links }}|{{ v|val }}|{{ s|spans }}|{{ x|web }}",
            context! { x => hostile(), v => "<v>", s => vec!["Disable ", "<id>", " first"] },
        );
        assert_eq!(via_macros, via_filters);
        assert!(via_filters.contains("Disable <code>&lt;id&gt;</code> first"));
    }

    #[test]
    fn commits_and_due_days() {
        let c = json(serde_json::json!({
            "date": "2026-11-20", "short": "abc1234", "subject": "Rotate <key>", "author": "Sam",
            "href": "https://forge/c/abc", "pr": 12, "pr_href": "https://forge/pull/12",
        }));
        assert_eq!(
            render("{{ c|commit }}", context! { c }),
            "<time datetime=\"2026-11-20\">2026-11-20</time> <a href=\"https://forge/c/abc\" rel=\"noopener noreferrer nofollow\"><code>abc1234</code></a> Rotate &lt;key&gt; (<a href=\"https://forge/pull/12\" rel=\"noopener noreferrer nofollow\">pull request #12</a>) <small>by Sam</small>"
        );
        let day = |overdue: bool, days: i64| {
            let d =
                json(serde_json::json!({"day": "2026-12-01", "overdue": overdue, "days": days}));
            render("{{ d|due_on }}", context! { d })
        };
        assert_eq!(
            day(true, 3),
            "2026-12-01 <span class=\"badge sev-error\">overdue by 3 days</span>"
        );
        assert_eq!(
            day(false, 0),
            "2026-12-01 <span class=\"badge sev-warning\">due today</span>"
        );
        assert_eq!(day(false, 1), "2026-12-01 <small>(in 1 day)</small>");
    }

    #[test]
    fn a_capped_list_names_what_it_leaves_out() {
        let list = json(serde_json::json!({
            "items": [{"link": {"label": "a", "href": "a.html"}, "note": "high"}, {"link": {"label": "b", "href": null}}],
            "more": 3,
        }));
        assert_eq!(
            render("{{ l|capped }}", context! { l => list }),
            "<a href=\"a.html\">a</a> <small>(high)</small>, <span class=\"dangling\" title=\"no page for this id\">b</span> and 3 more"
        );
    }
}
