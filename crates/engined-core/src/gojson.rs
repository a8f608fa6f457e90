//! How Go's `encoding/json` writes dockerd's answers, for the few places
//! where engined's typed bodies would otherwise differ from it: a nil
//! slice, map or pointer is sent as `null` (a typed `None` is left out),
//! and times are RFC 3339 with at most nine fraction digits and no
//! trailing zeros (Go's `RFC3339Nano`).

use engine_api::rt::serde_support::Rest;
use engine_api::types::ContainerConfig;

/// Sends `key: null` when `field` is `None`, as dockerd sends a nil Go
/// value. `key` must be the JSON name of `field` (a `Some` field is sent
/// by its own serializer, so the key is never written twice).
pub fn nil<T, const N: usize>(rest: &mut Rest<N>, key: &str, field: &Option<T>) {
    if field.is_none() {
        rest.fields_mut()
            .insert(key.to_string(), serde_json::Value::Null);
    }
}

/// A container config (a container's, or the one an image carries) as
/// dockerd's Go struct sends it: its plain strings and booleans filled
/// with their zero values, then the caller's own shaping (`shape`: the two
/// callers' shapes differ, e.g. `Labels` `{}` or `null`), then the nil
/// slices and maps still unset (`Env`, `Cmd`, `Volumes`, `Entrypoint`,
/// `OnBuild`, `Labels`) sent as `null`.
pub fn config_as_sent(
    mut c: ContainerConfig,
    shape: impl FnOnce(&mut ContainerConfig),
) -> ContainerConfig {
    for field in [
        &mut c.hostname,
        &mut c.domainname,
        &mut c.user,
        &mut c.working_dir,
    ] {
        field.get_or_insert_with(String::new);
    }
    for field in [
        &mut c.attach_stdin,
        &mut c.attach_stdout,
        &mut c.attach_stderr,
        &mut c.tty,
        &mut c.open_stdin,
        &mut c.stdin_once,
    ] {
        field.get_or_insert(false);
    }
    shape(&mut c);
    nil(&mut c.rest, "Env", &c.env);
    nil(&mut c.rest, "Cmd", &c.cmd);
    nil(&mut c.rest, "Volumes", &c.volumes);
    nil(&mut c.rest, "Entrypoint", &c.entrypoint);
    nil(&mut c.rest, "OnBuild", &c.on_build);
    nil(&mut c.rest, "Labels", &c.labels);
    c
}

/// `time` (RFC 3339) as Go's `RFC3339Nano` writes it: the fraction's
/// trailing zeros dropped, and the dot with them when nothing is left.
pub fn rfc3339_nano(time: &str) -> String {
    let Some(dot) = time.find('.') else {
        return time.to_string();
    };
    let digits = time[dot + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(time.len(), |i| dot + 1 + i);
    let fraction = time[dot + 1..digits].trim_end_matches('0');
    let dot_part = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    format!("{}{dot_part}{}", &time[..dot], &time[digits..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_zeros_go() {
        assert_eq!(
            rfc3339_nano("2026-12-01T14:19:29.712208180Z"),
            "2026-12-01T14:19:29.71220818Z"
        );
        assert_eq!(
            rfc3339_nano("2026-12-01T14:19:29.000000000Z"),
            "2026-12-01T14:19:29Z"
        );
        assert_eq!(rfc3339_nano("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_nano("2026-12-01T14:19:29.5+01:00"),
            "2026-12-01T14:19:29.5+01:00"
        );
    }

    #[test]
    fn configs_get_go_zero_values_and_nulls_around_the_callers_shape() {
        let given = ContainerConfig {
            user: Some("app".into()),
            tty: Some(true),
            cmd: Some(vec!["sh".into()]),
            ..Default::default()
        };
        let plain = serde_json::to_value(config_as_sent(given.clone(), |_| {})).unwrap();
        assert_eq!(plain["User"], "app");
        assert_eq!(plain["Hostname"], "");
        assert_eq!(plain["Tty"], true);
        assert_eq!(plain["OpenStdin"], false);
        assert_eq!(plain["Cmd"], serde_json::json!(["sh"]));
        for key in ["Env", "Volumes", "Entrypoint", "OnBuild", "Labels"] {
            assert_eq!(plain[key], serde_json::Value::Null, "{key}");
        }
        // What the shape sets is sent as set, not as null.
        let shaped = config_as_sent(given, |c| c.labels = Some(Default::default()));
        let shaped = serde_json::to_value(shaped).unwrap();
        assert_eq!(shaped["Labels"], serde_json::json!({}));
    }

    #[test]
    fn none_is_sent_as_null() {
        let mut c = engine_api::types::ContainerConfig::default();
        assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
        nil(&mut c.rest, "Env", &c.env);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"Env":null}"#);
        // A value set later is not written twice.
        let mut c = engine_api::types::ContainerConfig {
            env: Some(vec!["A=1".into()]),
            ..Default::default()
        };
        nil(&mut c.rest, "Env", &c.env);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"Env":["A=1"]}"#);
    }
}
