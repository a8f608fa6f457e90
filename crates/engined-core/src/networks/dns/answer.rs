//! What the embedded DNS server says to one query: an answer from the
//! names of the asking container's networks ([`super::names`]), or "ask
//! the upstreams".
//!
//! Like dockerd's resolver: an `A` query for a known name gets its IPv4
//! addresses (TTL 600); an `AAAA` query for a known name gets its IPv6
//! ones, or an empty NOERROR answer when it has none (the name exists, so
//! no NXDOMAIN that would hide its IPv4 addresses); a `PTR` query for an
//! address on those networks gets `<container>.<network>`; anything else
//! goes upstream. A message that is not a standard query gets NOTIMP; one
//! that does not parse gets nothing.

use std::net::IpAddr;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, PTR};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::names::{self, Neighbour};

/// The TTL of the answers about containers (dockerd's).
pub const TTL: u32 = 600;

/// What to do with one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send these bytes back.
    Answer(Vec<u8>),
    /// The name is not the networks': ask the upstreams.
    Forward,
    /// Not a DNS message: say nothing.
    Drop,
}

/// The reply header every answer of ours starts with.
fn reply_to(query: &Message) -> Message {
    let mut m = Message::new();
    m.set_id(query.id())
        .set_message_type(MessageType::Response)
        .set_op_code(query.op_code())
        .set_recursion_desired(query.recursion_desired())
        .set_recursion_available(true);
    m.add_queries(query.queries().iter().cloned());
    m
}

fn bytes(m: &Message) -> Decision {
    m.to_vec().map_or(Decision::Drop, Decision::Answer)
}

/// The decision for the query `packet` from a container that sees
/// `neighbours`.
pub fn decide(packet: &[u8], neighbours: &[Neighbour]) -> Decision {
    let Ok(query) = Message::from_vec(packet) else {
        return Decision::Drop;
    };
    if query.message_type() != MessageType::Query {
        return Decision::Drop;
    }
    if query.op_code() != OpCode::Query || query.queries().len() != 1 {
        let mut m = reply_to(&query);
        m.set_response_code(ResponseCode::NotImp);
        return bytes(&m);
    }
    let q: &Query = &query.queries()[0];
    let name = q.name().to_ascii();
    let records: Vec<Record> = match q.query_type() {
        RecordType::A | RecordType::AAAA => {
            let Some(found) = names::lookup(neighbours, &name) else {
                return Decision::Forward;
            };
            found
                .into_iter()
                .filter_map(|ip| match (ip, q.query_type()) {
                    (IpAddr::V4(v4), RecordType::A) => Some(RData::A(A(v4))),
                    (IpAddr::V6(v6), RecordType::AAAA) => Some(RData::AAAA(AAAA(v6))),
                    _ => None,
                })
                .map(|rdata| Record::from_rdata(q.name().clone(), TTL, rdata))
                .collect()
        }
        RecordType::PTR => {
            let Some(target) = names::reverse_address(&name)
                .and_then(|ip| names::reverse(neighbours, ip))
                .and_then(|n| Name::from_ascii(format!("{n}.")).ok())
            else {
                return Decision::Forward;
            };
            vec![Record::from_rdata(
                q.name().clone(),
                TTL,
                RData::PTR(PTR(target)),
            )]
        }
        _ => return Decision::Forward,
    };
    let mut m = reply_to(&query);
    m.set_authoritative(true);
    m.add_answers(records);
    bytes(&m)
}

/// SERVFAIL for `packet` (no upstream answered, or there is none); `None`
/// when it is not a DNS message.
pub fn servfail(packet: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(packet).ok()?;
    let mut m = reply_to(&query);
    m.set_response_code(ResponseCode::ServFail);
    m.to_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, kind: RecordType) -> Vec<u8> {
        let mut m = Message::new();
        m.set_id(4242).set_recursion_desired(true);
        m.add_query(Query::query(Name::from_ascii(name).unwrap(), kind));
        m.to_vec().unwrap()
    }

    fn answer(decision: Decision) -> Message {
        match decision {
            Decision::Answer(b) => Message::from_vec(&b).unwrap(),
            other => panic!("not an answer: {other:?}"),
        }
    }

    fn table() -> Vec<Neighbour> {
        vec![Neighbour {
            network: "front".into(),
            container_id: "c".repeat(64),
            container_name: "web".into(),
            aliases: vec!["www".into()],
            ip: "10.231.1.2".parse().unwrap(),
        }]
    }

    #[test]
    fn a_known_name_gets_its_address() {
        let m = answer(decide(&query("www.", RecordType::A), &table()));
        assert_eq!(m.id(), 4242);
        assert_eq!(m.message_type(), MessageType::Response);
        assert_eq!(m.response_code(), ResponseCode::NoError);
        assert!(m.recursion_desired() && m.recursion_available());
        assert_eq!(m.queries().len(), 1);
        let ips: Vec<&RData> = m.answers().iter().map(|r| r.data()).collect();
        assert_eq!(ips, [&RData::A(A("10.231.1.2".parse().unwrap()))]);
        assert_eq!(m.answers()[0].ttl(), TTL);
    }

    #[test]
    fn aaaa_of_a_known_name_is_empty_not_nxdomain() {
        let m = answer(decide(&query("web.", RecordType::AAAA), &table()));
        assert_eq!(m.response_code(), ResponseCode::NoError);
        assert!(m.answers().is_empty());
    }

    #[test]
    fn reverse_lookups_name_the_container_on_its_network() {
        let m = answer(decide(
            &query("2.1.231.10.in-addr.arpa.", RecordType::PTR),
            &table(),
        ));
        let RData::PTR(PTR(target)) = m.answers()[0].data() else {
            panic!("{m:?}")
        };
        assert_eq!(target.to_ascii(), "web.front.");
    }

    #[test]
    fn other_names_and_types_go_upstream_and_junk_is_dropped() {
        let t = table();
        assert_eq!(
            decide(&query("example.org.", RecordType::A), &t),
            Decision::Forward
        );
        assert_eq!(
            decide(&query("web.", RecordType::MX), &t),
            Decision::Forward
        );
        assert_eq!(
            decide(&query("9.9.9.10.in-addr.arpa.", RecordType::PTR), &t),
            Decision::Forward
        );
        assert_eq!(decide(b"\x01\x02junk", &t), Decision::Drop);
        let fail = Message::from_vec(&servfail(&query("x.", RecordType::A)).unwrap()).unwrap();
        assert_eq!(fail.response_code(), ResponseCode::ServFail);
        assert_eq!(fail.id(), 4242);
    }

    #[test]
    fn other_operations_are_not_implemented() {
        let mut m = Message::new();
        m.set_id(7).set_op_code(OpCode::Update);
        m.add_query(Query::query(
            Name::from_ascii("web.").unwrap(),
            RecordType::A,
        ));
        let reply = answer(decide(&m.to_vec().unwrap(), &table()));
        assert_eq!(reply.response_code(), ResponseCode::NotImp);
    }
}
