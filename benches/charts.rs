//! `scripts/bench charts`: drawing a metric of a million points, Rapport's chart (LTTB down to
//! the plot's width in pixels, then plotters) against plotters drawing every point, as SVG
//! and PNG of the same size. The million points are one series in a real workspace (SQLite),
//! so Rapport's time includes reading them; the peer gets them in memory for free.
//!
//! Flags: `--points N` (default 1,000,000), `--runs N` (default 5), `--width W` (900),
//! `--height H` (420).

use std::time::{Duration, Instant};

use plotters::prelude::*;
use rapport::charts::{self, ChartKind, ChartRequest};
use rapport::Workspace;
use rusqlite::params;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn series(n: u64) -> Vec<(f64, f64)> {
    // A daily rhythm, a slow trend and a spike: what a latency metric looks like.
    (0..n)
        .map(|i| {
            let t = 1_767_225_600.0 + i as f64 * 15.0;
            let day = (i as f64 * 15.0 / 86_400.0 * std::f64::consts::TAU).sin();
            let v = 120.0 + 40.0 * day + i as f64 * 1e-5 + if i % 99_991 == 0 { 400.0 } else { 0.0 };
            (t, v)
        })
        .collect()
}

fn peer_svg(points: &[(f64, f64)], w: u32, h: u32) -> usize {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        draw_all(&root, points);
    }
    out.len()
}

fn peer_png(points: &[(f64, f64)], w: u32, h: u32, path: &std::path::Path) -> usize {
    {
        let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
        draw_all(&root, points);
    }
    std::fs::metadata(path).map(|m| m.len() as usize).unwrap_or(0)
}

fn draw_all<DB: DrawingBackend>(root: &DrawingArea<DB, plotters::coord::Shift>, points: &[(f64, f64)]) {
    root.fill(&WHITE).unwrap();
    let x0 = points[0].0;
    let x1 = points[points.len() - 1].0;
    let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, lo..hi)
        .unwrap();
    chart.configure_mesh().draw().unwrap();
    chart.draw_series(LineSeries::new(points.iter().copied(), BLUE.stroke_width(2))).unwrap();
    root.present().unwrap();
}

fn main() {
    let n = arg("--points", 1_000_000);
    let runs = arg("--runs", 5) as usize;
    let (w, h) = (arg("--width", 900) as u32, arg("--height", 420) as u32);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::create(&dir.path().join("ws")).expect("workspace");
    let points = series(n);
    {
        let tx = ws.conn_mut().transaction().unwrap();
        tx.execute("INSERT INTO metric_series (name, source, query, labels) VALUES ('latency', 'bench', 'bench', '{}')", [])
            .unwrap();
        let id = tx.last_insert_rowid();
        let mut ins =
            tx.prepare("INSERT INTO metric_points (series_id, at_ms, value) VALUES (?1, ?2, ?3)").unwrap();
        for (t, v) in &points {
            ins.execute(params![id, (*t * 1000.0) as i64, v]).unwrap();
        }
        drop(ins);
        tx.commit().unwrap();
    }
    let req =
        ChartRequest { kind: ChartKind::Metric { name: "latency".into(), range: None }, width: w, height: h };
    let png_path = dir.path().join("chart.png");
    let peer_path = dir.path().join("peer.png");
    let mut rows: Vec<(String, Duration, usize)> = Vec::new();
    let mut time = |label: &str, f: &mut dyn FnMut() -> usize| {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            size = f();
            times.push(t.elapsed());
        }
        rows.push((label.to_string(), median(times), size));
    };
    time("Rapport `chart metric` SVG (reads SQLite, LTTB to the plot's pixels)", &mut || {
        charts::svg(ws.conn(), &req).unwrap().len()
    });
    time("Rapport `chart metric` PNG (reads SQLite, LTTB to the plot's pixels)", &mut || {
        charts::png(ws.conn(), &req, &png_path).unwrap();
        std::fs::metadata(&png_path).unwrap().len() as usize
    });
    time("of which reading the million points from SQLite (`metrics::show`)", &mut || {
        rapport::metrics::show(ws.conn(), "latency", None).unwrap().series[0].points.len()
    });
    time("of which LTTB alone (points in memory)", &mut || rapport::charts::lttb::lttb(&points, 820).len());
    time("plotters, every point, SVG (points already in memory)", &mut || peer_svg(&points, w, h));
    time("plotters, every point, PNG (points already in memory)", &mut || {
        peer_png(&points, w, h, &peer_path)
    });
    println!("{n} points, {w}×{h} px, median of {runs} runs\n");
    println!("| drawing | median time | output |");
    println!("|---|---|---|");
    for (label, t, size) in rows {
        let size = if label.starts_with("of which") {
            format!("{size} points")
        } else {
            format!("{:.0} KB", size as f64 / 1024.0)
        };
        println!("| {label} | {:.1} ms | {size} |", t.as_secs_f64() * 1000.0);
    }
}
