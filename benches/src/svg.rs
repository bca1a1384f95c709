//! A hand-written SVG of latency distributions (CDFs on a log latency axis, with a quantile
//! axis that stretches the tail), one panel per operation and concurrency, so the runner needs
//! no plotting dependency.

use std::fmt::Write;

/// One line of a panel: latency (µs) at each quantile (0..=1).
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Stroke colour (any SVG colour).
    pub color: &'static str,
    /// `(quantile, latency in µs)` pairs, quantile ascending.
    pub points: Vec<(f64, f64)>,
}

/// One chart.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Title above the chart.
    pub title: String,
    /// Its lines.
    pub series: Vec<Series>,
}

const PANEL_W: f64 = 360.0;
const PANEL_H: f64 = 240.0;
const MARGIN_L: f64 = 48.0;
const MARGIN_R: f64 = 12.0;
const MARGIN_T: f64 = 28.0;
const MARGIN_B: f64 = 36.0;

/// The highest quantile drawn.
const TOP_QUANTILE: f64 = 0.999;

/// Position of quantile `q` on the tail-stretching axis: `-log10(1 - q)`.
fn tail(q: f64) -> f64 {
    -(1.0 - q.clamp(0.0, TOP_QUANTILE)).log10()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders `panels` in rows of `cols` under `title`.
pub fn render(title: &str, panels: &[Panel], cols: usize) -> String {
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    let width = PANEL_W * cols as f64;
    let height = 40.0 + PANEL_H * rows as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        width / 2.0,
        escape(title)
    );
    for (i, panel) in panels.iter().enumerate() {
        let x0 = PANEL_W * (i % cols) as f64;
        let y0 = 40.0 + PANEL_H * (i / cols) as f64;
        render_panel(&mut out, panel, x0, y0);
    }
    out.push_str("</svg>\n");
    out
}

fn render_panel(out: &mut String, panel: &Panel, x0: f64, y0: f64) {
    let (pl, pt) = (x0 + MARGIN_L, y0 + MARGIN_T);
    let (pw, ph) = (PANEL_W - MARGIN_L - MARGIN_R, PANEL_H - MARGIN_T - MARGIN_B);
    let values = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| *v > 0.0 && v.is_finite());
    let (lo, hi) = values.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if hi <= 0.0 {
        (1.0, 10.0)
    } else {
        (
            10f64.powf(lo.log10().floor()),
            10f64.powf(hi.log10().ceil()),
        )
    };
    let (llo, lhi) = (lo.log10(), hi.log10().max(lo.log10() + 1.0));
    let sx = |v: f64| pl + (v.max(lo).log10() - llo) / (lhi - llo) * pw;
    // Tail-stretching quantile axis: p0, p90, p99, p99.9 are equally spaced.
    let sy = |q: f64| pt + ph - tail(q) / tail(TOP_QUANTILE) * ph;
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n\
         <rect x=\"{pl}\" y=\"{pt}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#888\"/>",
        pl + pw / 2.0,
        y0 + 18.0,
        escape(&panel.title)
    );
    // Decade grid lines and labels on the latency axis.
    let mut decade = llo.round() as i32;
    while f64::from(decade) <= lhi + 1e-9 {
        let v = 10f64.powi(decade);
        let x = sx(v);
        let label = if v >= 1000.0 {
            format!("{} ms", v / 1000.0)
        } else {
            format!("{v} µs")
        };
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{pt}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#ddd\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            pt + ph,
            pt + ph + 14.0
        );
        decade += 1;
    }
    for q in [0.0, 0.5, 0.9, 0.99, TOP_QUANTILE] {
        let y = sy(q);
        let _ = writeln!(
            out,
            "<line x1=\"{pl}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#eee\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">p{}</text>",
            pl + pw,
            pl - 4.0,
            y + 4.0,
            (q * 1000.0).round() / 10.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">latency (log)</text>",
        pl + pw / 2.0,
        pt + ph + 28.0
    );
    for (k, s) in panel.series.iter().enumerate() {
        let mut d = String::new();
        let points = s.points.iter().filter(|(q, _)| *q <= TOP_QUANTILE + 1e-9);
        for (j, (q, v)) in points.enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if j == 0 { "M" } else { " L" },
                sx(*v),
                sy(*q)
            );
        }
        let ly = pt + 14.0 + 14.0 * k as f64;
        let _ = writeln!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"1.6\"/>\
             <line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx2}\" y2=\"{ly}\" stroke=\"{c}\" stroke-width=\"2\"/>\
             <text x=\"{tx}\" y=\"{ty}\">{label}</text>",
            c = s.color,
            lx = pl + 8.0,
            lx2 = pl + 24.0,
            tx = pl + 28.0,
            ty = ly + 4.0,
            label = escape(&s.label)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_panels_and_escapes_labels() {
        let panel = Panel {
            title: "GetRoom <c=1>".into(),
            series: vec![Series {
                label: "sdk & co".into(),
                color: "#1f77b4",
                points: vec![(0.0, 50.0), (0.5, 80.0), (1.0, 2000.0)],
            }],
        };
        let svg = render("t", &[panel.clone(), panel], 2);
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>\n"));
        assert!(svg.contains("GetRoom &lt;c=1&gt;"));
        assert!(svg.contains("sdk &amp; co"));
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(svg.contains(">p99.9<") && svg.contains(">p50<"));
        assert!(svg.contains(">10 µs<") && svg.contains(">10 ms<"));
    }
}
