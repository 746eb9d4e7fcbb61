//! Charts of the Insights data with plotters: SVG for the app and HTML exports, PNG for
//! slides. Owns no table.
//!
//! - `nps`: NPS by period with its adjusted-Wald 95% interval as a band, and the number of
//!   responses per period as bars under it;
//! - `dora`: one DORA key (deployments by default) per service, week by week;
//! - `gates`: per gate, deploys passed, blocked and blocked-then-overridden;
//! - `metric NAME`: every series of the metric, with the releases in its range as markers
//!   labelled with the findings linked to them.
//!
//! A series longer than the plot is wide in pixels is downsampled with [`lttb`], so a
//! million points draw as fast as a thousand. Text needs a font: the first of a few usual
//! system fonts (DejaVu Sans, Liberation Sans, Noto Sans, Arial) or `RAPPORT_CHART_FONT`.

pub mod lttb;

use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use rusqlite::Connection;

use crate::deploys::{dora, gates, Window};
use crate::error::{Error, Result};
use crate::nps::report::{self as nps_report, NpsQuery};

/// Which chart.
#[derive(Debug, Clone)]
pub enum ChartKind {
    Nps(NpsQuery),
    Dora { query: dora::DoraQuery, key: String },
    Gates { services: Vec<String>, window: Window },
    Metric { name: String, range: Option<(i64, i64)> },
}

/// A chart to draw, in pixels.
#[derive(Debug, Clone)]
pub struct ChartRequest {
    pub kind: ChartKind,
    pub width: u32,
    pub height: u32,
}

enum XAxis {
    Time,
    Names(Vec<String>),
}

struct LineChart {
    title: String,
    y_label: String,
    x: XAxis,
    series: Vec<(String, Vec<(f64, f64)>)>,
    band: Vec<(f64, f64, f64)>,
    counts: Vec<(f64, f64)>,
    markers: Vec<(f64, String)>,
    fixed_y: Option<(f64, f64)>,
}

struct BarChart {
    title: String,
    y_label: String,
    categories: Vec<String>,
    groups: Vec<(String, Vec<f64>)>,
}

enum ChartData {
    Line(LineChart),
    Bar(BarChart),
    Empty { title: String, message: String },
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(37, 99, 235),
    RGBColor(220, 38, 38),
    RGBColor(22, 163, 74),
    RGBColor(217, 119, 6),
    RGBColor(147, 51, 234),
    RGBColor(8, 145, 178),
    RGBColor(190, 24, 93),
    RGBColor(101, 101, 101),
];

const FONTS: [&str; 9] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Registers the font plotters lays text out with (once per process).
fn ensure_font() -> Result<()> {
    static FONT: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let from_env = std::env::var("RAPPORT_CHART_FONT").ok();
        let path =
            from_env.iter().map(String::as_str).chain(FONTS).find(|p| Path::new(p).is_file()).ok_or_else(
                || {
                    format!(
                        "no font for chart text (looked for {}); set RAPPORT_CHART_FONT to a .ttf file",
                        FONTS[0]
                    )
                },
            )?;
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| format!("{path}: not a font plotters can read"))
    })
    .clone()
    .map_err(|m| Error::io("chart font", std::io::Error::other(m)))
}

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::io("chart", std::io::Error::other(format!("drawing failed: {e}")))
}

fn week_start(t: DateTime<Utc>) -> NaiveDate {
    let d = t.date_naive();
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

fn unix(d: NaiveDate) -> f64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp() as f64).unwrap_or(0.0)
}

fn nps_data(conn: &Connection, q: &NpsQuery) -> Result<ChartData> {
    let r = nps_report::report(conn, q)?;
    let title = format!("NPS by {} (95% interval)", r.period);
    if r.n == 0 {
        return Ok(ChartData::Empty { title, message: "No NPS responses in this selection".into() });
    }
    let names: Vec<String> = r.periods.iter().map(|p| p.period.clone()).collect();
    let line: Vec<(f64, f64)> =
        r.periods.iter().enumerate().filter_map(|(i, p)| Some((i as f64, p.nps?))).collect();
    let band =
        r.periods.iter().enumerate().filter_map(|(i, p)| Some((i as f64, p.ci95?.0, p.ci95?.1))).collect();
    let counts = r.periods.iter().enumerate().map(|(i, p)| (i as f64, p.n as f64)).collect();
    Ok(ChartData::Line(LineChart {
        title,
        y_label: "NPS".into(),
        x: XAxis::Names(names),
        series: vec![("NPS".into(), line)],
        band,
        counts,
        markers: Vec::new(),
        fixed_y: Some((-100.0, 100.0)),
    }))
}

fn dora_data(conn: &Connection, query: &dora::DoraQuery, key: &str) -> Result<ChartData> {
    let label = match key {
        "deployments" => "deployments a week",
        "deployment_days" => "deployment days a week",
        "lead_time_median_hours" => "median lead time (hours)",
        "change_failure_rate" => "change failure rate",
        "time_to_restore_median_hours" => "median time to restore (hours)",
        other => {
            return Err(Error::invalid(
                "--key",
                format!("unknown DORA key {other:?}; expected deployments, deployment_days, lead_time_median_hours, change_failure_rate or time_to_restore_median_hours"),
            ))
        }
    };
    let whole = dora::report(conn, query)?;
    let title = format!("DORA: {label}");
    let (deploys, incidents) = dora::load(conn, query)?;
    let times: Vec<DateTime<Utc>> = deploys
        .iter()
        .map(|d| d.at)
        .chain(incidents.iter().map(|i| i.started))
        .filter(|t| query.window.contains(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
        .collect();
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        return Ok(ChartData::Empty { title, message: "No deploys in this selection".into() });
    };
    let mut series: Vec<(String, Vec<(f64, f64)>)> =
        whole.services.iter().map(|s| (s.service.clone().unwrap_or_default(), Vec::new())).collect();
    let mut week = week_start(*first);
    while week <= last.date_naive() {
        let next = week + Duration::days(7);
        let iso = |d: NaiveDate| format!("{d}T00:00:00Z");
        let mut from = iso(week);
        let mut to = iso(next);
        if let Some(f) = &query.window.from {
            from = from.max(f.clone());
        }
        if let Some(t) = &query.window.to {
            to = to.min(t.clone());
        }
        let q = dora::DoraQuery { window: Window { from: Some(from), to: Some(to) }, ..query.clone() };
        let r = dora::report(conn, &q)?;
        for (name, points) in series.iter_mut() {
            let k = r.services.iter().find(|s| s.service.as_deref() == Some(name.as_str()));
            let value = match (key, k) {
                ("deployments", k) => Some(k.map(|k| k.deployments).unwrap_or(0) as f64),
                ("deployment_days", k) => Some(k.map(|k| k.deployment_days).unwrap_or(0) as f64),
                ("lead_time_median_hours", Some(k)) => k.lead_time_median_hours,
                ("change_failure_rate", Some(k)) => k.change_failure_rate,
                ("time_to_restore_median_hours", Some(k)) => k.time_to_restore_median_hours,
                _ => None,
            };
            if let Some(v) = value {
                points.push((unix(week), v));
            }
        }
        week = next;
    }
    Ok(ChartData::Line(LineChart {
        title,
        y_label: label.into(),
        x: XAxis::Time,
        series,
        band: Vec::new(),
        counts: Vec::new(),
        markers: Vec::new(),
        fixed_y: None,
    }))
}

fn gates_data(conn: &Connection, services: &[String], window: &Window) -> Result<ChartData> {
    let r = gates::report_services(conn, services, window)?;
    let title = "Gates: passed, blocked, overridden".to_string();
    if r.gates.is_empty() {
        return Ok(ChartData::Empty { title, message: "No gate results in this selection".into() });
    }
    let col = |f: fn(&gates::GateStats) -> i64| r.gates.iter().map(|g| f(g) as f64).collect::<Vec<_>>();
    Ok(ChartData::Bar(BarChart {
        title,
        y_label: "deploys".into(),
        categories: r.gates.iter().map(|g| g.name.clone()).collect(),
        groups: vec![
            ("passed".into(), col(|g| g.passed)),
            ("blocked".into(), col(|g| g.blocked)),
            ("overridden".into(), col(|g| g.overridden)),
        ],
    }))
}

fn series_name(labels: &std::collections::BTreeMap<String, String>) -> String {
    let parts: Vec<String> =
        labels.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| format!("{k}={v}")).collect();
    if parts.is_empty() {
        labels.get("__name__").cloned().unwrap_or_else(|| "value".into())
    } else {
        parts.join(", ")
    }
}

fn metric_data(conn: &Connection, name: &str, range: Option<(i64, i64)>, width: u32) -> Result<ChartData> {
    let detail = crate::metrics::show(conn, name, range)?;
    let title = match &detail.query {
        Some(q) => format!("{name}: {q}"),
        None => name.to_string(),
    };
    let pixels = width.saturating_sub(80).max(10) as usize;
    let series: Vec<(String, Vec<(f64, f64)>)> = detail
        .series
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| {
            let finite: Vec<(f64, f64)> = s.points.iter().copied().filter(|p| p.1.is_finite()).collect();
            (series_name(&s.labels), lttb::lttb(&finite, pixels))
        })
        .collect();
    if series.is_empty() {
        return Ok(ChartData::Empty { title, message: "No points in this range".into() });
    }
    let lo = series.iter().flat_map(|s| s.1.first()).map(|p| p.0).fold(f64::INFINITY, f64::min);
    let hi = series.iter().flat_map(|s| s.1.last()).map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let markers = crate::releases::list(conn, None)?
        .into_iter()
        .filter_map(|r| {
            let at = crate::timefmt::parse(&r.at)?.timestamp() as f64;
            (at >= lo && at <= hi).then(|| {
                let findings: Vec<String> =
                    r.findings.iter().map(|f| format!("#{} {}", f.id, f.title)).collect();
                let label = if findings.is_empty() {
                    r.title.clone()
                } else {
                    format!("{} ← {}", r.title, findings.join("; "))
                };
                (at, label)
            })
        })
        .collect();
    Ok(ChartData::Line(LineChart {
        title,
        y_label: name.into(),
        x: XAxis::Time,
        series,
        band: Vec::new(),
        counts: Vec::new(),
        markers,
        fixed_y: None,
    }))
}

fn data(conn: &Connection, req: &ChartRequest) -> Result<ChartData> {
    match &req.kind {
        ChartKind::Nps(q) => nps_data(conn, q),
        ChartKind::Dora { query, key } => dora_data(conn, query, key),
        ChartKind::Gates { services, window } => gates_data(conn, services, window),
        ChartKind::Metric { name, range } => metric_data(conn, name, *range, req.width),
    }
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

fn time_label(x: f64, whole_span: f64) -> String {
    let Some(t) = DateTime::from_timestamp(x as i64, 0) else { return String::new() };
    if whole_span < 2.0 * 86_400.0 {
        t.format("%m-%d %H:%M").to_string()
    } else {
        t.format("%Y-%m-%d").to_string()
    }
}

fn draw_line<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &LineChart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (upper, lower) = if c.counts.is_empty() {
        (root.clone(), None)
    } else {
        let h = root.dim_in_pixel().1;
        let (u, l) = root.split_vertically(h * 3 / 4);
        (u, Some(l))
    };
    let xs = c.series.iter().flat_map(|s| s.1.iter().map(|p| p.0)).chain(c.band.iter().map(|b| b.0));
    let (mut x0, mut x1) = span(xs);
    if let XAxis::Names(names) = &c.x {
        x0 = -0.5;
        x1 = names.len() as f64 - 0.5;
    }
    let (y0, y1) = c.fixed_y.unwrap_or_else(|| {
        span(
            c.series
                .iter()
                .flat_map(|s| s.1.iter().map(|p| p.1))
                .chain(c.band.iter().flat_map(|b| [b.1, b.2])),
        )
    });
    let whole = x1 - x0;
    let names = match &c.x {
        XAxis::Names(n) => n.clone(),
        XAxis::Time => Vec::new(),
    };
    let fmt_x = |x: &f64| -> String {
        if names.is_empty() {
            time_label(*x, whole)
        } else {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
    };
    let mut chart = ChartBuilder::on(&upper)
        .caption(&c.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(if lower.is_some() { 10 } else { 32 })
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let mut mesh = chart.configure_mesh();
    mesh.y_desc(c.y_label.as_str())
        .x_label_formatter(&fmt_x)
        .light_line_style(RGBColor(240, 240, 240))
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13));
    if !names.is_empty() {
        mesh.x_labels(names.len().max(2));
    }
    if lower.is_some() {
        mesh.x_labels(0);
    }
    mesh.draw()?;
    if !c.band.is_empty() {
        let mut poly: Vec<(f64, f64)> = c.band.iter().map(|b| (b.0, b.1)).collect();
        poly.extend(c.band.iter().rev().map(|b| (b.0, b.2)));
        chart
            .draw_series(std::iter::once(Polygon::new(poly, PALETTE[0].mix(0.18).filled())))?
            .label("95% interval")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], PALETTE[0].mix(0.18).filled()));
    }
    for (i, (name, points)) in c.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        if points.len() <= 60 {
            chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))?;
        }
    }
    for (i, (x, label)) in c.markers.iter().enumerate() {
        let red = RGBColor(200, 30, 30);
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(*x, y0), (*x, y1)], red.stroke_width(1))))?;
        let y = y1 - (y1 - y0) * (0.04 + 0.06 * (i % 4) as f64);
        chart.draw_series(std::iter::once(Text::new(
            format!(" {label}"),
            (*x, y),
            ("sans-serif", 12).into_font().color(&red),
        )))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()?;
    if let Some(lower) = lower {
        let max_n = c.counts.iter().map(|c| c.1).fold(1.0, f64::max);
        let mut bars = ChartBuilder::on(&lower)
            .margin(12)
            .margin_top(0)
            .x_label_area_size(32)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, 0.0..max_n * 1.1)?;
        bars.configure_mesh()
            .y_desc("responses")
            .y_labels(3)
            .x_label_formatter(&fmt_x)
            .x_labels(names.len().max(2))
            .light_line_style(WHITE)
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 12))
            .draw()?;
        bars.draw_series(c.counts.iter().map(|(x, n)| {
            Rectangle::new([(x - 0.3, 0.0), (x + 0.3, *n)], RGBColor(148, 163, 184).filled())
        }))?;
    }
    root.present()
}

fn draw_bars<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &BarChart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let k = c.categories.len();
    let max = c.groups.iter().flat_map(|g| g.1.iter().copied()).fold(1.0, f64::max);
    let names = c.categories.clone();
    let fmt_x = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.6..(k as f64 - 0.4), 0.0..max * 1.15)?;
    chart
        .configure_mesh()
        .y_desc(c.y_label.as_str())
        .x_labels(k.max(2))
        .x_label_formatter(&fmt_x)
        .light_line_style(RGBColor(240, 240, 240))
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13))
        .draw()?;
    let g = c.groups.len().max(1) as f64;
    let width = 0.8 / g;
    for (j, (name, values)) in c.groups.iter().enumerate() {
        let color = [RGBColor(22, 163, 74), RGBColor(220, 38, 38), RGBColor(217, 119, 6)][j % 3];
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let left = i as f64 - 0.4 + j as f64 * width;
                Rectangle::new([(left, 0.0), (left + width * 0.9, *v)], color.filled())
            }))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()?;
    root.present()
}

fn draw_empty<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    message: &str,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(title.to_string(), (12, 12), ("sans-serif", 18)))?;
    root.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2 - 120, h as i32 / 2),
        ("sans-serif", 14).into_font().color(&RGBColor(100, 100, 100)),
    ))?;
    root.present()
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, d: &ChartData) -> DrawResult<DB> {
    match d {
        ChartData::Line(c) => draw_line(&root, c),
        ChartData::Bar(c) => draw_bars(&root, c),
        ChartData::Empty { title, message } => draw_empty(&root, title, message),
    }
}

fn check_size(req: &ChartRequest) -> Result<()> {
    if !(100..=8000).contains(&req.width) || !(100..=8000).contains(&req.height) {
        return Err(Error::invalid("--width/--height", "expected 100 to 8000 pixels"));
    }
    Ok(())
}

/// Draws the chart as SVG text.
pub fn svg(conn: &Connection, req: &ChartRequest) -> Result<String> {
    check_size(req)?;
    ensure_font()?;
    let d = data(conn, req)?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (req.width, req.height)).into_drawing_area();
        draw(root, &d).map_err(draw_err)?;
    }
    Ok(out)
}

/// Draws the chart as a PNG file of the asked size.
pub fn png(conn: &Connection, req: &ChartRequest, out: &Path) -> Result<()> {
    check_size(req)?;
    ensure_font()?;
    let d = data(conn, req)?;
    let root = BitMapBackend::new(out, (req.width, req.height)).into_drawing_area();
    draw(root, &d).map_err(|e| Error::io(out, std::io::Error::other(format!("drawing failed: {e}"))))
}

/// Draws the chart into `out`: SVG or PNG by its extension.
pub fn write(conn: &Connection, req: &ChartRequest, out: &Path) -> Result<()> {
    match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => {
            let text = svg(conn, req)?;
            std::fs::write(out, text).map_err(|e| Error::io(out, e))
        }
        Some("png") => png(conn, req, out),
        _ => Err(Error::invalid("--out", format!("{}: expected a .svg or .png file", out.display()))),
    }
}
