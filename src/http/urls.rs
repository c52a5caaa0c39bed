//! Addresses on this site: links that keep filters, the same page in another language, and
//! `next=` targets that never leave the site. A leaf: it uses nothing else of Ayni's but
//! `Lang`.

use crate::domain::Lang;

/// The address of this page (`path?query`) in `lang`: its own `lang` pair replaced.
pub fn url_in(here: &str, lang: Lang) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let path = local_path(path);
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    let chosen = format!("lang={}", lang.code());
    pairs.push(&chosen);
    format!("{path}?{}", pairs.join("&"))
}

/// A path that stays on this site when written as a link: `//evil.example` would name
/// another host, so leading slashes collapse to one (and a backslash, which browsers read as
/// a slash, makes it the home page).
pub fn local_path(path: &str) -> String {
    if path.contains('\\') {
        return "/".to_string();
    }
    format!("/{}", path.trim_start_matches('/'))
}

/// `path?a=b&c=d` from pairs already encoded.
pub fn link_raw(path: &str, pairs: &[&str]) -> String {
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// `a=b&c=d`, percent-encoded.
pub fn query(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// `path?query`, or just `path` when there is nothing to add.
pub fn link(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query(pairs))
    }
}

/// The same address without its empty parameters, when it has any: a filter form sends
/// every field, and `?region=&theme=` should read as plainly as `/cases`.
pub fn without_empty_params(here: &str) -> Option<String> {
    let (path, query) = here.split_once('?')?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    if pairs.iter().all(|(_, v)| !v.is_empty()) {
        return None;
    }
    let kept: Vec<(&str, String)> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.as_str(), v.clone())).collect();
    Some(link(path, &kept))
}

/// A path on this site to return to after signing in; anything else goes home. Only
/// visible ASCII: browsers drop tabs and newlines, which would turn `/\t/x` into `//x`.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .unwrap_or("/")
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/cases/new?x=1")), "/cases/new?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\t/evil.example", "/\n", "/\\evil", "/ a", "evil"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
