//! Query conventions shared by the list endpoints: case-insensitive parameter names, paging,
//! `If-Modified-Since`, comma-separated id lists and the small part of Xero's `where` language
//! Scopebook uses.

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{bad_request, json_reply};
use crate::wire::parse_timestamp;

/// Query parameters; Xero matches their names case-insensitively (`IDs`, `ids`, …).
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn new(raw: HashMap<String, String>) -> Self {
        Self(
            raw.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        )
    }

    /// Like Xero, a parameter the endpoint doesn't take is a 400 rather than silently ignored,
    /// so a client never believes a filter was applied when it wasn't.
    pub fn only(raw: HashMap<String, String>, known: &[&str]) -> Result<Self, Response> {
        let mut unknown: Vec<&String> = raw
            .keys()
            .filter(|name| !known.iter().any(|k| k.eq_ignore_ascii_case(name)))
            .collect();
        unknown.sort();
        if let Some(name) = unknown.first() {
            return Err(bad_request(&format!(
                "The query parameter '{name}' is not supported here{}",
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (supported: {})", known.join(", "))
                }
            )));
        }
        Ok(Self::new(raw))
    }

    /// `unitdp`: 4 keeps unit amounts to four decimal places; anything else is Xero's 2.
    pub fn unit_places(&self) -> Result<u32, Response> {
        match self.get("unitdp").map(str::trim) {
            None | Some("2") => Ok(2),
            Some("4") => Ok(4),
            Some(other) => Err(bad_request(&format!(
                "unitdp must be 2 or 4, not '{other}'"
            ))),
        }
    }

    /// `order`: `Field [ASC|DESC]`, several separated by commas; fields from `allowed`.
    pub fn order(&self, allowed: &[&str]) -> Result<Vec<(String, bool)>, Response> {
        let Some(text) = self.get("order") else {
            return Ok(Vec::new());
        };
        let mut keys = Vec::new();
        for part in text.split(',') {
            let mut words = part.split_whitespace();
            let Some(field) = words.next() else {
                continue;
            };
            let Some(known) = allowed.iter().find(|a| a.eq_ignore_ascii_case(field)) else {
                return Err(query_error(&format!(
                    "No property or field '{field}' exists in the order clause"
                )));
            };
            let descending = match words.next().map(str::to_ascii_uppercase).as_deref() {
                None | Some("ASC") => false,
                Some("DESC") => true,
                Some(other) => {
                    return Err(query_error(&format!(
                        "'{other}' in order must be ASC or DESC"
                    )));
                }
            };
            if words.next().is_some() {
                return Err(query_error(&format!(
                    "'{}' is not a valid order",
                    part.trim()
                )));
            }
            keys.push(((*known).to_string(), descending));
        }
        Ok(keys)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `summarizeErrors` defaults to true: one bad element fails the whole request.
    pub fn summarize_errors(&self) -> bool {
        !self
            .get("summarizeErrors")
            .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    }

    /// A comma-separated list (`IDs`, `InvoiceNumbers`, `Statuses`, …).
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        self.get(name).map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
    }

    /// A comma-separated list of Xero ids; a malformed id is a 400, as in Xero.
    pub fn uuid_list(&self, name: &str) -> Result<Option<Vec<Uuid>>, Response> {
        let Some(items) = self.list(name) else {
            return Ok(None);
        };
        items
            .iter()
            .map(|s| {
                Uuid::parse_str(s)
                    .map_err(|_| bad_request(&format!("'{s}' in {name} is not a valid id")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Paging: only when `page` is given; `pageSize` defaults to 100 and may not exceed 1000.
    pub fn paging(&self) -> Result<Option<Paging>, Response> {
        let Some(page) = self.get("page") else {
            return Ok(None);
        };
        let page: usize = page
            .trim()
            .parse()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or_else(|| bad_request("page must be a whole number of 1 or more"))?;
        let size = match self.get("pageSize") {
            None => 100,
            Some(size) => size
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|size| (1..=1000).contains(size))
                .ok_or_else(|| bad_request("pageSize must be between 1 and 1000"))?,
        };
        Ok(Some(Paging { page, size }))
    }
}

/// A value to sort by: text compares case-insensitively, as Xero orders names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Missing,
    Number(rust_decimal::Decimal),
    Time(DateTime<Utc>),
    Text(String),
}

impl SortKey {
    pub fn text(value: Option<&str>) -> Self {
        value.map_or(Self::Missing, |v| Self::Text(v.to_lowercase()))
    }
}

/// Sorts by the `order` keys (stable: records equal on every key keep their default order).
pub fn sort_by_order<T>(
    items: &mut [T],
    order: &[(String, bool)],
    key: impl Fn(&T, &str) -> SortKey,
) {
    if order.is_empty() {
        return;
    }
    items.sort_by(|a, b| {
        order
            .iter()
            .map(|(field, descending)| {
                let ordering = key(a, field).cmp(&key(b, field));
                if *descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: usize,
    pub size: usize,
}

impl Paging {
    /// This page's items and the `pagination` object Xero adds.
    pub fn apply<T>(self, items: Vec<T>) -> (Vec<T>, Value) {
        let item_count = items.len();
        let page_count = item_count.div_ceil(self.size);
        let page_items = items
            .into_iter()
            .skip((self.page - 1) * self.size)
            .take(self.size)
            .collect();
        let pagination = json!({"page": self.page, "pageSize": self.size, "pageCount": page_count, "itemCount": item_count});
        (page_items, pagination)
    }
}

/// `If-Modified-Since`: only records updated strictly after it. An unreadable value is a 400.
pub fn modified_since(headers: &HeaderMap) -> Result<Option<DateTime<Utc>>, Response> {
    let Some(value) = headers.get("if-modified-since") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default();
    parse_timestamp(text).map(Some).ok_or_else(|| {
        bad_request(&format!(
            "The If-Modified-Since value '{text}' is not a valid date"
        ))
    })
}

/// One `Field=="value"` comparison of a `where` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub value: String,
}

/// Parses `A=="x" AND B==Guid("…")`. Anything richer is refused with Xero's query error
/// rather than silently ignored, so a client never believes a filter was applied when it wasn't.
pub fn parse_where(text: &str, allowed: &[&str]) -> Result<Vec<Condition>, Response> {
    let mut conditions = Vec::new();
    for clause in split_and(text) {
        let clause = clause.trim();
        let Some((field, value)) = clause.split_once("==") else {
            return Err(query_error(&format!(
                "Only Field==\"value\" comparisons are supported: '{clause}'"
            )));
        };
        let field = field.trim();
        let Some(known) = allowed.iter().find(|name| name.eq_ignore_ascii_case(field)) else {
            return Err(query_error(&format!(
                "No property or field '{field}' exists in the where clause"
            )));
        };
        let value = value.trim();
        let value = value
            .strip_prefix("Guid(")
            .and_then(|v| v.strip_suffix(')'))
            .map(str::trim)
            .unwrap_or(value);
        let Some(value) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
            return Err(query_error(&format!(
                "The value in '{clause}' must be in double quotes"
            )));
        };
        conditions.push(Condition {
            field: (*known).to_string(),
            value: value.to_string(),
        });
    }
    Ok(conditions)
}

/// Splits on ` AND ` / `&&` outside quotes.
fn split_and(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut in_quotes = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if !in_quotes {
            let rest: String = chars[i..].iter().take(5).collect();
            if rest.eq_ignore_ascii_case(" and ") {
                parts.push(String::new());
                i += 5;
                continue;
            }
            if rest.starts_with("&&") {
                parts.push(String::new());
                i += 2;
                continue;
            }
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
        i += 1;
    }
    parts
}

fn query_error(message: &str) -> Response {
    json_reply(
        axum::http::StatusCode::BAD_REQUEST,
        json!({"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_reference_and_guid() {
        let parsed = parse_where(
            r#"Reference=="SB 2026-11 and more" AND Contact.ContactID==Guid("0f0e0d0c-0000-4000-8000-000000000001")"#,
            &["Reference", "Contact.ContactID"],
        )
        .unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].value, "SB 2026-11 and more");
        assert_eq!(parsed[1].field, "Contact.ContactID");
        assert!(parse_where(r#"Total>10"#, &["Reference"]).is_err());
    }
}
