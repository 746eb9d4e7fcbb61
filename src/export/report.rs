//! The report a team reads: Markdown, one self-contained HTML file (a table of contents,
//! charts as inline SVG, quotes with speakers and timestamps), slides (one finding per slide,
//! arrow keys move, one slide per printed page), and GitHub-flavoured Markdown issue bodies
//! (one per finding).

use std::collections::BTreeMap;

use super::data::StudyData;
use super::svg::bar_chart;
use super::{esc, slug};
use crate::coding::HighlightSource;
use crate::finding::{EvidenceView, FindingSummary};

/// `h:mm:ss`, or `m:ss` under an hour.
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn session_label(data: &StudyData, session_id: i64) -> String {
    match data.session(session_id) {
        Some(s) => s
            .title
            .clone()
            .or_else(|| data.participant(s.person_id).map(|p| format!("interview with {}", p.name)))
            .unwrap_or_else(|| format!("session {session_id}")),
        None => format!("session {session_id}"),
    }
}

/// Who said a quote, where and when: `Speaker (role), session, 12:34`; for an NPS comment
/// `Respondent (role), NPS 3 (plan: pro), 2026-03-04`; for feedback
/// `User (role), feedback (in-app), 2026-03-04`.
pub fn attribution(data: &StudyData, e: &EvidenceView) -> String {
    if e.source.is_text() {
        let who = if e.person_name.is_empty() {
            match e.source {
                HighlightSource::Nps => "an NPS respondent".to_string(),
                _ => "a user".to_string(),
            }
        } else {
            e.person_name.clone()
        };
        let role = e.person_role.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
        let what = match e.source {
            HighlightSource::Nps => {
                let mut w = format!("NPS {}", e.score.map(|s| s.to_string()).unwrap_or_default());
                if !e.segments.is_empty() {
                    w.push_str(&format!(" ({})", e.segments.join(", ")));
                }
                w
            }
            _ => match &e.channel {
                Some(c) => format!("feedback ({c})"),
                None => "feedback".to_string(),
            },
        };
        let when =
            e.submitted_at.as_deref().map(|t| format!(", {}", &t[..t.len().min(10)])).unwrap_or_default();
        return format!("{who}{role}, {what}{when}");
    }
    let who = e.speaker.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| e.person_name.clone());
    // The role is the interviewee's: say it only when they are the one speaking.
    let role = match &e.person_role {
        Some(r) if who == e.person_name => format!(" ({r})"),
        _ => String::new(),
    };
    format!(
        "{who}{role}, {}, {}",
        session_label(data, e.session_id.unwrap_or(0)),
        clock(e.start_ms.unwrap_or(0))
    )
}

fn status_label(s: &str) -> String {
    s.replace('_', " ")
}

fn backers(f: &FindingSummary) -> String {
    if f.people == 0 {
        return "no interviewee yet".into();
    }
    let roles: Vec<String> = f.roles.iter().map(|r| format!("{} {}", r.people, r.role)).collect();
    format!(
        "backed by {} {} ({})",
        f.people,
        if f.people == 1 { "person" } else { "people" },
        roles.join(", ")
    )
}

fn method(data: &StudyData) -> String {
    let n = data.sessions.len();
    let dates: Vec<&str> = data.sessions.iter().map(|s| s.at.get(..10).unwrap_or(&s.at)).collect();
    let span = match (dates.first(), dates.last()) {
        (Some(a), Some(b)) if a != b => format!(" between {a} and {b}"),
        (Some(a), _) => format!(" on {a}"),
        _ => String::new(),
    };
    let guide = data
        .guide
        .as_ref()
        .map(|g| {
            format!(
                ", following the guide \"{}\" (version {}, {} questions)",
                g.title, g.version, g.questions
            )
        })
        .unwrap_or_default();
    format!(
        "{n} {} with {} {}{span}{guide}. The transcripts were coded with {} codes into {} highlights, \
         which back {} findings.",
        if n == 1 { "interview" } else { "interviews" },
        data.participants.len(),
        if data.participants.len() == 1 { "participant" } else { "participants" },
        data.codebook.len(),
        data.highlights.len(),
        data.findings.len()
    )
}

fn participants_by_role(data: &StudyData) -> Vec<(String, i64)> {
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for p in &data.participants {
        *by.entry(p.role.clone().unwrap_or_else(|| "unknown".into())).or_default() += 1;
    }
    let mut rows: Vec<(String, i64)> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows
}

fn codes_by_use(data: &StudyData) -> Vec<(String, i64)> {
    let mut rows: Vec<(String, i64)> =
        data.codebook.iter().filter(|c| c.highlights > 0).map(|c| (c.path.clone(), c.highlights)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.truncate(12);
    rows
}

/// What a finding says when a delete took some of its evidence away.
fn removed_line(f: &FindingSummary) -> Option<String> {
    match f.evidence_removed {
        0 => None,
        1 => Some("1 piece of evidence was removed when its data was deleted.".into()),
        n => Some(format!("{n} pieces of evidence were removed when their data was deleted.")),
    }
}

fn evidence_by_role(f: &FindingSummary) -> Vec<(String, i64)> {
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for e in &f.evidence {
        *by.entry(e.person_role.clone().unwrap_or_else(|| "unknown".into())).or_default() += 1;
    }
    let mut rows: Vec<(String, i64)> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows
}

/// Up to `n` quotes of a finding, one per person first, readable lengths preferred.
pub fn best_quotes(f: &FindingSummary, n: usize) -> Vec<&EvidenceView> {
    let mut ranked: Vec<&EvidenceView> = f.evidence.iter().collect();
    let score = |e: &EvidenceView| {
        let len = e.text.chars().count() as i64;
        if (40..=280).contains(&len) {
            0
        } else {
            (len - 160).abs()
        }
    };
    ranked.sort_by_key(|e| score(e));
    let mut out: Vec<&EvidenceView> = Vec::new();
    for e in &ranked {
        if out.len() < n && !out.iter().any(|o| o.person_name == e.person_name) {
            out.push(e);
        }
    }
    for e in &ranked {
        if out.len() < n && !out.iter().any(|o| o.highlight_id == e.highlight_id) {
            out.push(e);
        }
    }
    out
}

fn redaction_note(data: &StudyData) -> Option<String> {
    if !data.redacted {
        return None;
    }
    let parts: Vec<String> = data.redactions.iter().map(|r| format!("{} {}", r.count, r.what)).collect();
    Some(if parts.is_empty() {
        "Redacted: nothing matched a name, email or phone number; recordings are left out.".to_string()
    } else {
        format!("Redacted with pseudonyms: {}; recordings are left out.", parts.join(", "))
    })
}

/// The Markdown report.
pub fn markdown(data: &StudyData) -> String {
    let mut md = format!("# {}\n\n", data.study.name);
    md.push_str(&format!(
        "_Report exported {}._\n\n",
        data.exported_at.get(..10).unwrap_or(&data.exported_at)
    ));
    if let Some(note) = redaction_note(data) {
        md.push_str(&format!("> {note}\n\n"));
    }
    md.push_str("## Goal\n\n");
    md.push_str(data.study.goal.as_deref().unwrap_or("(no goal written)"));
    md.push_str("\n\n## Method\n\n");
    md.push_str(&method(data));
    md.push_str("\n\n## Participants\n\n| Role | People |\n|---|---|\n");
    for (role, n) in participants_by_role(data) {
        md.push_str(&format!("| {} | {n} |\n", md_cell(&role)));
    }
    md.push_str("\n## Findings\n\n");
    for (i, f) in data.findings.iter().enumerate() {
        md.push_str(&format!("### {}. {}\n\n", i + 1, f.title));
        md.push_str(&format!("**Status:** {}", status_label(&f.status)));
        if let Some(s) = &f.severity {
            md.push_str(&format!(" · **Severity:** {s}"));
        }
        if let Some(c) = &f.confidence {
            md.push_str(&format!(" · **Confidence:** {c}"));
        }
        md.push_str(&format!(" · {}\n\n", backers(f)));
        if let Some(b) = &f.body {
            md.push_str(&format!("{b}\n\n"));
        }
        for e in &f.evidence {
            md.push_str(&format!("> \"{}\"\n>\n> — {}\n\n", e.text.replace('\n', " "), attribution(data, e)));
        }
        if let Some(line) = removed_line(f) {
            md.push_str(&format!("*{line}*\n\n"));
        }
        let links = links_line(f);
        if !links.is_empty() {
            md.push_str(&format!("{links}\n\n"));
        }
    }
    md.push_str("## Codebook\n\n| Code | Description | Highlights |\n|---|---|---|\n");
    for c in &data.codebook {
        md.push_str(&format!(
            "| {} | {} | {} |\n",
            md_cell(&c.path),
            md_cell(c.description.as_deref().unwrap_or("")),
            c.highlights
        ));
    }
    md
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn links_line(f: &FindingSummary) -> String {
    let mut parts = Vec::new();
    if !f.services.is_empty() {
        parts.push(format!("Services: {}", f.services.join(", ")));
    }
    if !f.metrics.is_empty() {
        parts.push(format!("Metrics: {}", f.metrics.join(", ")));
    }
    if !f.nps_segments.is_empty() {
        parts.push(format!("NPS segments: {}", f.nps_segments.join(", ")));
    }
    parts.join(" · ")
}

const CSS: &str = r#"
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;max-width:60rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:2rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
.meta{color:#666}.redacted{background:#fff6d6;border:1px solid #e8d48a;padding:.6rem .9rem;border-radius:6px}
nav.toc{background:#f5f6f8;border-radius:8px;padding:.8rem 1.2rem}nav.toc ol{margin:.3rem 0}
blockquote{margin:1rem 0;padding:.4rem 1rem;border-left:4px solid #2f6fdb;background:#f7f9fd}
blockquote footer{color:#555;font-size:.9rem;margin-top:.3rem}.badges span{display:inline-block;margin-right:.4rem;padding:0 .5rem;border-radius:10px;background:#eef;font-size:.85rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.chart{max-width:100%;height:auto}
"#;

/// The self-contained HTML report.
pub fn html(data: &StudyData) -> String {
    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{CSS}</style></head><body>",
        esc(&data.study.name)
    );
    h.push_str(&format!(
        "<header><h1>{}</h1><p class=\"meta\">Report exported {}</p>",
        esc(&data.study.name),
        esc(data.exported_at.get(..10).unwrap_or(&data.exported_at))
    ));
    if let Some(note) = redaction_note(data) {
        h.push_str(&format!("<p class=\"redacted\" id=\"redaction\">{}</p>", esc(&note)));
    }
    h.push_str("</header><nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong><ol>");
    h.push_str("<li><a href=\"#goal\">Goal</a></li><li><a href=\"#method\">Method</a></li><li><a href=\"#participants\">Participants</a></li><li><a href=\"#findings\">Findings</a><ol>");
    for (i, f) in data.findings.iter().enumerate() {
        h.push_str(&format!("<li><a href=\"#finding-{}\">{}</a></li>", i + 1, esc(&f.title)));
    }
    h.push_str("</ol></li><li><a href=\"#codebook\">Codebook</a></li></ol></nav>");
    h.push_str(&format!(
        "<section id=\"goal\"><h2>Goal</h2><p>{}</p></section>",
        esc(data.study.goal.as_deref().unwrap_or("(no goal written)"))
    ));
    h.push_str(&format!("<section id=\"method\"><h2>Method</h2><p>{}</p></section>", esc(&method(data))));
    h.push_str("<section id=\"participants\"><h2>Participants</h2><div class=\"charts\">");
    h.push_str(&bar_chart("Participants by role", &participants_by_role(data), 460));
    h.push_str(&bar_chart("Most used codes (highlights)", &codes_by_use(data), 460));
    h.push_str("</div></section><section id=\"findings\"><h2>Findings</h2>");
    for (i, f) in data.findings.iter().enumerate() {
        h.push_str(&format!("<article id=\"finding-{}\"><h3>{}. {}</h3>", i + 1, i + 1, esc(&f.title)));
        h.push_str(&badges(f));
        if let Some(b) = &f.body {
            h.push_str(&format!("<p>{}</p>", esc(b)));
        }
        for e in &f.evidence {
            h.push_str(&quote_html(data, e));
        }
        if let Some(line) = removed_line(f) {
            h.push_str(&format!("<p class=\"meta\">{}</p>", esc(&line)));
        }
        if !f.evidence.is_empty() {
            h.push_str(&bar_chart("Evidence by role", &evidence_by_role(f), 420));
        }
        let links = links_line(f);
        if !links.is_empty() {
            h.push_str(&format!("<p class=\"meta\">{}</p>", esc(&links)));
        }
        h.push_str("</article>");
    }
    h.push_str("</section><section id=\"codebook\"><h2>Codebook</h2><table><tr><th>Code</th><th>Description</th><th>Highlights</th></tr>");
    for c in &data.codebook {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.path),
            esc(c.description.as_deref().unwrap_or("")),
            c.highlights
        ));
    }
    h.push_str("</table></section></body></html>\n");
    h
}

fn badges(f: &FindingSummary) -> String {
    let mut b = format!("<p class=\"badges\"><span>{}</span>", esc(&status_label(&f.status)));
    if let Some(s) = &f.severity {
        b.push_str(&format!("<span>severity: {}</span>", esc(s)));
    }
    if let Some(c) = &f.confidence {
        b.push_str(&format!("<span>confidence: {}</span>", esc(c)));
    }
    b.push_str(&format!("<span>{}</span></p>", esc(&backers(f))));
    b
}

fn quote_html(data: &StudyData, e: &EvidenceView) -> String {
    format!(
        "<blockquote><p>“{}”</p><footer>— {}</footer></blockquote>",
        esc(&e.text),
        esc(&attribution(data, e))
    )
}

const SLIDES_CSS: &str = r#"
html,body{margin:0;height:100%;background:#111;font:20px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
.slide{box-sizing:border-box;width:100vw;height:100vh;padding:5vh 7vw;background:#fff;color:#1d1d1f;display:none;overflow:hidden}
.slide.current{display:block}.slide h1{font-size:2.4rem}.slide h2{font-size:1.7rem;margin:0 0 .6rem}
.cols{display:flex;gap:3vw;align-items:flex-start}.quotes{flex:3}.side{flex:2}
blockquote{margin:.5rem 0;padding:.2rem .8rem;border-left:5px solid #2f6fdb;background:#f7f9fd;font-size:.95rem}
blockquote p{margin:.3rem 0}
blockquote footer{font-size:.8rem;color:#555}.meta{color:#666;font-size:.9rem}.num{position:absolute;right:2vw;bottom:2vh;color:#999;font-size:.8rem}
.chart{max-width:100%;height:auto}
.badges span{display:inline-block;margin-right:.4rem;padding:0 .5rem;border-radius:10px;background:#eef;font-size:.8rem}
@media print{@page{size:landscape;margin:0}html,body{background:#fff}.slide{display:block!important;page-break-after:always;break-after:page;position:relative}}
"#;

const SLIDES_JS: &str = r#"
(function(){var s=document.querySelectorAll('.slide'),i=0;
function show(n){i=Math.max(0,Math.min(s.length-1,n));s.forEach(function(e,k){e.classList.toggle('current',k===i)});location.hash='#'+(i+1)}
document.addEventListener('keydown',function(e){if(['ArrowRight','PageDown',' '].indexOf(e.key)>=0){show(i+1);e.preventDefault()}
if(['ArrowLeft','PageUp'].indexOf(e.key)>=0){show(i-1);e.preventDefault()}if(e.key==='Home')show(0);if(e.key==='End')show(s.length-1)});
var h=parseInt(location.hash.slice(1),10);show(isNaN(h)?0:h-1)})();
"#;

/// `text` cut at a word boundary to at most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

/// The slides: a title slide, one per finding (its best quotes and chart), the codebook.
pub fn slides(data: &StudyData) -> String {
    let total = data.findings.len() + 2;
    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — slides</title><style>{SLIDES_CSS}</style></head><body>",
        esc(&data.study.name)
    );
    h.push_str(&format!(
        "<section class=\"slide current\"><h1>{}</h1><p>{}</p><p class=\"meta\">{}</p>",
        esc(&data.study.name),
        esc(data.study.goal.as_deref().unwrap_or("")),
        esc(&method(data))
    ));
    if let Some(note) = redaction_note(data) {
        h.push_str(&format!("<p class=\"meta\">{}</p>", esc(&note)));
    }
    h.push_str(&bar_chart("Participants by role", &participants_by_role(data), 520));
    h.push_str(&format!("<span class=\"num\">1 / {total}</span></section>"));
    for (i, f) in data.findings.iter().enumerate() {
        h.push_str(&format!("<section class=\"slide\" id=\"finding-{}\"><h2>{}</h2>", i + 1, esc(&f.title)));
        h.push_str(&badges(f));
        h.push_str("<div class=\"cols\"><div class=\"quotes\">");
        for e in best_quotes(f, 3) {
            h.push_str(&format!(
                "<blockquote><p>“{}”</p><footer>— {}</footer></blockquote>",
                esc(&shorten(&e.text, 220)),
                esc(&attribution(data, e))
            ));
        }
        h.push_str("</div><div class=\"side\">");
        h.push_str(&bar_chart("Evidence by role", &evidence_by_role(f), 420));
        let links = links_line(f);
        if !links.is_empty() {
            h.push_str(&format!("<p class=\"meta\">{}</p>", esc(&links)));
        }
        h.push_str(&format!("</div></div><span class=\"num\">{} / {total}</span></section>", i + 2));
    }
    h.push_str("<section class=\"slide\"><h2>Codes used most</h2>");
    h.push_str(&bar_chart("Most used codes (highlights)", &codes_by_use(data), 760));
    h.push_str(&format!("<span class=\"num\">{total} / {total}</span></section>"));
    h.push_str(&format!("<script>{SLIDES_JS}</script></body></html>\n"));
    h
}

/// One GitHub-flavoured Markdown issue body per finding: `(file name, body)`.
pub fn issue_bodies(data: &StudyData, findings: &[&FindingSummary]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| {
            let mut md = format!("# {}\n\n", f.title);
            let mut labels: Vec<String> = f.evidence.iter().flat_map(|e| e.tags.iter().cloned()).collect();
            labels.sort();
            labels.dedup();
            md.push_str(&format!(
                "**Status:** {} · **Severity:** {} · **Confidence:** {} · {}\n\n",
                status_label(&f.status),
                f.severity.as_deref().unwrap_or("not set"),
                f.confidence.as_deref().unwrap_or("not set"),
                backers(f)
            ));
            if !labels.is_empty() {
                md.push_str(&format!(
                    "**Labels:** {}\n\n",
                    labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(" ")
                ));
            }
            if let Some(b) = &f.body {
                md.push_str(&format!("{b}\n\n"));
            }
            md.push_str("## Evidence\n\n");
            for e in &f.evidence {
                md.push_str(&format!("> {}\n>\n> — {}\n\n", e.text.replace('\n', " "), attribution(data, e)));
            }
            let links = links_line(f);
            if !links.is_empty() {
                md.push_str(&format!("## Links\n\n{links}\n\n"));
            }
            md.push_str(&format!(
                "_From the study \"{}\" in Rapport (finding {})._\n",
                data.study.name, f.id
            ));
            (format!("finding-{}-{}.md", f.id, slug(&f.title)), md)
        })
        .collect()
}
