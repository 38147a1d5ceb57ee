//! Small server-rendered SVG charts: horizontal bars, and stacked columns over time.
//!
//! Hand-written rather than a charting crate: the dashboard needs two or three bar charts, a
//! few dozen lines of SVG text; the Rust charting crates (plotters and the like) bring font
//! loading and raster back ends for what is here a string of `<rect>` and `<text>`. The
//! output has no script, no style element and no external reference (the page's security
//! policy allows none), and every text is escaped.

/// One bar: its label, value, and the state class that colours it (`s-done`, `s-overdue` …).
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub max: f64,
    /// Shown at the end of the bar (`3/5`, `12`).
    pub text: String,
    pub fill: &'static str,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart with a title (its accessible name) and one row per bar.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 180;
    const WIDTH: usize = 560;
    let plot = (WIDTH - LABEL - 60) as f64;
    let height = ROW * bars.len().max(1) + 8;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"c-{id}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\"><title id=\"c-{id}\">{t}</title>",
        id = chart_id(title),
        t = esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * ROW + 4;
        let w = if b.max > 0.0 {
            (b.value / b.max).clamp(0.0, 1.0) * plot
        } else {
            0.0
        };
        let label: String = b.label.chars().take(26).collect();
        s.push_str(&format!(
            "<text x=\"0\" y=\"{ty}\">{l}</text><rect x=\"{LABEL}\" y=\"{y}\" width=\"{plot:.0}\" height=\"16\" fill=\"#ececec\"/><rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{f}\"/><text x=\"{tx}\" y=\"{ty}\">{v}</text>",
            ty = y + 13,
            l = esc(&label),
            f = b.fill,
            tx = LABEL as f64 + plot + 6.0,
            v = esc(&b.text),
        ));
    }
    s.push_str("</svg>");
    s
}

/// One series of a stacked column chart: its name (shown in the legend), fill, and one value
/// per column.
pub struct Series {
    pub name: String,
    pub fill: &'static str,
    pub values: Vec<u64>,
}

/// Stacked columns, one per label (a day, oldest first), the series stacked bottom-up in
/// the order given, with a legend and the total above each column.
pub fn columns(title: &str, labels: &[String], series: &[Series]) -> String {
    const WIDTH: usize = 560;
    const PLOT_TOP: usize = 18;
    const PLOT_H: usize = 150;
    const AXIS: usize = 34;
    let n = labels.len().max(1);
    let totals: Vec<u64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let legend_rows = series.len().div_ceil(4);
    let height = PLOT_TOP + PLOT_H + AXIS + legend_rows * 18 + 4;
    let slot = WIDTH as f64 / n as f64;
    let bar = (slot * 0.7).max(2.0);
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"c-{id}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\"><title id=\"c-{id}\">{t}</title>",
        id = chart_id(title),
        t = esc(title)
    );
    let base = (PLOT_TOP + PLOT_H) as f64;
    s.push_str(&format!(
        "<line x1=\"0\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" stroke=\"#4a4a4a\"/>"
    ));
    for (i, label) in labels.iter().enumerate() {
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let mut y = base;
        for se in series {
            let v = se.values.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let h = v as f64 / max * PLOT_H as f64;
            y -= h;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{f}\"><title>{l} · {name}: {v}</title></rect>",
                f = se.fill,
                l = esc(label),
                name = esc(&se.name),
            ));
        }
        let cx = i as f64 * slot + slot / 2.0;
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\">{t}</text>",
            ty = (y - 3.0).max(11.0),
            t = totals[i],
        ));
        // Every other label when they would crowd (more than 8 columns).
        if n <= 8 || i % 2 == (n - 1) % 2 {
            s.push_str(&format!(
                "<text x=\"{cx:.1}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"11\">{l}</text>",
                ly = PLOT_TOP + PLOT_H + 14,
                l = esc(label),
            ));
        }
    }
    for (k, se) in series.iter().enumerate() {
        let (col, row) = (k % 4, k / 4);
        let (x, y) = (col * 140, PLOT_TOP + PLOT_H + AXIS + row * 18);
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{f}\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"12\">{name}</text>",
            f = se.fill,
            tx = x + 16,
            ty = y + 11,
            name = esc(&se.name),
        ));
    }
    s.push_str("</svg>");
    s
}

fn chart_id(title: &str) -> String {
    format!(
        "{:x}",
        title
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
    )
}

/// The fill of a state (the same colours as the page's state badges, AA contrast on white).
pub fn fill(state: &str) -> &'static str {
    match state {
        "done" => "#1e6b30",
        "pending" => "#8a6d00",
        "late" => "#b35000",
        "not-applicable" => "#6b6b6b",
        _ => "#8b0000",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_and_texts_escaped() {
        let svg = bars(
            "t<1>",
            &[
                Bar {
                    label: "A & B".into(),
                    value: 1.0,
                    max: 2.0,
                    text: "1/2".into(),
                    fill: fill("done"),
                },
                Bar {
                    label: "C".into(),
                    value: 5.0,
                    max: 2.0,
                    text: "5".into(),
                    fill: fill("overdue"),
                },
            ],
        );
        assert!(svg.contains("A &amp; B") && svg.contains("t&lt;1&gt;"));
        assert!(svg.contains("width=\"160.0\""), "{svg}"); // half of 320
        assert!(svg.contains("width=\"320.0\""), "{svg}"); // clamped
        assert!(!svg.contains("<script") && !svg.contains("style"));
    }

    #[test]
    fn columns_stack_series_and_scale_to_the_highest_total() {
        let svg = columns(
            "Trend",
            &["01-01".into(), "01-08".into()],
            &[
                Series {
                    name: "critical".into(),
                    fill: "#8b0000",
                    values: vec![1, 3],
                },
                Series {
                    name: "high <b>".into(),
                    fill: "#b35000",
                    values: vec![1, 0],
                },
            ],
        );
        // The highest total (3) fills the plot's 150 units; 1 of 3 is 50.
        assert!(svg.contains("height=\"150.0\" fill=\"#8b0000\""), "{svg}");
        assert!(svg.contains("height=\"50.0\" fill=\"#8b0000\""), "{svg}");
        // A zero draws nothing; the other series stacks on top of the first.
        assert_eq!(svg.matches("fill=\"#b35000\"><title>").count(), 1, "{svg}");
        assert!(
            svg.contains(">2</text>") && svg.contains(">3</text>"),
            "totals: {svg}"
        );
        assert!(svg.contains("high &lt;b&gt;") && !svg.contains("<b>"));
        assert!(!svg.contains("<script") && !svg.contains("style"));
    }

    #[test]
    fn columns_of_nothing_draw_an_empty_axis() {
        let svg = columns("Empty", &[], &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<rect"));
    }
}
