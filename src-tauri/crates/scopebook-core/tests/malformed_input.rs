//! Malformed input never panics and never half-writes: random bytes as a clients or services CSV
//! (any encoding, any separators, quotes left open, control characters) are read, previewed and
//! imported or refused with a report — and a refused import leaves the data file as it was.
//! proptest prints the failing input (and keeps it in `proptest-regressions/` to replay first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use scopebook_core::Store;
use scopebook_core::catalog::csv::import_services;
use scopebook_core::catalog::{ServiceFilter, list_services};
use scopebook_core::clients::import::{import_clients, preview_import};
use scopebook_core::clients::{ClientFilter, list_clients};
use scopebook_core::practice::{PracticeSetup, setup_practice};

fn practice() -> Store {
    let mut store = Store::open_in_memory().expect("an in-memory store");
    setup_practice(
        &mut store,
        PracticeSetup {
            firm_name: "Harbour Bookkeeping".into(),
            country: "AU".into(),
            base_currency: "AUD".into(),
        },
    )
    .expect("a practice");
    store
}

/// CSV-shaped text: header-like words, separators, quotes, line breaks, digits and symbols.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("Name".to_string()),
        Just("Email".to_string()),
        Just("Status".to_string()),
        Just("Price".to_string()),
        Just("Pricing".to_string()),
        Just("Frequency".to_string()),
        Just(",".to_string()),
        Just(";".to_string()),
        Just("\t".to_string()),
        Just("\"".to_string()),
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        "[a-zA-Z0-9 .,@'#*&()-]{0,12}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|parts| parts.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_clients_csv_is_imported_or_refused_whole(bytes in csvish()) {
        let mut store = practice();
        let _ = preview_import(&store, &bytes);
        let before = list_clients(&store, &ClientFilter::default()).map(|c| c.len()).ok();
        if import_clients(&mut store, &bytes).is_err() {
            prop_assert_eq!(list_clients(&store, &ClientFilter::default()).map(|c| c.len()).ok(), before);
        }
    }

    #[test]
    fn any_bytes_as_a_clients_csv_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut store = practice();
        let _ = preview_import(&store, &bytes);
        let _ = import_clients(&mut store, &bytes);
    }

    #[test]
    fn any_services_csv_is_imported_or_refused_whole(bytes in csvish(), dry_run in any::<bool>()) {
        let mut store = practice();
        let filter = ServiceFilter { search: None, category: None, archived: None };
        let before = list_services(&store, &filter).map(|s| s.len()).ok();
        let report = import_services(&mut store, bytes.as_slice(), dry_run);
        if dry_run || report.is_err() || report.as_ref().is_ok_and(|r| !r.problems.is_empty()) {
            prop_assert_eq!(list_services(&store, &filter).map(|s| s.len()).ok(), before);
        }
    }
}
