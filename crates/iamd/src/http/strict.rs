//! A serde adapter that makes any deserializer strict, for API bodies:
//!
//! - a struct is read only from a JSON object, never from an array (serde's positional
//!   form would take `["bob"]` for `{"login": "bob"}`), nor from a string or a number;
//! - a key that a struct does not declare is refused, naming the accepted ones, at every
//!   depth (so a misspelled `excpet` never turns into a broader policy);
//! - the top-level keys a body lists as read-only are skipped (what a GET answered may be
//!   sent back);
//! - a value a type refuses to parse from a string says what was expected (`expiredAt`:
//!   "an RFC 3339 formatted date and time string").
//!
//! It wraps every nested deserializer, so no body type has to opt in. Limit: types that
//! buffer their input (`#[serde(flatten)]`, untagged enums) read the buffer with serde's own
//! rules; no API body uses them. Pure serde: no HTTP here.

use std::fmt;

use serde::de::value::StringDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// Reads `T` strictly from JSON text (no read-only keys); trailing data is refused.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Strict::new(&mut json, &[]))?;
    json.end()?;
    Ok(value)
}

/// `deserializer`, made strict; `read_only` keys are skipped in the top-level object.
pub struct Strict<D> {
    inner: D,
    read_only: &'static [&'static str],
}

impl<D> Strict<D> {
    pub fn new(inner: D, read_only: &'static [&'static str]) -> Self {
        Strict { inner, read_only }
    }

    fn nested(inner: D) -> Self {
        Strict::new(inner, &[])
    }
}

/// Forwards a deserializer method, wrapping the visitor.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($arg,)* Wrap::any(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrap = Wrap::object(visitor, fields, self.read_only);
        self.inner.deserialize_struct(name, fields, wrap)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }

    forward! {
        deserialize_any(); deserialize_bool(); deserialize_i8(); deserialize_i16();
        deserialize_i32(); deserialize_i64(); deserialize_i128(); deserialize_u8();
        deserialize_u16(); deserialize_u32(); deserialize_u64(); deserialize_u128();
        deserialize_f32(); deserialize_f64(); deserialize_char(); deserialize_str();
        deserialize_string(); deserialize_bytes(); deserialize_byte_buf();
        deserialize_option(); deserialize_unit(); deserialize_seq(); deserialize_map();
        deserialize_identifier(); deserialize_ignored_any();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }
}

/// A visitor wrapper: `fields` is `Some` when a struct is expected, and then only an object
/// is taken.
struct Wrap<V> {
    inner: V,
    fields: Option<&'static [&'static str]>,
    read_only: &'static [&'static str],
}

impl<V> Wrap<V> {
    fn any(inner: V) -> Self {
        Wrap {
            inner,
            fields: None,
            read_only: &[],
        }
    }

    fn object(
        inner: V,
        fields: &'static [&'static str],
        read_only: &'static [&'static str],
    ) -> Self {
        Wrap {
            inner,
            fields: Some(fields),
            read_only,
        }
    }
}

/// What a visitor expects, as text.
struct Expecting<'a, V>(&'a V);

impl<'de, V: Visitor<'de>> fmt::Display for Expecting<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
}

impl<'de, V: Visitor<'de>> Wrap<V> {
    /// Refuses anything but an object where a struct is expected.
    fn refuse<'u, E: de::Error>(
        &self,
        unexpected: impl FnOnce() -> Unexpected<'u>,
    ) -> Result<(), E> {
        match self.fields {
            Some(_) => Err(E::invalid_type(unexpected(), self)),
            None => Ok(()),
        }
    }

    /// A type that parses strings (dates, UUIDs, addresses) reports the parser's complaint
    /// only ("input contains invalid characters"): add what it expected.
    fn explained<E: de::Error>(
        self,
        visit: impl FnOnce(V) -> Result<V::Value, E>,
    ) -> Result<V::Value, E> {
        let expected = Expecting(&self.inner).to_string();
        visit(self.inner).map_err(|e| {
            let message = e.to_string();
            if message.contains("expected") {
                e
            } else {
                E::custom(format_args!("{message}; expected {expected}"))
            }
        })
    }
}

/// Forwards scalar visits, refusing them where an object is expected.
macro_rules! scalars {
    ($($method:ident($ty:ty) => $unexpected:expr;)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.refuse(|| $unexpected(v))?;
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fields {
            Some(_) => f.write_str("an object"),
            None => self.inner.expecting(f),
        }
    }

    scalars! {
        visit_bool(bool) => Unexpected::Bool;
        visit_i8(i8) => |v| Unexpected::Signed(i64::from(v));
        visit_i16(i16) => |v| Unexpected::Signed(i64::from(v));
        visit_i32(i32) => |v| Unexpected::Signed(i64::from(v));
        visit_i64(i64) => Unexpected::Signed;
        visit_i128(i128) => |_| Unexpected::Other("an integer");
        visit_u8(u8) => |v| Unexpected::Unsigned(u64::from(v));
        visit_u16(u16) => |v| Unexpected::Unsigned(u64::from(v));
        visit_u32(u32) => |v| Unexpected::Unsigned(u64::from(v));
        visit_u64(u64) => Unexpected::Unsigned;
        visit_u128(u128) => |_| Unexpected::Other("an integer");
        visit_f32(f32) => |v| Unexpected::Float(f64::from(v));
        visit_f64(f64) => Unexpected::Float;
        visit_char(char) => Unexpected::Char;
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Str(v))?;
        self.explained(|inner| inner.visit_str(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Str(v))?;
        self.explained(|inner| inner.visit_borrowed_str(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Str(&v))?;
        self.explained(|inner| inner.visit_string(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Bytes(v))?;
        self.inner.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Bytes(v))?;
        self.inner.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Bytes(&v))?;
        self.inner.visit_byte_buf(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Unit)?;
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.refuse(|| Unexpected::Unit)?;
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.refuse(|| Unexpected::Option)?;
        self.inner.visit_some(Strict::nested(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.refuse(|| Unexpected::NewtypeStruct)?;
        self.inner.visit_newtype_struct(Strict::nested(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.refuse(|| Unexpected::Seq)?;
        self.inner.visit_seq(StrictSeq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let fields = self.fields;
        let read_only = self.read_only;
        self.inner.visit_map(StrictMap {
            inner: map,
            fields,
            read_only,
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.refuse(|| Unexpected::Enum)?;
        self.inner.visit_enum(StrictEnum(data))
    }
}

/// A seed whose deserializer is made strict.
struct StrictSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict::nested(d))
    }
}

struct StrictSeq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An object's entries; when it is read as a struct, its keys are checked against the
/// struct's `fields` first.
struct StrictMap<A> {
    inner: A,
    fields: Option<&'static [&'static str]>,
    read_only: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(fields) = self.fields else {
            return self.inner.next_key_seed(StrictSeed(seed));
        };
        while let Some(key) = self.inner.next_key::<String>()? {
            if fields.contains(&key.as_str()) {
                return seed.deserialize(StringDeserializer::new(key)).map(Some);
            }
            if !self.read_only.contains(&key.as_str()) {
                return Err(de::Error::unknown_field(&key, fields));
            }
            self.inner.next_value::<IgnoredAny>()?;
        }
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

struct StrictEnum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    type Variant = StrictVariant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(StrictSeed(seed))?;
        Ok((value, StrictVariant(variant)))
    }
}

struct StrictVariant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(StrictSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::any(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0
            .struct_variant(fields, Wrap::object(visitor, fields, &[]))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        name: String,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        tags: BTreeMap<String, String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        action: String,
    }

    fn parse(text: &str, read_only: &'static [&'static str]) -> Result<Outer, String> {
        let mut json = serde_json::Deserializer::from_str(text);
        Outer::deserialize(Strict::new(&mut json, read_only)).map_err(|e| e.to_string())
    }

    #[test]
    fn objects_are_read_as_serde_would() {
        let got = parse(
            r#"{"name":"a","inner":{"action":"x"},"tags":{"k":"v"}}"#,
            &[],
        );
        assert_eq!(got.unwrap().inner.unwrap().action, "x");
    }

    #[test]
    fn arrays_are_never_structs() {
        assert!(
            parse(r#"["a"]"#, &[])
                .unwrap_err()
                .contains("expected an object")
        );
        let nested = parse(r#"{"name":"a","inner":["x"]}"#, &[]).unwrap_err();
        assert!(nested.contains("expected an object"), "{nested}");
        assert!(parse(r#""a""#, &[]).is_err());
    }

    #[test]
    fn unknown_keys_are_refused_at_every_depth() {
        let top = parse(r#"{"name":"a","nmae":"b"}"#, &[]).unwrap_err();
        assert!(top.contains("unknown field `nmae`"), "{top}");
        assert!(top.contains("`name`, `inner`, `tags`"), "{top}");
        let nested = parse(r#"{"name":"a","inner":{"action":"x","actoin":"y"}}"#, &[]);
        assert!(nested.unwrap_err().contains("unknown field `actoin`"));
    }

    #[test]
    fn map_keys_are_free() {
        let got = parse(r#"{"name":"a","tags":{"anything":"v"}}"#, &[]).unwrap();
        assert_eq!(got.tags["anything"], "v");
    }

    #[test]
    fn read_only_keys_are_skipped_at_the_top_only() {
        let got = parse(r#"{"id":{"deep":[1]},"name":"a"}"#, &["id"]).unwrap();
        assert_eq!(got.name, "a");
        let nested = parse(r#"{"name":"a","inner":{"action":"x","id":1}}"#, &["id"]);
        assert!(nested.unwrap_err().contains("unknown field `id`"));
    }

    #[test]
    fn parse_failures_say_what_was_expected() {
        #[derive(Debug, Deserialize)]
        struct Dated {
            #[allow(dead_code)]
            at: chrono::DateTime<chrono::Utc>,
        }
        let mut json = serde_json::Deserializer::from_str(r#"{"at":"tomorrow"}"#);
        let e = Dated::deserialize(Strict::new(&mut json, &[])).unwrap_err();
        assert!(e.to_string().contains("RFC 3339"), "{e}");
    }
}
