//! A small SVG writer for the report's charts: horizontal bar charts, self-contained (no
//! fonts or scripts to fetch), so the HTML report and slides open offline.

use super::esc;

/// The bar colour of the report's charts.
pub const BAR_COLOR: &str = "#2f6fdb";

/// A horizontal bar chart of `(label, value)` rows with a title.
pub fn bar_chart(title: &str, rows: &[(String, i64)], width: u32) -> String {
    let row_h = 26u32;
    let top = 34u32;
    // Room for the longest label (about 7 px a character at 13 px), at most half the width.
    let longest = rows.iter().map(|r| r.0.chars().count().min(34)).max().unwrap_or(0) as u32;
    let label_w = (longest * 7 + 16).clamp(60, width / 2);
    let bar_max = width.saturating_sub(label_w + 60).max(40);
    let height = top + row_h * rows.len().max(1) as u32 + 10;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{t}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="13">"#,
        t = esc(title)
    );
    s.push_str(&format!(
        r##"<text x="0" y="18" font-weight="600" font-size="14" fill="#222">{}</text>"##,
        esc(title)
    ));
    if rows.is_empty() {
        s.push_str(&format!(r##"<text x="0" y="{}" fill="#666">nothing to show</text>"##, top + 16));
    }
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = top + i as u32 * row_h;
        let w = ((*value as f64 / max as f64) * bar_max as f64).round().max(2.0) as u32;
        let shown: String = if label.chars().count() > 34 {
            format!("{}…", label.chars().take(33).collect::<String>())
        } else {
            label.clone()
        };
        s.push_str(&format!(
            r##"<text x="{lx}" y="{ty}" text-anchor="end" fill="#333">{l}</text><rect x="{bx}" y="{y}" width="{w}" height="{bh}" rx="3" fill="{BAR_COLOR}"><title>{l}: {value}</title></rect><text x="{vx}" y="{ty}" fill="#333">{value}</text>"##,
            lx = label_w - 8,
            ty = y + 16,
            l = esc(&shown),
            bx = label_w,
            bh = row_h - 8,
            vx = label_w + w + 6,
        ));
    }
    s.push_str("</svg>");
    s
}
