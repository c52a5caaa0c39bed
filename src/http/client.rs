//! The client's address, for rate limits: the socket peer, or the address a trusted proxy
//! reports in `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

use super::AppState;

/// Where a request came from.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        Ok(ClientAddr(
            resolve(peer, forwarded, &state.trusted_proxies).map_or_else(|| "unknown".into(), |ip| ip.to_string()),
        ))
    }
}

/// Walks `X-Forwarded-For` from the right while the hop is a trusted proxy: the first
/// untrusted address is the client. Without a trusted peer the header is ignored.
fn resolve(peer: Option<IpAddr>, forwarded: Option<&str>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded.unwrap_or_default().rsplit(',') {
        let hop = hop.trim();
        // Some proxies write `ip:port` or `[ipv6]:port`.
        match hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip())) {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let client: IpAddr = "203.0.113.7".parse().expect("ip");
        let other: IpAddr = "198.51.100.1".parse().expect("ip");
        assert_eq!(resolve(Some(client), Some("1.2.3.4"), &[proxy]), Some(client));
        assert_eq!(resolve(Some(proxy), Some("1.2.3.4, 203.0.113.7"), &[proxy]), Some(client));
        assert_eq!(resolve(Some(proxy), Some("203.0.113.7, 10.0.0.1"), &[proxy]), Some(client));
        assert_eq!(resolve(Some(proxy), None, &[proxy]), Some(proxy));
        assert_eq!(resolve(Some(other), Some("203.0.113.7"), &[proxy]), Some(other));
        assert_eq!(resolve(Some(proxy), Some("203.0.113.7:5555"), &[proxy]), Some(client));
        assert_eq!(resolve(Some(proxy), Some("1.2.3.4,203.0.113.7"), &[proxy]), Some(client));
    }
}
