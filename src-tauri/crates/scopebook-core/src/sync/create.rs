//! Creating a Xero contact for a client — never while a contact in Xero plausibly is that
//! client already (the duplicate Xero would otherwise keep forever).
//!
//! Calls: one pull (what changed since the last sync), then one `PUT /Contacts` carrying the
//! client's id as ContactNumber and a deterministic Idempotency-Key, so a retried create lands
//! once.

use scopebook_xero::XeroClient;
use scopebook_xero::models::{Address, Contact, Phone};

use super::first_import::{match_client, match_contact};
use super::mirror::{all_mirrored, save_contacts};
use super::{XeroLink, link_client, link_of};
use crate::clients::get_client;
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::matching::{ContactIndex, Decision, MatchOptions, may_create_contact};
use crate::store::{SharedStore, Source, lock};

/// Creates the client's contact in the connected organisation and links it. While a contact
/// plausibly is the client already, it is refused with the suggestions and their reasons —
/// unless `confirmed` (the bookkeeper looked and says it is a different business).
pub async fn create_xero_contact(
    store: &SharedStore,
    xero: &XeroClient,
    client_id: i64,
    confirmed: bool,
) -> Result<XeroLink> {
    let never = std::sync::atomic::AtomicBool::new(false);
    super::pull_contacts(store, xero, &never, |_| {}).await?;
    let (tenant, client) = {
        let store = lock(store);
        let tenant = require_tenant(&store)?;
        let client = get_client(&store, client_id)?;
        if let Some(link) = link_of(&store, client_id)? {
            return Err(Error::AlreadyDone(format!(
                "\u{201c}{}\u{201d} is already linked to the Xero contact {}.",
                client.details.display_name,
                link.contact_name.unwrap_or(link.contact_id)
            )));
        }
        let contacts: Vec<_> = all_mirrored(&store, &tenant)?
            .iter()
            .map(match_contact)
            .collect();
        let me = match_client(&client, None);
        let index = ContactIndex::new(&contacts, MatchOptions::default())
            .with_clients(std::slice::from_ref(&me));
        let decision = index.decide(&me);
        if !confirmed && !may_create_contact(&decision) {
            let candidates = match decision {
                Decision::AutoLink { contact } => vec![contact],
                Decision::Review { candidates } => candidates,
                Decision::NoMatch => Vec::new(),
            };
            let listed: Vec<String> = candidates
                .iter()
                .take(3)
                .map(|c| format!("\u{201c}{}\u{201d} ({})", c.name, c.reasons_text()))
                .collect();
            return Err(Error::invalid(
                "contact_id",
                format!(
                    "Xero already has a contact that may be \u{201c}{}\u{201d}: {}. Link to it \
                     instead, or confirm it is a different business.",
                    client.details.display_name,
                    listed.join("; ")
                ),
            ));
        }
        (tenant, client)
    };
    let contact = new_contact(&client);
    let key = format!("scopebook-contact-{tenant}-{}", client.id);
    let created = xero
        .create_contacts(&tenant, std::slice::from_ref(&contact), Some(&key))
        .await?;
    let Some(made) = created.into_iter().next() else {
        return Err(Error::Xero(scopebook_xero::XeroError::InvalidReply {
            detail: "Xero answered the new contact with nothing".into(),
        }));
    };
    if !made.validation_errors.is_empty() || made.contact_id.is_none() {
        let messages: Vec<String> = made
            .validation_errors
            .iter()
            .map(|e| e.message.clone())
            .collect();
        return Err(Error::Xero(scopebook_xero::XeroError::Validation {
            messages,
        }));
    }
    let contact_id = made.contact_id.clone().unwrap_or_default();
    let mut store = lock(store);
    store.write(Source::Sync, |tx| {
        save_contacts(tx, &tenant, std::slice::from_ref(&made))
    })?;
    link_client(&mut store, Source::User, client.id, &contact_id)
}

/// A new contact for a client: its details, its postal address, and its id as ContactNumber
/// (so the contact can always be matched back to it).
pub(super) fn new_contact(client: &crate::clients::Client) -> Contact {
    let d = &client.details;
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Contact {
        name: d.display_name.trim().to_string(),
        contact_number: Some(client.id.to_string()),
        account_number: some(&d.account_number),
        first_name: some(&d.first_name),
        last_name: some(&d.last_name),
        email_address: some(&d.email),
        tax_number: some(&d.tax_number),
        addresses: some(&d.postal_address.line1)
            .map(|line1| Address {
                address_type: Some("POBOX".into()),
                address_line1: Some(line1),
                address_line2: some(&d.postal_address.line2),
                city: some(&d.postal_address.city),
                region: some(&d.postal_address.region),
                postal_code: some(&d.postal_address.postcode),
                country: some(&d.postal_address.country),
            })
            .into_iter()
            .collect(),
        phones: some(&d.phone)
            .map(|number| Phone {
                phone_type: Some("DEFAULT".into()),
                phone_number: Some(number),
                ..Phone::default()
            })
            .into_iter()
            .collect(),
        ..Contact::default()
    }
}
