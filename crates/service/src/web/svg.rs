//! Small server-rendered SVG charts (horizontal bars).
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
}
