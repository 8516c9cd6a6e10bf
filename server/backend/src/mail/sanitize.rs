//! A mail's HTML made safe to show: ammonia keeps formatting (tables, inline styles, links,
//! images) and drops scripts, event handlers, forms, frames and `javascript:` URLs.
//!
//! Sanitizing is one layer of two. The app shows the result in a `srcdoc` iframe sandboxed
//! without `allow-scripts`, under a CSP with `script-src 'none'` that also blocks remote images
//! until the agent asks for them (see [`frame_document`]).

use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes([
            "style", "align", "valign", "bgcolor", "width", "height", "border", "dir", "lang", "color",
        ])
        .add_tag_attributes("table", ["cellpadding", "cellspacing", "background"])
        .add_tag_attributes("td", ["background", "nowrap"])
        .add_tag_attributes("font", ["face", "size", "color"])
        .add_tags(["font", "center"])
        .add_url_schemes(["cid"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        // Old browsers ran script from CSS; no such style survives, whatever browser reads it.
        .attribute_filter(|_element, attribute, value| {
            if attribute == "style" {
                let lower = value.to_ascii_lowercase();
                let runs = ["expression(", "javascript:", "vbscript:", "behavior:", "-moz-binding", "@import"];
                if runs.iter().any(|needle| lower.contains(needle)) {
                    return None;
                }
            }
            Some(value.into())
        });
    builder
});

/// The HTML body cleaned of everything that could run or leak.
pub fn sanitize_html(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

pub use model::mail::{frame_document, has_remote_images};

/// Tags that must never survive cleaning; the torture corpus checks every file against it.
pub fn dangerous_tags() -> HashSet<&'static str> {
    ["script", "iframe", "object", "embed", "form", "input", "button", "link", "meta", "base", "svg", "math"]
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_formatting_and_drops_script() {
        let out = sanitize_html(
            "<table cellpadding=2><tr><td style=\"color:red\">Hi</td></tr></table>\
             <script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>\
             <a href=\"https://shop.test\">shop</a><img src=\"cid:logo@x\">",
        );
        assert!(out.contains("<td style=\"color:red\">Hi</td>"), "{out}");
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
        assert!(out.contains("target=\"_blank\""), "{out}");
        assert!(out.contains("src=\"cid:logo@x\""), "{out}");
        let styled = sanitize_html("<div style=\"width: expression(alert(1))\">x</div><p style=\"color: red\">y</p>");
        assert!(!styled.contains("expression"), "{styled}");
        assert!(styled.contains("color: red"), "{styled}");
    }

    #[test]
    fn the_frame_blocks_scripts_and_remote_images_until_asked() {
        let doc = frame_document("<p>x</p>", false);
        assert!(doc.contains("script-src 'none'"));
        assert!(doc.contains("img-src 'self' data:"));
        assert!(frame_document("<p>x</p>", true).contains("img-src * data:"));
        assert!(has_remote_images("<img src=\"https://t.test/p.gif\">"));
    }
}
