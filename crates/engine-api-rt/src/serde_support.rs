//! What the generated structs' serde impls share: [`Rest`], the part of a
//! JSON object that the typed fields cannot hold, and the small generic
//! helpers the generated `Serialize`/`Deserialize` impls call.
//!
//! A daemon written in Go sends `null` for a nil slice, map or pointer, and
//! sends fields our spec version does not declare (older ones it still
//! fills, newer ones we do not know yet). A generated struct keeps both in
//! its `rest` field, so that decoding a body and encoding it again gives
//! back the same JSON:
//!
//! - keys the spec does not declare, with their values as sent;
//! - which `Option` fields were not rendered the default way: an optional
//!   field that was sent as an explicit `null` (rather than left out), or a
//!   required, nullable field that was left out (rather than sent as
//!   `null`).
//!
//! A value built in Rust records nothing: a `None` optional field is left
//! out, a `None` required field is sent as `null`. Go decodes `null` and a
//! missing key alike, so the recorded nulls change nothing for a daemon;
//! they only make round trips exact, and [`Rest`]'s equality ignores them.
//!
//! Every generated crate calls it from here (`engine_api_rt::serde_support`),
//! engine-api and the standalone crates of `cargo xtask codegen --spec`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap};
use serde_json::Value;

/// The rest of a JSON object: undeclared keys and the recorded nulls of the
/// struct's `Option` fields (`N` words of 64 bits, one bit per field).
///
/// Build values with `Default::default()`; read undeclared keys with
/// [`Rest::get`] or [`Rest::fields`].
#[derive(Clone)]
pub struct Rest<const N: usize> {
    fields: BTreeMap<String, Value>,
    nulls: [u64; N],
}

impl<const N: usize> Default for Rest<N> {
    fn default() -> Self {
        Self {
            fields: BTreeMap::new(),
            nulls: [0; N],
        }
    }
}

/// Equal when the undeclared keys are: the recorded nulls are a detail of
/// the encoding, not of the value.
impl<const N: usize> PartialEq for Rest<N> {
    fn eq(&self, other: &Self) -> bool {
        self.fields == other.fields
    }
}

impl<const N: usize> fmt::Debug for Rest<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nulls: Vec<usize> = (0..N * 64).filter(|&bit| self.flipped(bit)).collect();
        f.debug_struct("Rest")
            .field("fields", &self.fields)
            .field("nulls", &nulls)
            .finish()
    }
}

impl<const N: usize> Rest<N> {
    /// The value of an undeclared key, as it was sent.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// Every undeclared key, sorted. Encoding writes them after the
    /// declared fields.
    pub fn fields(&self) -> &BTreeMap<String, Value> {
        &self.fields
    }

    /// The undeclared keys, to change. A key that names a declared field
    /// would be written twice: keep those out.
    pub fn fields_mut(&mut self) -> &mut BTreeMap<String, Value> {
        &mut self.fields
    }

    /// Whether neither undeclared keys nor nulls were recorded.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.nulls.iter().all(|w| *w == 0)
    }

    /// Forgets the recorded nulls: `None` fields are then encoded as for a
    /// value built in Rust.
    pub fn clear_nulls(&mut self) {
        self.nulls = [0; N];
    }

    fn flipped(&self, bit: usize) -> bool {
        self.nulls
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    fn flip(&mut self, bit: usize, on: bool) {
        if let Some(w) = self.nulls.get_mut(bit / 64) {
            if on {
                *w |= 1 << (bit % 64);
            } else {
                *w &= !(1 << (bit % 64));
            }
        }
    }

    /// Decodes the value of an optional field, recording an explicit null.
    #[doc(hidden)]
    pub fn read_optional<'de, A, T>(
        &mut self,
        map: &mut A,
        bit: usize,
    ) -> Result<Option<T>, A::Error>
    where
        A: MapAccess<'de>,
        T: Deserialize<'de>,
    {
        let value: Option<T> = map.next_value()?;
        self.flip(bit, value.is_none());
        Ok(value)
    }

    /// The value of a required, nullable field, recording its absence.
    #[doc(hidden)]
    pub fn take_nullable<T>(&mut self, slot: Option<Option<T>>, bit: usize) -> Option<T> {
        self.flip(bit, slot.is_none());
        slot.flatten()
    }

    /// Decodes the value of an undeclared key.
    #[doc(hidden)]
    pub fn read_unknown<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let value: Value = map.next_value()?;
        self.fields.insert(key.0.into_owned(), value);
        Ok(())
    }

    /// Encodes an optional field: its value, an explicit null when one was
    /// recorded, or nothing.
    #[doc(hidden)]
    pub fn write_optional<M, T>(
        &self,
        map: &mut M,
        key: &'static str,
        value: &Option<T>,
        bit: usize,
    ) -> Result<(), M::Error>
    where
        M: SerializeMap,
        T: Serialize,
    {
        match value {
            Some(value) => map.serialize_entry(key, value),
            None if self.flipped(bit) => map.serialize_entry(key, &()),
            None => Ok(()),
        }
    }

    /// Encodes a required, nullable field: its value or `null`, unless it
    /// was recorded as absent.
    #[doc(hidden)]
    pub fn write_nullable<M, T>(
        &self,
        map: &mut M,
        key: &'static str,
        value: &Option<T>,
        bit: usize,
    ) -> Result<(), M::Error>
    where
        M: SerializeMap,
        T: Serialize,
    {
        if value.is_none() && self.flipped(bit) {
            return Ok(());
        }
        map.serialize_entry(key, value)
    }

    /// Encodes the undeclared keys and closes the object.
    #[doc(hidden)]
    pub fn end<M: SerializeMap>(&self, mut map: M) -> Result<M::Ok, M::Error> {
        for (key, value) in &self.fields {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// A key of a JSON object, borrowed from the input when it can be.
#[doc(hidden)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A generated string enum decoded from its wire text, borrowed from the
/// input when it can be: a value the spec lists allocates nothing, another
/// one is kept in the enum's fallback variant.
#[doc(hidden)]
pub fn string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    Ok(match Key::deserialize(deserializer)?.0 {
        Cow::Borrowed(text) => T::from(text),
        Cow::Owned(text) => T::from(text),
    })
}

/// A required field's decoded value, or the error that names it.
#[doc(hidden)]
pub fn required<'de, A: MapAccess<'de>, T>(
    slot: Option<T>,
    key: &'static str,
) -> Result<T, A::Error> {
    slot.ok_or_else(|| de::Error::missing_field(key))
}

/// Decodes the value of a key beyond the declared properties into the
/// struct's `additionalProperties` map.
#[doc(hidden)]
pub fn read_extra<'de, A, V>(
    extra: &mut BTreeMap<String, V>,
    key: Key<'de>,
    map: &mut A,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    V: Deserialize<'de>,
{
    let value: V = map.next_value()?;
    extra.insert(key.0.into_owned(), value);
    Ok(())
}

/// Encodes every entry of an `additionalProperties` map.
#[doc(hidden)]
pub fn write_extra<M, V>(map: &mut M, extra: &BTreeMap<String, V>) -> Result<(), M::Error>
where
    M: SerializeMap,
    V: Serialize,
{
    for (key, value) in extra {
        map.serialize_entry(key, value)?;
    }
    Ok(())
}

/// Encodes a required field.
#[doc(hidden)]
pub fn write<M, T>(map: &mut M, key: &'static str, value: &T) -> Result<(), M::Error>
where
    M: SerializeMap,
    T: Serialize + ?Sized,
{
    map.serialize_entry(key, value)
}

/// Opens the object of a struct (length unknown: fields may be skipped).
#[doc(hidden)]
pub fn begin<S: serde::Serializer>(serializer: S) -> Result<S::SerializeMap, S::Error> {
    serializer.serialize_map(None)
}

/// What a struct's visitor expects, for decoding errors.
#[doc(hidden)]
pub fn expecting(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    write!(f, "a JSON object ({name})")
}

/// A `oneOf`/`anyOf` branch decoded from the whole value: `None` when the
/// value is not of that branch's type (an untagged union tries the next).
#[doc(hidden)]
pub fn try_branch<T: de::DeserializeOwned>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// The branch a tag chose, decoded from the whole value (tag included, so a
/// struct that declares the tag property finds it).
#[doc(hidden)]
pub fn branch<T: de::DeserializeOwned, E: de::Error>(value: &Value, name: &str) -> Result<T, E> {
    T::deserialize(value).map_err(|e| E::custom(format_args!("{name}: {e}")))
}

/// The error of an untagged union whose branches all refused the value.
#[doc(hidden)]
pub fn no_branch<E: de::Error>(value: &Value, name: &str) -> E {
    let what = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    E::custom(format_args!("{what} that matches no branch of {name}"))
}

/// The string in the tag property `property` of a tagged union's object.
#[doc(hidden)]
pub fn tag_of<'v, E: de::Error>(value: &'v Value, property: &'static str) -> Result<&'v str, E> {
    match value {
        Value::Object(object) => match object.get(property) {
            Some(Value::String(tag)) => Ok(tag),
            Some(other) => Err(E::invalid_type(unexpected(other), &"a string tag")),
            None => Err(E::missing_field(property)),
        },
        other => Err(E::invalid_type(unexpected(other), &"a JSON object")),
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// Encodes a tagged union's branch with its tag: the branch's own encoding,
/// plus `property: tag` when the branch did not write that key itself (a
/// value built in Rust whose type does not declare the tag).
#[doc(hidden)]
pub fn write_tagged<S: serde::Serializer, T: Serialize>(
    serializer: S,
    property: &str,
    tag: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut value = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let Value::Object(object) = &mut value {
        object.entry(property).or_insert_with(|| Value::from(tag));
    }
    value.serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_beyond_the_first_word_are_kept() {
        let mut rest = Rest::<2>::default();
        assert!(rest.is_empty());
        rest.flip(0, true);
        rest.flip(70, true);
        assert!(rest.flipped(0) && rest.flipped(70) && !rest.flipped(69));
        assert!(!rest.is_empty());
        rest.flip(70, false);
        assert!(!rest.flipped(70));
        rest.flip(500, true); // out of range: ignored, never a panic
        assert!(!rest.flipped(500));
        assert_eq!(format!("{rest:?}"), "Rest { fields: {}, nulls: [0] }");
    }

    #[test]
    fn equality_ignores_recorded_nulls() {
        let mut a = Rest::<1>::default();
        let b = Rest::<1>::default();
        a.flip(3, true);
        assert_eq!(a, b);
        a.fields_mut()
            .insert("KernelMemory".into(), Value::Bool(true));
        assert_ne!(a, b);
        assert_eq!(a.get("KernelMemory"), Some(&Value::Bool(true)));
        a.clear_nulls();
        assert!(!a.flipped(3));
    }
}
