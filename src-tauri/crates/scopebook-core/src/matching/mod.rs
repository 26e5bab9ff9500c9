//! Which Xero contact is which client: plain functions over plain data (no store, no HTTP), so
//! the first import, the sync, the connections board and the CSV import all judge alike.
//!
//! Rules of this module:
//! - Contacts are indexed once ([`ContactIndex`]): matching N clients against M contacts looks up
//!   hash maps, it never compares every client with every contact.
//! - Each [`Candidate`] carries its score and its reasons in words.
//! - Only an unambiguous strong match is linked without asking ([`Decision::AutoLink`]); anything
//!   else plausible goes to review, and a Xero contact is never created for a client while a
//!   plausible match exists ([`may_create_contact`]).

pub mod normalize;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use ts_rs::TS;

use normalize::{
    NameMatch, account_key, compare_names, contact_number_key, email_key, name_key, phone_key,
    postcode_key, tax_key,
};

/// A local client as matching sees it. Text fields are empty when not known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchClient {
    /// The client's id in Scopebook.
    pub id: i64,
    pub display_name: String,
    pub legal_name: String,
    /// Every email address the client has (the main one first).
    pub emails: Vec<String>,
    pub phone: String,
    pub tax_number: String,
    pub account_number: String,
    pub postcode: String,
    /// The Xero contact (ContactID) this client is linked to in the organisation being matched.
    pub linked_contact_id: Option<String>,
    /// The ContactNumber Scopebook writes on a contact it creates for this client (derived from
    /// the client's id): a contact carrying it was made from this client.
    pub contact_number: String,
}

/// A Xero contact as matching sees it (the fields of Xero's Contact of the same names). Text
/// fields are empty when Xero has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchContact {
    /// Xero's ContactID.
    pub contact_id: String,
    pub name: String,
    pub contact_number: String,
    pub account_number: String,
    pub tax_number: String,
    pub email: String,
    /// Every phone the contact has, each as one string (country, area and number together).
    pub phones: Vec<String>,
    pub postcode: String,
    /// ContactStatus is ARCHIVED (or anything but ACTIVE).
    pub archived: bool,
    /// IsCustomer: the contact has been sent a sales invoice.
    pub is_customer: bool,
    /// IsSupplier: the contact has been sent a bill.
    pub is_supplier: bool,
    /// MergedToContactID: the contact this one was merged into in Xero.
    pub merged_to_contact_id: Option<String>,
}

/// What to consider beyond the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Consider contacts that are suppliers and not customers (left out by default: a firm's
    /// suppliers are not its clients).
    pub include_suppliers_only: bool,
}

/// Points each piece of evidence is worth. A link or our own ContactNumber is certain; the
/// rest add up.
mod weight {
    pub const CERTAIN: u32 = 1000;
    pub const TAX_NUMBER: u32 = 80;
    pub const ACCOUNT_NUMBER: u32 = 70;
    pub const EMAIL: u32 = 60;
    /// An email more than one contact or client uses (a bookkeeper's or a family's).
    pub const SHARED_EMAIL: u32 = 20;
    pub const NAME_SAME: u32 = 60;
    pub const NAME_PUNCTUATION: u32 = 45;
    pub const NAME_LEGAL_FORM: u32 = 35;
    pub const PHONE: u32 = 30;
    /// Only ever added to other evidence, to break ties.
    pub const POSTCODE: u32 = 5;
}

/// A candidate at or above this is a strong match (one strong piece of evidence, or two medium).
pub const STRONG: u32 = 60;
/// A candidate below this is not worth showing.
pub const PLAUSIBLE: u32 = 20;
/// How far a strong candidate must be ahead of the next to be linked without asking.
pub const MARGIN: u32 = 25;

/// A Xero contact that may be a client, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Candidate {
    /// Xero's ContactID (after following merges).
    pub contact_id: String,
    /// The contact's name in Xero.
    pub name: String,
    pub score: u32,
    /// Already linked, or carrying the ContactNumber Scopebook wrote for this client.
    pub certain: bool,
    /// Archived in Xero: never linked without asking unless certain.
    pub archived: bool,
    /// Linked to a different client already, or the best match of another client too.
    pub taken: bool,
    /// Why, in words, strongest first ("same tax number", "name differs only in punctuation").
    pub reasons: Vec<String>,
}

impl Candidate {
    /// The reasons as one sentence: "same tax number; name differs only in punctuation".
    pub fn reasons_text(&self) -> String {
        self.reasons.join("; ")
    }
}

/// What to do about one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "decision", rename_all = "snake_case")]
#[ts(export, rename = "MatchDecision")]
pub enum Decision {
    /// One unambiguous strong match: link it.
    AutoLink { contact: Candidate },
    /// Something plausible but not unambiguous: the bookkeeper chooses (best first).
    Review { candidates: Vec<Candidate> },
    /// Nothing plausible in Xero.
    NoMatch,
}

/// Whether Scopebook may create a Xero contact for a client so judged: only when nothing in
/// Xero plausibly is that client already.
pub fn may_create_contact(decision: &Decision) -> bool {
    matches!(decision, Decision::NoMatch)
}

/// Decides from a client's candidates (best first, as [`ContactIndex::candidates`] gives them).
pub fn decide(candidates: Vec<Candidate>) -> Decision {
    let certain: Vec<&Candidate> = candidates.iter().filter(|c| c.certain).collect();
    if let [only] = certain.as_slice()
        && !only.taken
    {
        return Decision::AutoLink {
            contact: (*only).clone(),
        };
    }
    let Some(top) = candidates.first() else {
        return Decision::NoMatch;
    };
    let clear_lead = match candidates.get(1) {
        None => true,
        Some(next) => next.score < STRONG && top.score >= next.score + MARGIN,
    };
    if certain.is_empty() && top.score >= STRONG && !top.archived && !top.taken && clear_lead {
        return Decision::AutoLink {
            contact: top.clone(),
        };
    }
    Decision::Review { candidates }
}

/// A client's id and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMatch {
    pub client_id: i64,
    pub decision: Decision,
}

/// Matches every client against every contact through one [`ContactIndex`]. A contact that
/// would be auto-linked to two clients goes to review for both.
pub fn match_clients(
    clients: &[MatchClient],
    contacts: &[MatchContact],
    options: MatchOptions,
) -> Vec<ClientMatch> {
    let index = ContactIndex::new(contacts, options).with_clients(clients);
    let mut decisions: Vec<(i64, Decision)> = clients
        .iter()
        .map(|c| (c.id, decide(index.candidates(c))))
        .collect();
    let mut auto_links: HashMap<String, u32> = HashMap::new();
    for (_, decision) in &decisions {
        if let Decision::AutoLink { contact } = decision {
            *auto_links.entry(contact.contact_id.clone()).or_default() += 1;
        }
    }
    for (_, decision) in &mut decisions {
        if let Decision::AutoLink { contact } = decision
            && auto_links.get(&contact.contact_id).copied().unwrap_or(0) > 1
        {
            let mut contact = contact.clone();
            contact.taken = true;
            contact
                .reasons
                .push("also the best match for another client".to_string());
            *decision = Decision::Review {
                candidates: vec![contact],
            };
        }
    }
    decisions
        .into_iter()
        .map(|(client_id, decision)| ClientMatch {
            client_id,
            decision,
        })
        .collect()
}

/// The contacts of one organisation, indexed once by every key a client is looked up by.
pub struct ContactIndex<'a> {
    contacts: &'a [MatchContact],
    options: MatchOptions,
    by_id: HashMap<&'a str, usize>,
    by_name: HashMap<String, Vec<usize>>,
    by_email: HashMap<String, Vec<usize>>,
    by_tax: HashMap<String, Vec<usize>>,
    by_account: HashMap<String, Vec<usize>>,
    by_number: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    /// How many clients use each email (see [`ContactIndex::with_clients`]).
    client_emails: HashMap<String, u32>,
    /// Which client each linked contact belongs to.
    linked: HashMap<String, i64>,
}

fn add(map: &mut HashMap<String, Vec<usize>>, key: String, at: usize) {
    if !key.is_empty() {
        map.entry(key).or_default().push(at);
    }
}

/// A key more contacts than this share (the firm's own email on every contact, a head office's
/// phone) identifies none of them: it is not used to find candidates, only to score them.
const MAX_SHARED: usize = 50;

const ARCHIVED: &str = "archived in Xero";

/// How many merges are followed before giving up (Xero doesn't chain them, but a loop in
/// outside data must not hang us).
const MAX_MERGES: usize = 8;

impl<'a> ContactIndex<'a> {
    pub fn new(contacts: &'a [MatchContact], options: MatchOptions) -> Self {
        let mut index = ContactIndex {
            contacts,
            options,
            by_id: HashMap::with_capacity(contacts.len()),
            by_name: HashMap::with_capacity(contacts.len()),
            by_email: HashMap::with_capacity(contacts.len()),
            by_tax: HashMap::new(),
            by_account: HashMap::new(),
            by_number: HashMap::new(),
            by_phone: HashMap::new(),
            client_emails: HashMap::new(),
            linked: HashMap::new(),
        };
        for (at, c) in contacts.iter().enumerate() {
            index.by_id.insert(c.contact_id.as_str(), at);
            add(&mut index.by_name, name_key(&c.name), at);
            add(&mut index.by_email, email_key(&c.email), at);
            add(&mut index.by_tax, tax_key(&c.tax_number), at);
            add(&mut index.by_account, account_key(&c.account_number), at);
            add(
                &mut index.by_number,
                contact_number_key(&c.contact_number),
                at,
            );
            let mut phones: Vec<String> = c.phones.iter().map(|p| phone_key(p)).collect();
            phones.sort();
            phones.dedup();
            for phone in phones {
                add(&mut index.by_phone, phone, at);
            }
        }
        index
    }

    /// Tells the index about all the local clients: an email several clients share is weak
    /// evidence, and a contact linked to one client is taken for the others.
    pub fn with_clients(mut self, clients: &[MatchClient]) -> Self {
        for client in clients {
            let emails: HashSet<String> = client
                .emails
                .iter()
                .map(|e| email_key(e))
                .filter(|e| !e.is_empty())
                .collect();
            for email in emails {
                *self.client_emails.entry(email).or_default() += 1;
            }
            if let Some(linked) = &client.linked_contact_id {
                self.linked.insert(linked.clone(), client.id);
            }
        }
        self
    }

    /// The contact a merged one ended up in, or itself.
    fn resolve(&self, mut at: usize) -> usize {
        for _ in 0..MAX_MERGES {
            let next = self.contacts[at]
                .merged_to_contact_id
                .as_deref()
                .and_then(|id| self.by_id.get(id));
            match next {
                Some(&next) if next != at => at = next,
                _ => break,
            }
        }
        at
    }

    /// The plausible contacts for a client, best first.
    pub fn candidates(&self, client: &MatchClient) -> Vec<Candidate> {
        let mut hits: Vec<usize> = Vec::new();
        let mut look = |map: &HashMap<String, Vec<usize>>, key: String| {
            if !key.is_empty()
                && let Some(found) = map.get(&key)
                && found.len() <= MAX_SHARED
            {
                hits.extend(found);
            }
        };
        look(&self.by_name, name_key(&client.display_name));
        look(&self.by_name, name_key(&client.legal_name));
        for email in &client.emails {
            look(&self.by_email, email_key(email));
        }
        look(&self.by_tax, tax_key(&client.tax_number));
        look(&self.by_account, account_key(&client.account_number));
        look(&self.by_number, contact_number_key(&client.contact_number));
        look(&self.by_phone, phone_key(&client.phone));
        if let Some(&at) = client
            .linked_contact_id
            .as_deref()
            .and_then(|id| self.by_id.get(id))
        {
            hits.push(at);
        }
        hits.sort_unstable();
        hits.dedup();

        // One candidate per contact a hit resolves to (a merged contact counts for its survivor).
        let mut best: HashMap<usize, Candidate> = HashMap::new();
        for raw in hits {
            let target = self.resolve(raw);
            let mut candidate = self.score(client, raw);
            if target != raw {
                let survivor = &self.contacts[target];
                candidate.reasons.push(format!(
                    "\u{201c}{}\u{201d} was merged into this contact in Xero",
                    self.contacts[raw].name
                ));
                if !survivor.archived {
                    candidate.reasons.retain(|r| r != ARCHIVED);
                }
                candidate.contact_id = survivor.contact_id.clone();
                candidate.name = survivor.name.clone();
                candidate.archived = survivor.archived;
                candidate.taken = self.taken(client, survivor);
            }
            let supplier_only = {
                let c = &self.contacts[target];
                c.is_supplier && !c.is_customer
            };
            if supplier_only && !candidate.certain && !self.options.include_suppliers_only {
                continue;
            }
            if !candidate.certain && candidate.score < PLAUSIBLE {
                continue;
            }
            match best.get(&target) {
                Some(kept)
                    if (kept.certain, kept.score) >= (candidate.certain, candidate.score) => {}
                _ => {
                    best.insert(target, candidate);
                }
            }
        }
        let mut candidates: Vec<Candidate> = best.into_values().collect();
        candidates.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.contact_id.cmp(&b.contact_id))
        });
        candidates
    }

    /// What to do about one client (see [`decide`]). For many clients use [`match_clients`],
    /// which also catches two clients wanting the same contact.
    pub fn decide(&self, client: &MatchClient) -> Decision {
        decide(self.candidates(client))
    }

    fn taken(&self, client: &MatchClient, contact: &MatchContact) -> bool {
        self.linked
            .get(&contact.contact_id)
            .is_some_and(|&owner| owner != client.id)
    }

    /// One client against one contact: every piece of evidence, added up.
    fn score(&self, client: &MatchClient, at: usize) -> Candidate {
        let contact = &self.contacts[at];
        let mut certain = false;
        let mut found: Vec<(u32, String)> = Vec::new();
        let mut evidence = |points: u32, reason: String| found.push((points, reason));
        if client.linked_contact_id.as_deref() == Some(contact.contact_id.as_str()) {
            certain = true;
            evidence(weight::CERTAIN, "already linked to this contact".into());
        }
        let number = contact_number_key(&client.contact_number);
        if !number.is_empty() && number == contact_number_key(&contact.contact_number) {
            certain = true;
            evidence(
                weight::CERTAIN,
                "its contact number is the one Scopebook gave this client".into(),
            );
        }
        let tax = tax_key(&client.tax_number);
        if !tax.is_empty() && tax == tax_key(&contact.tax_number) {
            evidence(weight::TAX_NUMBER, "same tax number".into());
        }
        let account = account_key(&client.account_number);
        if !account.is_empty() && account == account_key(&contact.account_number) {
            evidence(weight::ACCOUNT_NUMBER, "same account number".into());
        }
        let contact_email = email_key(&contact.email);
        if !contact_email.is_empty() && client.emails.iter().any(|e| email_key(e) == contact_email)
        {
            let contacts_with_it = self.by_email.get(&contact_email).map_or(0, Vec::len);
            let clients_with_it = self.client_emails.get(&contact_email).copied().unwrap_or(0);
            if contacts_with_it > 1 || clients_with_it > 1 {
                evidence(
                    weight::SHARED_EMAIL,
                    "same email, but several contacts or clients share it".into(),
                );
            } else {
                evidence(weight::EMAIL, "same email".into());
            }
        }
        let by_display = compare_names(&client.display_name, &contact.name);
        let by_legal = compare_names(&client.legal_name, &contact.name);
        let (name_match, what) = if by_legal > by_display {
            (by_legal, "legal name")
        } else {
            (by_display, "name")
        };
        let name_points = match name_match {
            NameMatch::Same | NameMatch::Case => weight::NAME_SAME,
            NameMatch::Punctuation => weight::NAME_PUNCTUATION,
            NameMatch::LegalForm { .. } => weight::NAME_LEGAL_FORM,
            NameMatch::Different => 0,
        };
        if name_points > 0 {
            evidence(name_points, name_match.describe(what));
        }
        let phone = phone_key(&client.phone);
        if !phone.is_empty() && contact.phones.iter().any(|p| phone_key(p) == phone) {
            evidence(weight::PHONE, "same phone number".into());
        }
        let postcode = postcode_key(&client.postcode);
        if !found.is_empty() && !postcode.is_empty() && postcode == postcode_key(&contact.postcode)
        {
            found.push((weight::POSTCODE, "same postcode".into()));
        }
        let score = found.iter().map(|(points, _)| points).sum();
        let mut reasons: Vec<String> = found.into_iter().map(|(_, reason)| reason).collect();
        if name_points == 0 && score > 0 {
            reasons.push(format!(
                "a different name (\u{201c}{}\u{201d} in Xero)",
                contact.name
            ));
        }
        if contact.archived {
            reasons.push(ARCHIVED.into());
        }
        let taken = self.taken(client, contact);
        if taken {
            reasons.push("already linked to another client".into());
        }
        Candidate {
            contact_id: contact.contact_id.clone(),
            name: contact.name.clone(),
            score,
            certain,
            archived: contact.archived,
            taken,
            reasons,
        }
    }
}

/// `n` clients and `n` contacts of a made-up firm that mostly match one to one, with every kind
/// of evidence: what the 10k × 10k test and `cargo bench --bench matching` run on.
#[doc(hidden)]
pub fn synthetic_firm(n: usize) -> (Vec<MatchClient>, Vec<MatchContact>) {
    let clients = (0..n)
        .map(|i| MatchClient {
            id: i as i64,
            display_name: format!("Client {i} Pty Ltd"),
            emails: vec![format!("accounts{i}@client.example")],
            phone: format!("02 9{i:07}"),
            tax_number: if i % 3 == 0 {
                format!("{i:011}")
            } else {
                String::new()
            },
            postcode: format!("{}", 2000 + i % 100),
            ..MatchClient::default()
        })
        .collect();
    let contacts = (0..n)
        .map(|i| MatchContact {
            contact_id: format!("contact-{i}"),
            name: if i % 2 == 0 {
                format!("CLIENT {i} PTY. LTD.")
            } else {
                format!("Someone Else {i}")
            },
            email: format!("Accounts{i}@client.example"),
            tax_number: if i % 3 == 0 {
                format!("{i:011}")
            } else {
                String::new()
            },
            phones: vec![format!("+61 2 9{i:07}")],
            is_customer: true,
            ..MatchContact::default()
        })
        .collect();
    (clients, contacts)
}
