//! A network as the API shows it (`docker network inspect` / `ls`), in
//! dockerd's shape: `IPAM` with its driver and pools, `ConfigFrom` and
//! `ConfigOnly`, and the running containers on it.

use engine_api::types::{Ipam, IpamConfig, Network, NetworkContainer};

use super::model::{ActiveEndpoint, NetworkRecord};
use crate::gojson::{nil, rfc3339_nano};

/// The API body of `record` with `attached` (container id, name,
/// endpoint) as its `Containers`.
pub fn network_view(
    record: &NetworkRecord,
    attached: &[(String, String, ActiveEndpoint)],
) -> Network {
    let config = record
        .pools
        .iter()
        .map(|p| IpamConfig {
            subnet: Some(p.subnet.clone()),
            ip_range: (!p.ip_range.is_empty()).then(|| p.ip_range.clone()),
            gateway: (!p.gateway.is_empty()).then(|| p.gateway.clone()),
            auxiliary_addresses: (!p.aux_addresses.is_empty()).then(|| p.aux_addresses.clone()),
            ..Default::default()
        })
        .collect();
    let mut ipam = Ipam {
        driver: Some("default".into()),
        config: Some(config),
        options: record.ipam_options.clone(),
        ..Default::default()
    };
    nil(&mut ipam.rest, "Options", &ipam.options);
    let containers = attached
        .iter()
        .map(|(id, name, a)| {
            (
                id.clone(),
                NetworkContainer {
                    name: Some(name.clone()),
                    endpoint_id: Some(a.endpoint_id.clone()),
                    mac_address: Some(a.mac.clone()),
                    ipv4_address: Some(if a.ip.is_ipv4() {
                        format!("{}/{}", a.ip, a.prefix_len)
                    } else {
                        String::new()
                    }),
                    ipv6_address: Some(
                        a.ipv6
                            .as_ref()
                            .map(|v6| format!("{}/{}", v6.ip, v6.prefix_len))
                            .unwrap_or_default(),
                    ),
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut n = Network {
        name: Some(record.name.clone()),
        id: Some(record.id.clone()),
        created: Some(rfc3339_nano(&record.created)),
        scope: Some("local".into()),
        driver: Some(record.driver.clone()),
        enable_ipv6: Some(record.enable_ipv6),
        ipam: Some(ipam),
        internal: Some(record.internal),
        attachable: Some(record.attachable),
        ingress: Some(false),
        containers: Some(containers),
        options: Some(record.options.clone()),
        labels: Some(record.labels.clone()),
        ..Default::default()
    };
    let rest = n.rest.fields_mut();
    rest.insert("ConfigFrom".into(), serde_json::json!({ "Network": "" }));
    rest.insert("ConfigOnly".into(), serde_json::Value::Bool(false));
    n
}
