//! One sync run: pull what changed in Xero, compare each linked client with its contact
//! ([`super::fields::plan_fields`]), bring Xero's changes here and open conflicts in one
//! transaction, then send this side's changes (and new contacts) to Xero.
//!
//! Calls: the pull's pages (one per 1,000 changed contacts; one when nothing changed), then one
//! `POST /Contacts` per 50 updated clients and one `PUT /Contacts` per 50 new ones. An unchanged
//! organisation with nothing to send costs one call.
//!
//! Safety: the store is never held during a call. What comes here is one transaction; each batch
//! sent to Xero is recorded in its own transaction as soon as Xero answers, so a sync that fails
//! halfway keeps what landed and nothing half-written: the next sync sees the rest again. Every
//! batch sent carries an Idempotency-Key, so a reply lost after Xero wrote is replayed, not
//! repeated; a new contact carries the client's id as ContactNumber, so one created by a run
//! that died before recording it is linked by the next run instead of created twice.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::params;
use scopebook_xero::XeroClient;
use scopebook_xero::models::{Contact, Phone};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::fields::{
    FieldChange, FieldConflict, SharedDetails, SyncBase, SyncField, plan_fields, xero_would_refuse,
};
use super::first_import::{match_client, match_contact};
use super::mirror::{MirroredContact, ReviewKind, all_mirrored, mirrored_from, save_contacts};
use super::pull::{Pull, PullReport, pull_in_pages};
use super::undo::imaged;
use crate::clients::{Client, client_in, list_clients, practice_country, validate_client};
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::matching::{ContactIndex, Decision, MatchOptions, may_create_contact};
use crate::store::{SharedStore, Source, Store, Tx, lock};

/// Xero's advice for writes: at most 50 elements a call.
const PER_CALL: usize = 50;

/// How to sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct SyncOptions {
    /// Say what would change on each side, and write nothing (here or in Xero).
    pub dry_run: bool,
}

crate::db_enum! {
    /// Where a sync run is.
    #[ts(export)]
    pub enum SyncPhase: "sync phase" {
        /// Reading what changed in Xero.
        Reading = "reading",
        /// Comparing each client with its contact and recording what came from Xero.
        Comparing = "comparing",
        /// Sending this side's changes and new contacts to Xero.
        Sending = "sending",
    }
}

/// Where a sync run is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u32,
    /// 0 while the total isn't known yet.
    pub total: u32,
}

/// One client's details going one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientChanges {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// A client whose details changed on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientConflict {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: String,
    pub fields: Vec<FieldConflict>,
}

/// A client the sync couldn't carry across, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientProblem {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub problems: Vec<String>,
}

/// What a sync did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// The batch to undo it by (`None` in a dry run).
    pub batch: Option<String>,
    pub dry_run: bool,
    pub pull: PullReport,
    /// Xero's changes brought here.
    pub to_here: Vec<ClientChanges>,
    /// This side's changes sent to Xero.
    pub to_xero: Vec<ClientChanges>,
    /// Clients created as contacts in Xero (and linked).
    pub created: Vec<ClientChanges>,
    /// Details changed on both sides: waiting for the bookkeeper.
    pub conflicts: Vec<ClientConflict>,
    /// Clients that could not be carried across (checked before any call, or refused by Xero).
    pub refused: Vec<ClientProblem>,
    /// Review items opened (possible matches for clients to create).
    pub new_reviews: u32,
    /// Calls made to Xero.
    pub calls: u32,
    /// Stopped by the bookkeeper before everything was sent (what was sent is recorded).
    pub cancelled: bool,
}

impl SyncReport {
    /// Nothing moved either way and nothing waits.
    pub fn is_quiet(&self) -> bool {
        self.to_here.is_empty()
            && self.to_xero.is_empty()
            && self.created.is_empty()
            && self.conflicts.is_empty()
            && self.refused.is_empty()
            && self.new_reviews == 0
    }
}

/// A new batch id for a sync run.
pub(super) fn new_batch() -> String {
    format!("sync-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"))
}

/// One linked client, compared.
struct LinkWork {
    link_id: i64,
    client: Client,
    contact_id: String,
    here: SharedDetails,
    old_base: Option<SyncBase>,
    plan: super::fields::FieldPlan,
}

/// Everything a run will do, decided from the data file (and, in a dry run, what Xero sent).
#[derive(Default)]
struct Plan {
    links: Vec<LinkWork>,
    /// Clients to create in Xero.
    creates: Vec<Client>,
    /// Contacts Scopebook created for a client in a run that died before linking them.
    relinks: Vec<(i64, String)>,
    /// Clients to create that may already be in Xero: (client, candidates as JSON).
    ambiguous: Vec<(i64, serde_json::Value)>,
    refused: Vec<ClientProblem>,
}

fn parse_base(text: Option<String>, client: &Client) -> Result<Option<SyncBase>> {
    // Unreadable is an error (the data file holds something this version doesn't know), never
    // a fresh start that would forget which side changed what.
    let _ = client;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            Error::Database(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(e),
            ))
        })
    })
    .transpose()
}

/// Compares every active linked client with its contact, and finds the clients to create.
fn plan_sync(store: &Store, tenant: &str, seen: &[Contact]) -> Result<Plan> {
    let now = crate::now();
    let mut contacts: HashMap<String, MirroredContact> = all_mirrored(store, tenant)?
        .into_iter()
        .map(|c| (c.contact_id.clone(), c))
        .collect();
    for contact in seen.iter().filter_map(|c| mirrored_from(c, &now)) {
        contacts.insert(contact.contact_id.clone(), contact);
    }
    let country = practice_country(store)?;
    let clients: Vec<Client> = list_clients(store, &Default::default())?;
    let local_names: HashMap<String, i64> = clients
        .iter()
        .map(|c| (c.details.display_name.trim().to_lowercase(), c.id))
        .collect();
    let xero_names: HashMap<String, String> = contacts
        .values()
        .filter(|c| c.status == "ACTIVE")
        .map(|c| (c.name.trim().to_lowercase(), c.contact_id.clone()))
        .collect();
    let name_in_use_in_xero = |name: &str, mine: Option<&str>| {
        xero_names
            .get(&name.trim().to_lowercase())
            .is_some_and(|id| Some(id.as_str()) != mine)
    };

    let mut plan = Plan::default();
    let linked: Vec<(i64, i64, String, super::LinkState, Option<String>)> = store
        .conn()
        .prepare(
            "SELECT l.id, l.client_id, l.contact_id, l.state, l.synced_fields FROM xero_links l
             JOIN clients c ON c.id = l.client_id
             WHERE l.tenant_id = ?1 AND c.archived_at IS NULL ORDER BY lower(c.display_name)",
        )?
        .query_map([tenant], |r| {
            Ok((
                r.get("id")?,
                r.get("client_id")?,
                r.get("contact_id")?,
                r.get("state")?,
                r.get("synced_fields")?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let linked_clients: HashSet<i64> = linked.iter().map(|l| l.1).collect();
    let linked_contacts: HashSet<&str> = linked.iter().map(|l| l.2.as_str()).collect();

    for (link_id, client_id, contact_id, state, base) in &linked {
        // Nothing moves for a contact archived in Xero, or one not pulled yet.
        let (super::LinkState::Linked, Some(contact)) = (state, contacts.get(contact_id)) else {
            continue;
        };
        let client = client_in(store.conn(), *client_id)?;
        let here = SharedDetails::of_client(&client.details);
        let xero = SharedDetails::of_contact(contact);
        let old_base = parse_base(base.clone(), &client)?;
        let mut work = LinkWork {
            link_id: *link_id,
            plan: plan_fields(
                old_base.as_ref(),
                &here,
                &xero,
                client.details.invoicing.push_to_xero,
            ),
            client,
            contact_id: contact_id.clone(),
            here,
            old_base,
        };
        let mut problems = Vec::new();
        check_coming_here(&mut work, country, &local_names, &mut problems);
        check_going_to_xero(&mut work, &name_in_use_in_xero, &mut problems);
        if !problems.is_empty() {
            plan.refused.push(ClientProblem {
                client_id: work.client.id,
                client_name: work.client.details.display_name.clone(),
                problems,
            });
        }
        plan.links.push(work);
    }

    // Clients to create: "push my changes" on, not linked in this organisation.
    let to_create: Vec<&Client> = clients
        .iter()
        .filter(|c| c.details.invoicing.push_to_xero && !linked_clients.contains(&c.id))
        .collect();
    if to_create.is_empty() {
        return Ok(plan);
    }
    let unlinked: Vec<&MirroredContact> = contacts
        .values()
        .filter(|c| !linked_contacts.contains(c.contact_id.as_str()))
        .collect();
    let match_contacts: Vec<_> = contacts.values().map(match_contact).collect();
    let me: Vec<_> = to_create.iter().map(|c| match_client(c, None)).collect();
    let index = ContactIndex::new(&match_contacts, MatchOptions::default()).with_clients(&me);
    let open_ambiguous: HashSet<i64> = store
        .conn()
        .prepare(
            "SELECT client_id FROM xero_review WHERE tenant_id = ?1 AND kind = 'ambiguous_match'
                AND resolved_at IS NULL AND client_id IS NOT NULL",
        )?
        .query_map([tenant], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (client, matcher) in to_create.into_iter().zip(&me) {
        let own = client.id.to_string();
        if let Some(contact) = unlinked
            .iter()
            .find(|c| c.contact_number.as_deref() == Some(own.as_str()) && c.status == "ACTIVE")
        {
            plan.relinks.push((client.id, contact.contact_id.clone()));
            continue;
        }
        let decision = index.decide(matcher);
        if !may_create_contact(&decision) {
            if !open_ambiguous.contains(&client.id) {
                let candidates = match decision {
                    Decision::AutoLink { contact } => vec![contact],
                    Decision::Review { candidates } => candidates,
                    Decision::NoMatch => Vec::new(),
                };
                plan.ambiguous
                    .push((client.id, serde_json::json!({ "candidates": candidates })));
            }
            continue;
        }
        let details = SharedDetails::of_client(&client.details);
        let mut problems = xero_would_refuse(&details, SyncField::ALL);
        if name_in_use_in_xero(&details.name, None) {
            problems.push(name_in_use_text(&details.name));
        }
        if problems.is_empty() {
            plan.creates.push(client.clone());
        } else {
            plan.refused.push(ClientProblem {
                client_id: client.id,
                client_name: client.details.display_name.clone(),
                problems,
            });
        }
    }
    Ok(plan)
}

fn name_in_use_text(name: &str) -> String {
    format!(
        "Another Xero contact is already called \u{201c}{}\u{201d}, and Xero keeps contact names \
         unique.",
        name.trim()
    )
}

/// Xero's changes must make a client Scopebook can keep (the form's rules, a name no other
/// client has); a detail that doesn't is left here as it is and named. Its base stays, so the
/// next sync looks at it again.
fn check_coming_here(
    work: &mut LinkWork,
    country: Option<crate::reference::Country>,
    local_names: &HashMap<String, i64>,
    problems: &mut Vec<String>,
) {
    if work.plan.to_here.is_empty() {
        return;
    }
    let mut draft = work.client.details.clone();
    let mut incoming = SharedDetails::of_client(&draft);
    for change in &work.plan.to_here {
        incoming.set(change.field, &change.to);
        incoming.write_into(change.field, &mut draft);
    }
    let mut refused: Vec<(SyncField, String)> = Vec::new();
    if let Err(Error::Invalid(found)) = validate_client(&draft, country) {
        for p in found.fields() {
            if let Some(change) = work
                .plan
                .to_here
                .iter()
                .find(|c| c.field.form_field() == p.field)
            {
                refused.push((change.field, p.message.clone()));
            }
        }
    }
    if let Some(change) = work
        .plan
        .to_here
        .iter()
        .find(|c| c.field == SyncField::Name)
        && local_names
            .get(&change.to.trim().to_lowercase())
            .is_some_and(|id| *id != work.client.id)
    {
        refused.push((
            SyncField::Name,
            "another client here already has that name".to_string(),
        ));
    }
    for (field, why) in refused {
        let Some(at) = work.plan.to_here.iter().position(|c| c.field == field) else {
            continue;
        };
        let change = work.plan.to_here.remove(at);
        problems.push(
            format!(
                "Xero's {} \u{201c}{}\u{201d} wasn't brought here: {}",
                field.label().to_lowercase(),
                change.to,
                why.trim_end_matches('.')
            ) + ".",
        );
        if let Some(old) = &work.old_base {
            work.plan.base.here.set(field, old.here.get(field));
            work.plan.base.xero.set(field, old.xero.get(field));
        }
    }
}

/// This side's changes must be ones Xero takes; a client with one it would refuse sends none
/// of them (named, before any call).
fn check_going_to_xero(
    work: &mut LinkWork,
    name_in_use_in_xero: &impl Fn(&str, Option<&str>) -> bool,
    problems: &mut Vec<String>,
) {
    if work.plan.to_xero.is_empty() {
        return;
    }
    let fields: Vec<SyncField> = work.plan.to_xero.iter().map(|c| c.field).collect();
    let mut found = xero_would_refuse(&work.here, &fields);
    if fields.contains(&SyncField::Name)
        && name_in_use_in_xero(&work.here.name, Some(&work.contact_id))
    {
        found.push(name_in_use_text(&work.here.name));
    }
    if !found.is_empty() {
        work.plan.to_xero.clear();
        problems.extend(found);
    }
}

/// Records what the plan brings here, in the caller's transaction: clients take Xero's
/// changes, links their new base, conflicts and possible matches go to the review list. Each
/// row is logged with its images, so the batch can be undone.
fn apply_here(tx: &Tx<'_>, tenant: &str, plan: &Plan, report: &mut SyncReport) -> Result<()> {
    for work in &plan.links {
        let id = work.client.id;
        if !work.plan.to_here.is_empty() {
            let mut draft = work.client.details.clone();
            let mut incoming = SharedDetails::of_client(&draft);
            for change in &work.plan.to_here {
                incoming.set(change.field, &change.to);
                incoming.write_into(change.field, &mut draft);
            }
            imaged(
                tx,
                "clients",
                Some(id),
                ("client", id, "sync_from_xero"),
                serde_json::json!({ "changes": work.plan.to_here }),
                |tx| {
                    crate::clients::write_client(tx, id, &draft)?;
                    Ok(id)
                },
            )?;
        }
        if work.old_base.as_ref() != Some(&work.plan.base) {
            set_base(tx, work.link_id, id, &work.plan.base)?;
        }
        if work.plan.conflicts.is_empty() {
            super::mirror::close_reviews(tx, tenant, id, Some(ReviewKind::Conflict))?;
        } else {
            let opened = super::mirror::open_review(
                tx,
                tenant,
                id,
                Some(&work.contact_id),
                ReviewKind::Conflict,
                serde_json::json!({ "fields": work.plan.conflicts }),
            )?;
            report.new_reviews += u32::from(opened);
        }
    }
    for (client_id, contact_id) in &plan.relinks {
        super::links::insert_link(tx, tenant, *client_id, contact_id)?;
    }
    for (client_id, detail) in &plan.ambiguous {
        let opened = super::mirror::open_review(
            tx,
            tenant,
            *client_id,
            None,
            ReviewKind::AmbiguousMatch,
            detail.clone(),
        )?;
        report.new_reviews += u32::from(opened);
    }
    Ok(())
}

/// Writes a link's base (what both sides agree on now), logged with the row's images.
pub(super) fn set_base(tx: &Tx<'_>, link_id: i64, client_id: i64, base: &SyncBase) -> Result<()> {
    let text = serde_json::to_string(base).unwrap_or_default();
    imaged(
        tx,
        "xero_links",
        Some(link_id),
        ("client", client_id, "xero_sync_base"),
        serde_json::json!({}),
        |tx| {
            tx.execute(
                "UPDATE xero_links SET synced_fields = ?2, synced_at = ?3 WHERE id = ?1",
                params![link_id, text, crate::now()],
            )?;
            Ok(link_id)
        },
    )?;
    Ok(())
}

/// A contact carrying only `fields` of `details` (the rest is not sent, so Xero keeps it).
fn contact_update(contact_id: &str, details: &SharedDetails, fields: &[SyncField]) -> Contact {
    let mut contact = Contact {
        contact_id: Some(contact_id.to_string()),
        ..Contact::default()
    };
    for &field in fields {
        let value = details.get(field).to_string();
        match field {
            SyncField::Name => contact.name = value,
            SyncField::FirstName => contact.first_name = Some(value),
            SyncField::LastName => contact.last_name = Some(value),
            SyncField::Email => contact.email_address = Some(value),
            SyncField::TaxNumber => contact.tax_number = Some(value),
            SyncField::AccountNumber => contact.account_number = Some(value),
            SyncField::Phone => {
                contact.phones = vec![Phone {
                    phone_type: Some("DEFAULT".into()),
                    phone_number: Some(value),
                    ..Phone::default()
                }]
            }
        }
    }
    contact
}

/// Syncs the connected organisation's contacts with the clients (see the module's notes).
/// `cancelled` is checked between pages and between batches sent; `progress` hears as it goes.
pub async fn sync_contacts(
    store: &SharedStore,
    xero: &XeroClient,
    options: SyncOptions,
    cancelled: &AtomicBool,
    mut progress: impl FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let tenant = require_tenant(&lock(store))?;
    let batch = new_batch();
    let mode = if options.dry_run {
        Pull::Look
    } else {
        Pull::Save(&batch)
    };
    let (pull, seen) = pull_in_pages(store, xero, 1000, mode, cancelled, |r| {
        progress(&SyncProgress {
            phase: SyncPhase::Reading,
            done: r.received,
            total: 0,
        })
    })
    .await?;
    let mut report = SyncReport {
        dry_run: options.dry_run,
        calls: pull.pages,
        pull,
        ..SyncReport::default()
    };
    progress(&SyncProgress {
        phase: SyncPhase::Comparing,
        done: 0,
        total: 0,
    });
    let plan = {
        let mut guard = lock(store);
        let plan = plan_sync(&guard, &tenant, &seen)?;
        if !options.dry_run {
            guard.write(Source::Sync, |tx| {
                tx.set_batch(batch.clone());
                apply_here(tx, &tenant, &plan, &mut report)
            })?;
        }
        plan
    };
    report.refused = plan.refused.clone();
    for work in &plan.links {
        let name = &work.client.details.display_name;
        let changes = |changes: &Vec<FieldChange>| ClientChanges {
            client_id: work.client.id,
            client_name: name.clone(),
            contact_id: Some(work.contact_id.clone()),
            changes: changes.clone(),
        };
        if !work.plan.to_here.is_empty() {
            report.to_here.push(changes(&work.plan.to_here));
        }
        if !work.plan.conflicts.is_empty() {
            report.conflicts.push(ClientConflict {
                client_id: work.client.id,
                client_name: name.clone(),
                contact_id: work.contact_id.clone(),
                fields: work.plan.conflicts.clone(),
            });
        }
    }
    if options.dry_run {
        for work in plan.links.iter().filter(|w| !w.plan.to_xero.is_empty()) {
            report.to_xero.push(ClientChanges {
                client_id: work.client.id,
                client_name: work.client.details.display_name.clone(),
                contact_id: Some(work.contact_id.clone()),
                changes: work.plan.to_xero.clone(),
            });
        }
        report.created = plan.creates.iter().map(new_contact_changes).collect();
        report.new_reviews += plan.ambiguous.len() as u32;
        return Ok(report);
    }

    let updates: Vec<&LinkWork> = plan
        .links
        .iter()
        .filter(|w| !w.plan.to_xero.is_empty())
        .collect();
    let total = (updates.len() + plan.creates.len()) as u32;
    let mut sent = 0;
    let sends: Vec<Send<'_>> = updates
        .chunks(PER_CALL)
        .map(Send::Updates)
        .chain(plan.creates.chunks(PER_CALL).map(Send::Creates))
        .collect();
    for (n, send) in sends.iter().enumerate() {
        if cancelled.load(Ordering::SeqCst) {
            report.cancelled = true;
            return Ok(finish(report, &batch));
        }
        // One key per batch sent: a retried call is replayed by Xero, not repeated.
        let key = format!("{batch}-{}", n + 1);
        let size = match send {
            Send::Updates(chunk) => {
                let contacts: Vec<Contact> = chunk
                    .iter()
                    .map(|w| {
                        let fields: Vec<SyncField> =
                            w.plan.to_xero.iter().map(|c| c.field).collect();
                        contact_update(&w.contact_id, &w.here, &fields)
                    })
                    .collect();
                let answers = xero.update_contacts(&tenant, &contacts, Some(&key)).await?;
                record_answers(store, &tenant, &batch, send, &answers, &mut report)?;
                chunk.len()
            }
            Send::Creates(chunk) => {
                let contacts: Vec<Contact> = chunk.iter().map(super::create::new_contact).collect();
                let answers = xero.create_contacts(&tenant, &contacts, Some(&key)).await?;
                record_answers(store, &tenant, &batch, send, &answers, &mut report)?;
                chunk.len()
            }
        };
        report.calls += 1;
        sent += size as u32;
        progress(&SyncProgress {
            phase: SyncPhase::Sending,
            done: sent,
            total,
        });
    }
    Ok(finish(report, &batch))
}

/// One call's worth of work for Xero.
enum Send<'p> {
    Updates(&'p [&'p LinkWork]),
    Creates(&'p [Client]),
}

/// The report, with the batch named when it changed something here.
fn finish(mut report: SyncReport, batch: &str) -> SyncReport {
    report.batch = Some(batch.to_string());
    report
}

fn new_contact_changes(client: &Client) -> ClientChanges {
    let details = SharedDetails::of_client(&client.details);
    ClientChanges {
        client_id: client.id,
        client_name: client.details.display_name.clone(),
        contact_id: None,
        changes: SyncField::ALL
            .iter()
            .filter(|f| !details.get(**f).is_empty())
            .map(|&field| FieldChange {
                field,
                label: field.label().to_string(),
                from: String::new(),
                to: details.get(field).to_string(),
            })
            .collect(),
    }
}

/// Xero's validation messages for one element, as one sentence.
fn refused_by_xero(answer: &Contact) -> Option<Vec<String>> {
    let refused = answer.has_validation_errors == Some(true)
        || !answer.validation_errors.is_empty()
        || answer.contact_id.is_none();
    refused.then(|| {
        let mut messages: Vec<String> = answer
            .validation_errors
            .iter()
            .map(|e| format!("Xero refused it: {}", e.message))
            .collect();
        if messages.is_empty() {
            messages.push("Xero refused it without saying why.".to_string());
        }
        messages
    })
}

/// Records what Xero answered for one batch sent, in one transaction: the contacts as Xero has
/// them now; for updates each accepted client's new base, for creates the new links (their
/// base is both sides as they are now). Refusals are reported per client.
fn record_answers(
    store: &SharedStore,
    tenant: &str,
    batch: &str,
    send: &Send<'_>,
    answers: &[Contact],
    report: &mut SyncReport,
) -> Result<()> {
    let mut store = lock(store);
    store.write(Source::Sync, |tx| {
        tx.set_batch(batch);
        match send {
            Send::Updates(chunk) => {
                for work in chunk.iter() {
                    let answer = answers
                        .iter()
                        .find(|a| a.contact_id.as_deref() == Some(work.contact_id.as_str()));
                    let problems = match answer {
                        None => Some(vec!["Xero's answer left this contact out.".to_string()]),
                        Some(a) => refused_by_xero(a),
                    };
                    if let Some(problems) = problems {
                        report.refused.push(ClientProblem {
                            client_id: work.client.id,
                            client_name: work.client.details.display_name.clone(),
                            problems,
                        });
                        continue;
                    }
                    let answer = answer.cloned().unwrap_or_default();
                    save_contacts(tx, tenant, std::slice::from_ref(&answer))?;
                    let mut base = work.plan.base.clone();
                    let now_xero = mirrored_from(&answer, &crate::now())
                        .map(|m| SharedDetails::of_contact(&m))
                        .unwrap_or_default();
                    for change in &work.plan.to_xero {
                        base.here.set(change.field, work.here.get(change.field));
                        base.xero.set(change.field, now_xero.get(change.field));
                    }
                    set_base(tx, work.link_id, work.client.id, &base)?;
                    report.to_xero.push(ClientChanges {
                        client_id: work.client.id,
                        client_name: work.client.details.display_name.clone(),
                        contact_id: Some(work.contact_id.clone()),
                        changes: work.plan.to_xero.clone(),
                    });
                }
            }
            Send::Creates(chunk) => {
                for (client, answer) in chunk.iter().zip(answers) {
                    if let Some(problems) = refused_by_xero(answer) {
                        report.refused.push(ClientProblem {
                            client_id: client.id,
                            client_name: client.details.display_name.clone(),
                            problems,
                        });
                        continue;
                    }
                    save_contacts(tx, tenant, std::slice::from_ref(answer))?;
                    let contact_id = answer.contact_id.clone().unwrap_or_default();
                    super::links::insert_link(tx, tenant, client.id, &contact_id)?;
                    let mut made = new_contact_changes(client);
                    made.contact_id = Some(contact_id);
                    report.created.push(made);
                }
            }
        }
        Ok(())
    })
}
