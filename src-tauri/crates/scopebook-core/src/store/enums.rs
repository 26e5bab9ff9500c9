//! Enums stored in the database, each defined once.
//!
//! [`db_enum!`](crate::db_enum) declares the enum with its stored text per variant; from that one
//! list come the serde names (what the UI and the CLI's `--json` see), the TypeScript type,
//! `as_str`, `ALL`, a strict `FromStr`, and the SQLite `ToSql`/`FromSql` pair. Reading a value
//! the enum doesn't know is an error ([`UnknownValue`]), never a default: an unknown proposal
//! status must not turn an accepted proposal into an editable draft.

/// A stored text that names none of an enum's values (a newer or damaged file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the data file holds an unknown {what} \"{value}\"")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// Declares an enum stored as text. See the [module docs](crate::store::enums).
///
/// ```ignore
/// db_enum! {
///     /// How often a service is billed.
///     #[ts(export)]
///     pub enum Frequency: "billing frequency" {
///         OneOff = "one_off",
///         Monthly = "monthly",
///     }
/// }
/// ```
#[macro_export]
macro_rules! db_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize, ::ts_rs::TS,
        )]
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database (and sent to the UI).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::store::enums::UnknownValue;

            /// Exactly the stored text; anything else is an error.
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                match text {
                    $( $text => Ok($name::$variant), )+
                    other => Err($crate::store::enums::UnknownValue {
                        what: $what,
                        value: other.to_string(),
                    }),
                }
            }
        }

        impl ::rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> ::rusqlite::Result<::rusqlite::types::ToSqlOutput<'_>> {
                Ok(::rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl ::rusqlite::types::FromSql for $name {
            fn column_result(
                value: ::rusqlite::types::ValueRef<'_>,
            ) -> ::rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                text.parse::<$name>()
                    .map_err(|e| ::rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    crate::db_enum! {
        /// A test enum.
        pub enum Colour: "colour" {
            Red = "red",
            /// Documented variant.
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn stored_text_round_trips_and_unknown_text_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (c TEXT)").unwrap();
        for c in Colour::ALL {
            conn.execute("INSERT INTO t VALUES (?1)", [c]).unwrap();
        }
        let back: Vec<Colour> = conn
            .prepare("SELECT c FROM t")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(back, Colour::ALL);

        conn.execute("INSERT INTO t VALUES ('purple')", []).unwrap();
        let err = conn
            .query_row("SELECT c FROM t WHERE c = 'purple'", [], |r| {
                r.get::<_, Colour>(0)
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown colour \"purple\""),
            "{err}"
        );
        assert!("Red".parse::<Colour>().is_err(), "parsing is exact");
    }

    #[test]
    fn serde_names_are_the_stored_text() {
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).unwrap(),
            "\"dark_blue\""
        );
        assert_eq!(
            serde_json::from_str::<Colour>("\"red\"").unwrap(),
            Colour::Red
        );
    }
}
