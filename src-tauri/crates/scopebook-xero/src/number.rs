//! Amounts in Xero's JSON are plain numbers. We keep them as `Decimal` by going through the
//! shortest decimal text of the number (what ryu prints), which is exact for any amount with up
//! to 15 significant digits — every amount an invoice line can hold. No arithmetic is done in
//! floating point.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match value.map(|v| v.normalize()) {
        None => s.serialize_none(),
        Some(v) if v.scale() == 0 => match v.to_i64() {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_str(&v.to_string()),
        },
        Some(v) => match v.to_f64() {
            // Only used when the shortest text of the float is the decimal itself.
            Some(f) if format!("{f}").parse::<Decimal>().ok() == Some(v) => s.serialize_f64(f),
            _ => s.serialize_str(&v.to_string()),
        },
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Int(i64),
    Float(f64),
    Text(String),
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<Raw> = Option::deserialize(d)?;
    let text = match raw {
        None => return Ok(None),
        Some(Raw::Int(i)) => return Ok(Some(Decimal::from(i))),
        Some(Raw::Float(f)) => format!("{f}"),
        Some(Raw::Text(t)) => t,
    };
    text.trim()
        .parse::<Decimal>()
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("not an amount: {text}")))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Line {
        #[serde(with = "super", default)]
        amount: Option<Decimal>,
    }

    fn read(json: &str) -> Option<Decimal> {
        serde_json::from_str::<Line>(json).unwrap().amount
    }

    #[test]
    fn reads_numbers_exactly() {
        assert_eq!(read(r#"{"amount": 0.1}"#).unwrap().to_string(), "0.1");
        assert_eq!(
            read(r#"{"amount": 1234.56}"#).unwrap().to_string(),
            "1234.56"
        );
        assert_eq!(
            read(r#"{"amount": 99999999999.99}"#).unwrap().to_string(),
            "99999999999.99"
        );
        assert_eq!(read(r#"{"amount": 42}"#).unwrap().to_string(), "42");
        assert_eq!(read(r#"{"amount": "12.50"}"#).unwrap().to_string(), "12.50");
        assert_eq!(read(r#"{"amount": null}"#), None);
        assert_eq!(read(r#"{}"#), None);
    }

    #[test]
    fn writes_numbers_exactly() {
        let line = Line {
            amount: Some("1234.50".parse().unwrap()),
        };
        assert_eq!(
            serde_json::to_string(&line).unwrap(),
            r#"{"amount":1234.5}"#
        );
        let line = Line {
            amount: Some("3".parse().unwrap()),
        };
        assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"amount":3}"#);
        let line = Line {
            amount: Some("0.125".parse().unwrap()),
        };
        assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"amount":0.125}"#);
    }
}
