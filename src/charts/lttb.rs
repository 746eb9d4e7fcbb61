//! Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last
//! point and, from each of `threshold − 2` equal buckets between them, the point that makes
//! the largest triangle with the point kept before and the mean of the next bucket. A line
//! through the kept points looks like the line through all of them, at the pixels' density.

/// Downsamples `points` (sorted by x) to at most `threshold` points; shorter series, and
/// thresholds under 3, are returned as they are.
pub fn lttb(points: &[(f64, f64)], threshold: usize) -> Vec<(f64, f64)> {
    let n = points.len();
    if threshold >= n || threshold < 3 {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(threshold);
    out.push(points[0]);
    let every = (n - 2) as f64 / (threshold - 2) as f64;
    let mut a = 0usize;
    for i in 0..threshold - 2 {
        let avg_start = ((i + 1) as f64 * every).floor() as usize + 1;
        let avg_end = (((i + 2) as f64 * every).floor() as usize + 1).min(n);
        let bucket = &points[avg_start..avg_end.max(avg_start + 1)];
        let avg_x = bucket.iter().map(|p| p.0).sum::<f64>() / bucket.len() as f64;
        let avg_y = bucket.iter().map(|p| p.1).sum::<f64>() / bucket.len() as f64;
        let range_start = (i as f64 * every).floor() as usize + 1;
        let range_end = (((i + 1) as f64 * every).floor() as usize + 1).min(n - 1);
        let (ax, ay) = points[a];
        let mut best = range_start;
        let mut best_area = -1.0;
        for (j, p) in points.iter().enumerate().take(range_end).skip(range_start) {
            let area = ((ax - avg_x) * (p.1 - ay) - (ax - p.0) * (avg_y - ay)).abs();
            if area > best_area {
                best_area = area;
                best = j;
            }
        }
        out.push(points[best]);
        a = best;
    }
    out.push(points[n - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::lttb;

    #[test]
    fn a_million_points_become_the_threshold_keeping_the_ends_and_the_spike() {
        let mut pts: Vec<(f64, f64)> = (0..1_000_000).map(|i| (i as f64, (i % 100) as f64 / 100.0)).collect();
        pts[500_123].1 = 50.0;
        let out = lttb(&pts, 800);
        assert_eq!(out.len(), 800);
        assert_eq!(out[0], pts[0]);
        assert_eq!(out[799], pts[999_999]);
        assert!(out.iter().any(|p| p.1 == 50.0), "the spike is the largest triangle of its bucket");
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "x stays in order");
    }

    #[test]
    fn short_series_are_left_alone() {
        let pts = vec![(0.0, 1.0), (1.0, 2.0), (2.0, 0.0)];
        assert_eq!(lttb(&pts, 10), pts);
    }
}
