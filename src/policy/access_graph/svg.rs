//! Server-side SVG of an `AccessGraph`: a layered left-to-right drawing (user → apps → agents
//! by depth → authorization servers), one column per layer, edges as straight lines with their
//! label at the midpoint. Every text is XML-escaped; colours are presentation attributes (no
//! `style`, so a strict CSP holds); nothing runs in the browser.

use super::{AccessGraph, NodeKind};
use std::fmt::Write;

// The gap between columns (COLUMN_WIDTH - BOX_WIDTH) holds an edge label of MAX_EDGE_LABEL
// characters at 10px; a box holds MAX_LABEL bold characters at 12px. The page scales the
// drawing to its width, which keeps these proportions.
const COLUMN_WIDTH: usize = 300;
const BOX_WIDTH: usize = 170;
const BOX_HEIGHT: usize = 46;
const ROW_HEIGHT: usize = 80;
const MARGIN: usize = 20;
/// Labels longer than these are cut (the tables next to the drawing have them in full).
const MAX_LABEL: usize = 20;
const MAX_EDGE_LABEL: usize = 20;

/// `text` escaped for XML text and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

fn fill(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::User => "#dbeafe",
        NodeKind::App => "#e0e7ff",
        NodeKind::Agent => "#fef3c7",
        NodeKind::Server => "#dcfce7",
    }
}

fn kind_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::User => "user",
        NodeKind::App => "app",
        NodeKind::Agent => "agent",
        NodeKind::Server => "authorization server",
    }
}

/// The drawing, as an `<svg>` element to embed in a page.
#[must_use]
pub fn render(graph: &AccessGraph) -> String {
    // Position: (column, row within column), in insertion order.
    let mut rows: Vec<usize> = Vec::new();
    let mut positions = Vec::with_capacity(graph.nodes.len());
    for node in &graph.nodes {
        if rows.len() <= node.column {
            rows.resize(node.column + 1, 0);
        }
        positions.push((node.column, rows[node.column]));
        rows[node.column] += 1;
    }
    let columns = rows.len().max(1);
    let max_rows = rows.iter().copied().max().unwrap_or(1).max(1);
    let width = MARGIN * 2 + (columns - 1) * COLUMN_WIDTH + BOX_WIDTH;
    let height = MARGIN * 2 + max_rows * ROW_HEIGHT;
    let at = |i: usize| {
        let (c, r) = positions[i];
        (MARGIN + c * COLUMN_WIDTH, MARGIN + r * ROW_HEIGHT)
    };
    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"access-graph\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"access-graph-title\">\
         <title id=\"access-graph-title\">Access graph</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#64748b\"/></marker></defs>"
    );
    for edge in &graph.edges {
        let (Some(a), Some(b)) = (index(&edge.from), index(&edge.to)) else { continue };
        let ((ax, ay), (bx, by)) = (at(a), at(b));
        let label = escape(&shorten(&edge.label, MAX_EDGE_LABEL));
        let (from_column, to_column) = (graph.nodes[a].column, graph.nodes[b].column);
        if to_column == from_column + 1 {
            // Neighbouring columns: a straight line, labelled at its middle.
            let (x1, y1, x2, y2) = (ax + BOX_WIDTH, ay + BOX_HEIGHT / 2, bx, by + BOX_HEIGHT / 2);
            let _ = write!(
                out,
                "<g class=\"edge\"><line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#64748b\" \
                 stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/><text x=\"{}\" y=\"{}\" font-size=\"10\" \
                 text-anchor=\"middle\" fill=\"#334155\">{label}</text></g>",
                usize::midpoint(x1, x2),
                usize::midpoint(y1, y2).saturating_sub(4),
            );
        } else {
            // Skipping columns (or going back): a curve through the gap under the row, so it
            // never runs behind the boxes between.
            let (x1, y1, x2, y2) = if to_column > from_column {
                (ax + BOX_WIDTH, ay + BOX_HEIGHT / 2, bx, by + BOX_HEIGHT / 2)
            } else {
                (ax + BOX_WIDTH / 2, ay + BOX_HEIGHT, bx + BOX_WIDTH / 2, by + BOX_HEIGHT)
            };
            let apex = ay.max(by) + BOX_HEIGHT + (ROW_HEIGHT - BOX_HEIGHT) / 2;
            let (cx, cy) = (usize::midpoint(x1, x2), (2 * apex).saturating_sub(usize::midpoint(y1, y2)));
            let _ = write!(
                out,
                "<g class=\"edge\"><path d=\"M {x1} {y1} Q {cx} {cy} {x2} {y2}\" fill=\"none\" stroke=\"#64748b\" \
                 stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/><text x=\"{cx}\" y=\"{}\" font-size=\"10\" \
                 text-anchor=\"middle\" fill=\"#334155\">{label}</text></g>",
                apex.saturating_sub(3),
            );
        }
    }
    for (i, node) in graph.nodes.iter().enumerate() {
        let (x, y) = at(i);
        let _ = write!(
            out,
            "<g class=\"node {kind}\"><title>{kind}: {full} ({id})</title><rect x=\"{x}\" y=\"{y}\" \
             width=\"{BOX_WIDTH}\" height=\"{BOX_HEIGHT}\" rx=\"6\" fill=\"{fill}\" stroke=\"#475569\"/>\
             <text x=\"{tx}\" y=\"{ty1}\" font-size=\"12\" font-weight=\"bold\" fill=\"#0f172a\">{label}</text>\
             <text x=\"{tx}\" y=\"{ty2}\" font-size=\"10\" fill=\"#475569\">{short_id}</text></g>",
            kind = kind_name(node.kind),
            full = escape(&node.label),
            id = escape(&node.id),
            fill = fill(node.kind),
            tx = x + 8,
            ty1 = y + 19,
            ty2 = y + 36,
            label = escape(&shorten(&node.label, MAX_LABEL)),
            short_id = escape(&shorten(&node.id, MAX_LABEL)),
        );
    }
    out.push_str("</svg>");
    out
}
