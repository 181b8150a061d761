//! Where a request comes from, which the enrolment limits count by: the TCP
//! peer or, when the peer is a trusted proxy ([`super::Options`]), the
//! right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
//!
//! Each proxy appends the address it received the request from, so the
//! right-most entries are written by proxies the hub trusts, and everything
//! left of the first untrusted one is whatever the client chose to send:
//! believing that would let a client pick the address it is counted as, and
//! so dodge its own limit or spend someone else's.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::Connected;
use axum::http::HeaderMap;
use axum::serve::IncomingStream;

/// The TCP peer of a connection, for the plain and the TLS listener alike
/// (axum gives `ConnectInfo<SocketAddr>` for a plain `TcpListener` only).
#[derive(Debug, Clone, Copy)]
pub(super) struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, super::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, super::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// The client's address: `peer` itself unless it is in `trusted` (addresses
/// in canonical form, IPv4-mapped IPv6 as IPv4); then the right-most
/// `X-Forwarded-For` hop not in `trusted`. If the hops run out, or one cannot
/// be read, before an untrusted one, it is the last trusted hop read.
pub(super) fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(&peer) {
        return peer;
    }
    // Several header lines are one list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            tracing::debug!(%peer, hop, "unreadable X-Forwarded-For hop");
            break;
        };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    client
}

/// One hop: an address, perhaps with a port (`203.0.113.7:4711`,
/// `[2001:db8::1]:4711`) or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .or_else(|_| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or("")
                .parse::<IpAddr>()
        })
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", l.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_addresses_are_believed_from_trusted_proxies_only() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let inner: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted = [proxy, inner];
        for (peer, lines, want, why) in [
            (
                "198.51.100.9",
                &["203.0.113.7"][..],
                "198.51.100.9",
                "an untrusted peer's header is ignored",
            ),
            (
                "10.0.0.1",
                &[][..],
                "10.0.0.1",
                "a trusted proxy without the header is the client",
            ),
            (
                "10.0.0.1",
                &["203.0.113.7"][..],
                "203.0.113.7",
                "a trusted proxy's client",
            ),
            (
                "::ffff:10.0.0.1",
                &["203.0.113.7"][..],
                "203.0.113.7",
                "a mapped address is the same proxy",
            ),
            (
                "10.0.0.1",
                &["6.6.6.6, 203.0.113.7"][..],
                "203.0.113.7",
                "what the client wrote on the left is not believed",
            ),
            (
                "10.0.0.1",
                &["6.6.6.6", "203.0.113.7, 10.0.0.2"][..],
                "203.0.113.7",
                "trusted hops are skipped, across header lines",
            ),
            (
                "10.0.0.1",
                &["203.0.113.7:4711"][..],
                "203.0.113.7",
                "a port is dropped",
            ),
            (
                "10.0.0.1",
                &["[2001:db8::7]:4711"][..],
                "2001:db8::7",
                "IPv6 with a port",
            ),
            (
                "10.0.0.1",
                &["[2001:db8::7]"][..],
                "2001:db8::7",
                "IPv6 in brackets",
            ),
            (
                "10.0.0.1",
                &["6.6.6.6, unknown"][..],
                "10.0.0.1",
                "an unreadable hop ends the walk at the last trusted hop",
            ),
            (
                "10.0.0.1",
                &["6.6.6.6, junk, 10.0.0.2"][..],
                "10.0.0.2",
                "the walk never passes an unreadable hop",
            ),
            (
                "10.0.0.1",
                &["10.0.0.2"][..],
                "10.0.0.2",
                "only trusted hops: the left-most of them",
            ),
        ] {
            let got = client_address(peer.parse().unwrap(), &headers(lines), &trusted);
            assert_eq!(
                got,
                want.parse::<IpAddr>().unwrap(),
                "{why}: {peer} {lines:?}"
            );
        }
    }
}
