//! A person's activity over time as an SVG chart (plotters): events per week, with the
//! weeks without events drawn as zero.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use plotters::prelude::*;

use crate::error::{Error, Result};

/// Draws events per week (keys are Mondays, `YYYY-MM-DD`) as an SVG of `width`×`height`.
pub fn weekly_svg(by_week: &BTreeMap<String, i64>, width: u32, height: u32) -> Result<String> {
    let weeks: Vec<(NaiveDate, i64)> = by_week
        .iter()
        .filter_map(|(k, v)| NaiveDate::parse_from_str(k, "%Y-%m-%d").ok().map(|d| (d, *v)))
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let fail = |e: &dyn std::fmt::Display| Error::Integrity(format!("drawing the activity chart: {e}"));
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (Some(first), Some(last)) = (weeks.first().map(|w| w.0), weeks.last().map(|w| w.0)) else {
            root.present().map_err(|e| fail(&e))?;
            drop(root);
            return Ok(svg);
        };
        // Every week from the first to the last, zero where nothing happened.
        let mut series = Vec::new();
        let mut d = first;
        while d <= last {
            series.push((d, by_week.get(&d.format("%Y-%m-%d").to_string()).copied().unwrap_or(0)));
            d += Duration::days(7);
        }
        let max = series.iter().map(|s| s.1).max().unwrap_or(1).max(1);
        // The x axis is days since the first week's Monday.
        let day = |d: NaiveDate| (d - first).num_days();
        let end = day(last) + 7;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(40)
            .build_cartesian_2d(0i64..end, 0i64..(max + max / 10 + 1))
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(6)
            .y_labels(4)
            .x_label_formatter(&|x: &i64| (first + Duration::days(*x)).format("%b %d").to_string())
            .y_desc("events / week")
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(|e| fail(&e))?;
        let color = RGBColor(0x3b, 0x6e, 0xd8);
        chart
            .draw_series(
                series.iter().map(|(d, n)| Rectangle::new([(day(*d), 0), (day(*d) + 6, *n)], color.filled())),
            )
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}
