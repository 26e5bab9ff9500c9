use super::normalize::{
    NameMatch, compare_names, email_key, name_key, normalized_name, phone_key, tax_key,
};
use super::*;

fn client(id: i64, name: &str) -> MatchClient {
    MatchClient {
        id,
        display_name: name.into(),
        ..MatchClient::default()
    }
}

fn contact(id: &str, name: &str) -> MatchContact {
    MatchContact {
        contact_id: id.into(),
        name: name.into(),
        is_customer: true,
        ..MatchContact::default()
    }
}

fn decide_one(c: &MatchClient, contacts: &[MatchContact]) -> Decision {
    let mut all = match_clients(std::slice::from_ref(c), contacts, MatchOptions::default());
    all.remove(0).decision
}

fn linked_to(decision: &Decision) -> Option<&str> {
    match decision {
        Decision::AutoLink { contact } => Some(&contact.contact_id),
        _ => None,
    }
}

fn reviewed(decision: &Decision) -> Vec<&str> {
    match decision {
        Decision::Review { candidates } => {
            candidates.iter().map(|c| c.contact_id.as_str()).collect()
        }
        _ => Vec::new(),
    }
}

#[test]
fn names_lose_case_punctuation_legal_suffixes_and_a_leading_the() {
    for name in [
        "Acme Pty Ltd",
        "ACME PTY. LTD.",
        "Acme",
        "Acme Limited",
        "Acme Proprietary Limited",
        "Acme P/L",
        "The Acme Co.",
        "Acme (NZ) Limited",
        "Acme LLC",
        "Acme Inc.",
        "Acme PLC",
        "Acme GmbH",
    ] {
        assert_eq!(normalized_name(name), "acme", "{name}");
    }
    assert_eq!(
        normalized_name("Smith & Sons"),
        normalized_name("Smith and Sons Limited")
    );
    assert_eq!(name_key("O'Brien Plumbing"), name_key("OBrien Plumbing"));
    // A suffix word only counts at the end; a name made only of one keeps it.
    assert_eq!(normalized_name("Limited Editions Ltd"), "limited editions");
    assert_eq!(normalized_name("Limited"), "limited");
    assert_eq!(name_key("..."), "");
}

#[test]
fn names_compare_from_same_to_different() {
    assert_eq!(
        compare_names("Acme Pty Ltd", "Acme  Pty Ltd"),
        NameMatch::Same
    );
    assert_eq!(
        compare_names("Acme Pty Ltd", "ACME PTY LTD"),
        NameMatch::Case
    );
    assert_eq!(
        compare_names("Acme Pty Ltd", "ACME PTY. LTD."),
        NameMatch::Punctuation
    );
    assert_eq!(
        compare_names("Smith & Sons", "Smith and Sons"),
        NameMatch::Punctuation
    );
    assert_eq!(
        compare_names("Acme Pty Ltd", "Acme"),
        NameMatch::LegalForm {
            suffix: true,
            the: false
        }
    );
    assert_eq!(
        compare_names("The Good Grocer", "Good Grocer"),
        NameMatch::LegalForm {
            suffix: false,
            the: true
        }
    );
    assert_eq!(compare_names("Acme", "Apex"), NameMatch::Different);
    assert_eq!(compare_names("", ""), NameMatch::Different);
}

#[test]
fn emails_phones_and_tax_numbers_reduce_to_what_identifies_them() {
    assert_eq!(email_key("  Sam@Acme.Example "), "sam@acme.example");
    assert_eq!(phone_key("+61 2 9123 4567"), phone_key("(02) 9123 4567"));
    assert_eq!(phone_key("61291234567"), "291234567");
    assert_eq!(phone_key("+64 9 123 4567"), phone_key("09 123 4567"));
    assert_eq!(phone_key("ext 12"), "");
    assert_eq!(tax_key("51 824 753 556"), "51824753556");
}

#[test]
fn acme_pty_ltd_against_acme_pty_ltd_with_dots_and_plain_acme_goes_to_review() {
    let contacts = [contact("c1", "ACME PTY. LTD."), contact("c2", "Acme")];
    let decision = decide_one(&client(1, "Acme Pty Ltd"), &contacts);
    assert_eq!(reviewed(&decision), ["c1", "c2"], "{decision:?}");
    let Decision::Review { candidates } = &decision else {
        unreachable!()
    };
    assert_eq!(
        candidates[0].reasons_text(),
        "name differs only in punctuation"
    );
    assert_eq!(
        candidates[1].reasons_text(),
        "name differs only in legal suffix (such as Pty Ltd or Limited)"
    );
    assert!(!may_create_contact(&decision));
}

#[test]
fn the_same_name_in_capitals_is_linked() {
    let contacts = [contact("c1", "ACME PTY LTD"), contact("c2", "Apex Pty Ltd")];
    let decision = decide_one(&client(1, "Acme Pty Ltd"), &contacts);
    assert_eq!(linked_to(&decision), Some("c1"), "{decision:?}");
}

#[test]
fn smith_and_sons_against_smith_and_sons_limited_is_a_review() {
    let contacts = [contact("c1", "Smith and Sons Limited")];
    let decision = decide_one(&client(1, "Smith & Sons"), &contacts);
    assert_eq!(reviewed(&decision), ["c1"], "{decision:?}");
}

#[test]
fn two_clients_sharing_one_email_go_to_review_not_auto_link() {
    let mut jo = client(1, "Jo Citizen");
    jo.emails = vec!["family@citizen.example".into()];
    let mut sam = client(2, "Sam Citizen");
    sam.emails = vec!["Family@Citizen.example ".into()];
    let mut xero = contact("c1", "J & S Citizen");
    xero.email = "family@citizen.example".into();
    let matches = match_clients(&[jo, sam], &[xero], MatchOptions::default());
    for m in &matches {
        assert_eq!(reviewed(&m.decision), ["c1"], "{m:?}");
        let Decision::Review { candidates } = &m.decision else {
            unreachable!()
        };
        assert!(
            candidates[0].reasons[0].contains("several contacts or clients share it"),
            "{:?}",
            candidates[0].reasons
        );
    }
}

#[test]
fn an_email_only_one_client_uses_is_strong_enough_to_link() {
    let mut jo = client(1, "Jo Citizen");
    jo.emails = vec!["jo@citizen.example".into()];
    let mut xero = contact("c1", "Joanne Citizen");
    xero.email = "JO@citizen.example".into();
    assert_eq!(linked_to(&decide_one(&jo, &[xero])), Some("c1"));
}

#[test]
fn same_tax_number_different_name_is_linked_with_its_reasons() {
    let mut local = client(1, "Harbourside Cafe");
    local.tax_number = "51 824 753 556".into();
    let mut xero = contact("c1", "HSC Trading Pty Ltd");
    xero.tax_number = "51824753556".into();
    let decision = decide_one(&local, &[xero, contact("c2", "Harbourside Cafe Two")]);
    let Decision::AutoLink { contact } = &decision else {
        panic!("expected a link, got {decision:?}")
    };
    assert_eq!(contact.contact_id, "c1");
    assert_eq!(contact.score, weight::TAX_NUMBER);
    assert_eq!(
        contact.reasons_text(),
        "same tax number; a different name (\u{201c}HSC Trading Pty Ltd\u{201d} in Xero)"
    );
}

#[test]
fn same_tax_number_and_a_name_differing_in_punctuation_say_both() {
    let mut local = client(1, "O'Brien Plumbing");
    local.tax_number = "53 004 085 616".into();
    let mut xero = contact("c1", "OBrien Plumbing");
    xero.tax_number = "53004085616".into();
    let Decision::AutoLink { contact } = decide_one(&local, &[xero]) else {
        panic!("expected a link")
    };
    assert_eq!(
        contact.reasons_text(),
        "same tax number; name differs only in punctuation"
    );
}

#[test]
fn an_archived_contact_is_not_linked_without_asking() {
    let mut local = client(1, "Bondi Bakery");
    local.tax_number = "12 345 678 901".into();
    let mut xero = contact("c1", "Bondi Bakery");
    xero.tax_number = "12345678901".into();
    xero.archived = true;
    let decision = decide_one(&local, &[xero.clone()]);
    assert_eq!(reviewed(&decision), ["c1"], "{decision:?}");
    assert!(!may_create_contact(&decision));

    // …unless it is the one the client is linked to.
    local.linked_contact_id = Some("c1".into());
    assert_eq!(linked_to(&decide_one(&local, &[xero])), Some("c1"));
}

#[test]
fn a_merged_contact_is_followed_to_the_one_it_was_merged_into() {
    let mut local = client(1, "Bondi Bakery");
    local.linked_contact_id = Some("old".into());
    let mut old = contact("old", "Bondi Bakery (old)");
    old.archived = true;
    old.merged_to_contact_id = Some("new".into());
    let survivor = contact("new", "Bondi Bakery Pty Ltd");
    let decision = decide_one(&local, &[old, survivor]);
    let Decision::AutoLink { contact } = &decision else {
        panic!("expected a link, got {decision:?}")
    };
    assert_eq!(contact.contact_id, "new");
    assert!(
        contact
            .reasons_text()
            .contains("\u{201c}Bondi Bakery (old)\u{201d} was merged into this contact in Xero"),
        "{:?}",
        contact.reasons
    );
}

#[test]
fn a_merge_loop_in_outside_data_does_not_hang() {
    let mut a = contact("a", "Loop Co");
    a.merged_to_contact_id = Some("b".into());
    let mut b = contact("b", "Loop Co");
    b.merged_to_contact_id = Some("a".into());
    let decision = decide_one(&client(1, "Loop Co"), &[a, b]);
    assert!(!may_create_contact(&decision));
}

#[test]
fn a_supplier_only_contact_is_left_out_unless_asked_for() {
    let mut supplier = contact("c1", "Office Supplies Pty Ltd");
    supplier.is_customer = false;
    supplier.is_supplier = true;
    let local = client(1, "Office Supplies Pty Ltd");
    let contacts = [supplier];
    assert_eq!(decide_one(&local, &contacts), Decision::NoMatch);
    let with_suppliers = MatchOptions {
        include_suppliers_only: true,
    };
    let index = ContactIndex::new(&contacts, with_suppliers);
    assert_eq!(linked_to(&index.decide(&local)), Some("c1"));
}

#[test]
fn no_candidate_means_it_is_safe_to_create_the_contact() {
    let contacts = [contact("c1", "Apex Plumbing"), contact("c2", "Northwind")];
    let decision = decide_one(&client(1, "Harbourside Cafe"), &contacts);
    assert_eq!(decision, Decision::NoMatch);
    assert!(may_create_contact(&decision));
}

#[test]
fn a_plausible_candidate_means_it_is_not_safe_to_create_the_contact() {
    let mut local = client(1, "Harbourside Cafe");
    local.phone = "(02) 9123 4567".into();
    let mut xero = contact("c1", "Harbour Side Coffee");
    xero.phones = vec!["+61 2 9123 4567".into()];
    let decision = decide_one(&local, &[xero]);
    assert_eq!(reviewed(&decision), ["c1"], "{decision:?}");
    assert!(!may_create_contact(&decision));
}

#[test]
fn our_contact_number_on_a_contact_is_certain() {
    let mut local = client(7, "Renamed Locally");
    local.contact_number = "SB-7".into();
    let mut xero = contact("c1", "Renamed In Xero");
    xero.contact_number = "sb-7".into();
    let decision = decide_one(&local, &[xero, contact("c2", "Renamed Locally")]);
    assert_eq!(linked_to(&decision), Some("c1"), "{decision:?}");
}

#[test]
fn a_contact_linked_to_another_client_is_not_linked_again() {
    let mut first = client(1, "Acme Pty Ltd");
    first.linked_contact_id = Some("c1".into());
    let mut second = client(2, "Acme Pty Ltd");
    second.tax_number = "111".into();
    let mut xero = contact("c1", "Acme Pty Ltd");
    xero.tax_number = "111".into();
    let matches = match_clients(&[first, second], &[xero], MatchOptions::default());
    assert_eq!(linked_to(&matches[0].decision), Some("c1"));
    assert_eq!(reviewed(&matches[1].decision), ["c1"]);
}

#[test]
fn two_clients_wanting_the_same_contact_both_go_to_review() {
    let mut a = client(1, "Acme Pty Ltd");
    a.tax_number = "111".into();
    let mut b = client(2, "Acme Holdings");
    b.tax_number = "111".into();
    let mut xero = contact("c1", "Acme");
    xero.tax_number = "111".into();
    let matches = match_clients(&[a, b], &[xero], MatchOptions::default());
    for m in &matches {
        assert_eq!(reviewed(&m.decision), ["c1"], "{m:?}");
    }
}

#[test]
fn two_equally_good_contacts_go_to_review_the_postcode_first() {
    let mut local = client(1, "Acme Pty Ltd");
    local.postcode = "2000".into();
    let mut near = contact("c2", "Acme Pty Ltd");
    near.postcode = "2000".into();
    let contacts = [contact("c1", "Acme Pty Ltd"), near];
    let decision = decide_one(&local, &contacts);
    assert_eq!(reviewed(&decision), ["c2", "c1"], "{decision:?}");
}

#[test]
fn the_firms_own_email_on_every_contact_does_not_make_every_contact_a_candidate() {
    let contacts: Vec<MatchContact> = (0..200)
        .map(|i| {
            let mut c = contact(&format!("c{i}"), &format!("Client {i}"));
            c.email = "bookkeeper@firm.example".into();
            c
        })
        .collect();
    let mut local = client(1, "Client 7");
    local.emails = vec!["bookkeeper@firm.example".into()];
    let index = ContactIndex::new(&contacts, MatchOptions::default());
    let candidates = index.candidates(&local);
    assert_eq!(candidates.len(), 1, "{candidates:?}");
    assert_eq!(
        candidates[0].reasons_text(),
        "same email, but several contacts or clients share it; same name"
    );
}

#[test]
fn ten_thousand_clients_against_ten_thousand_contacts() {
    let (clients, contacts) = synthetic_firm(10_000);
    let matches = match_clients(&clients, &contacts, MatchOptions::default());
    assert_eq!(matches.len(), 10_000);
    let linked = matches
        .iter()
        .filter(|m| linked_to(&m.decision) == Some(format!("contact-{}", m.client_id).as_str()))
        .count();
    assert_eq!(linked, 10_000);
}
