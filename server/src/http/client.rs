//! Who is on the other end of a request. The peer address is the truth unless the peer is a
//! trusted proxy (`SANDUQ_TRUSTED_PROXIES`); then the last X-Forwarded-For hop that is not a
//! trusted proxy is the client. Anyone else's X-Forwarded-For is ignored, so a client cannot
//! dodge the sign-in rate limit by inventing addresses.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address for rate limits and logs.
pub fn client_ip(headers: &HeaderMap, peer: SocketAddr, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer_ip = peer.ip().to_canonical();
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    hops.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer_ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().expect("header"));
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: SocketAddr = "10.0.0.5:4000".parse().expect("addr");
        let stranger: SocketAddr = "203.0.113.9:4000".parse().expect("addr");
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let h = headers("198.51.100.7, 10.0.0.9");
        assert_eq!(client_ip(&h, proxy, &trusted), "198.51.100.7".parse::<IpAddr>().expect("ip"));
        assert_eq!(client_ip(&h, stranger, &trusted), stranger.ip());
        assert_eq!(client_ip(&h, proxy, &[]), proxy.ip());
        assert_eq!(client_ip(&headers("garbage"), proxy, &trusted), proxy.ip());
    }
}
