use std::sync::{Arc, Mutex};

use base64::Engine;
use mail_parser::{MessageParser, MimeHeaders};
use scopebook_mail::test_server::smtp_server;
use scopebook_secrets::{MemoryKeychain, Namespace, Secrets, Sensitive};

use super::compose::safe_file_name;
use super::settings::{COLUMNS, stored_settings};
use super::*;
use crate::Store;
use crate::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
use crate::clients::{ClientDraft, create_client, get_client};
use crate::practice::{PracticeSetup, require_practice, setup_practice, update_practice};
use crate::proposals::{self, ProposalAction, ProposalStatus, get_proposal};
use crate::proposals::{LineDraft, blank_proposal, create_proposal};
use crate::store::history;
use crate::store::{SharedStore, lock};

/// The keychain in memory, one namespace.
fn memory() -> Secrets {
    Secrets::in_memory(Namespace::named("com.scopebook.test"))
}

const PASSWORD: &str = "s3cret-Pa55word";

fn password() -> Sensitive<String> {
    Sensitive::from(PASSWORD)
}

/// A practice with an email, a client with a contact person, an email and an invoice
/// email, and a draft proposal for $425 a month.
fn world() -> (Store, i64) {
    let mut store = Store::open_in_memory().unwrap();
    setup_practice(
        &mut store,
        PracticeSetup {
            firm_name: "Ledger & Co".into(),
            country: "AU".into(),
            base_currency: "AUD".into(),
        },
    )
    .unwrap();
    let mut practice = require_practice(&store).unwrap().draft();
    practice.email = "hello@ledger.example".into();
    update_practice(&mut store, practice).unwrap();
    let mut client = ClientDraft {
        display_name: "Acme Plumbing".into(),
        first_name: "Jo".into(),
        last_name: "Citizen".into(),
        email: "jo@acme.example".into(),
        ..ClientDraft::blank()
    };
    client.invoicing.invoice_email = "accounts@acme.example".into();
    let client = create_client(&mut store, &client).unwrap().id;
    let service = catalog::create_service(
        &mut store,
        &ServiceDraft {
            name: "Bookkeeping".into(),
            pricing: PricingDraft {
                price: "425".into(),
                ..PricingDraft::empty(PricingKind::Fixed)
            },
            frequency: Frequency::Monthly,
            ..ServiceDraft::blank()
        },
    )
    .unwrap()
    .id;
    let mut draft = blank_proposal(&store, client).unwrap();
    draft.valid_until = "2026-12-31".into();
    draft.lines = vec![LineDraft {
        service_id: Some(service),
        line_id: None,
        quantity: "1".into(),
        discount_percent: "0".into(),
        estimated_minutes: String::new(),
        start_month: "2026-12".into(),
        end_month: String::new(),
        optional: false,
        driver_choices: Vec::new(),
        option: None,
    }];
    let proposal = create_proposal(&mut store, &draft).unwrap().id;
    (store, proposal)
}

fn smtp_settings(port: u16) -> EmailSettingsDraft {
    EmailSettingsDraft {
        smtp_host: "127.0.0.1".into(),
        smtp_port: port.to_string(),
        security: SmtpSecurity::None,
        username: "ledger".into(),
        from_address: "proposals@ledger.example".into(),
        from_name: "Ledger & Co Proposals".into(),
        ..stored_settings(&Store::open_in_memory().unwrap())
            .unwrap()
            .draft()
    }
}

#[test]
fn compose_fills_the_template_and_picks_the_invoice_email() {
    let (store, id) = world();
    let composed = compose(&store, id).unwrap();
    let number = get_proposal(&store, id).unwrap().number;
    assert_eq!(composed.draft.to, "accounts@acme.example");
    assert_eq!(composed.draft.cc, "");
    assert_eq!(
        composed.draft.subject,
        format!("Proposal {number} from Ledger & Co")
    );
    let body = &composed.draft.body;
    assert!(body.starts_with("Dear Jo Citizen,"), "{body}");
    assert!(body.contains(&format!("our proposal {number}")), "{body}");
    assert!(body.contains("31 December 2026"), "{body}");
    assert!(body.trim_end().ends_with("Ledger & Co"), "{body}");
    assert!(!body.contains("{{"), "{body}");
    assert_eq!(
        composed.attachment_name,
        format!("{number} Acme Plumbing.pdf")
    );
    assert_eq!(composed.from, "Ledger & Co <hello@ledger.example>");
    assert_eq!(composed.smtp_server, None);
    assert_eq!(composed.proposal_status, ProposalStatus::Draft);
}

#[test]
fn compose_falls_back_to_the_contacts_email_and_uses_the_template() {
    let (mut store, id) = world();
    let client_id = get_proposal(&store, id).unwrap().client_id;
    let mut client = get_client(&store, client_id).unwrap().details;
    client.invoicing.invoice_email = String::new();
    crate::clients::update_client(&mut store, client_id, &client).unwrap();
    let mut settings = stored_settings(&store).unwrap().draft();
    settings.subject_template = "{{client}}: {{monthly_fee}} a month".into();
    settings.body_template = "Hi {{client_contact}}".into();
    save_settings(&mut store, &settings, None, &memory()).unwrap();
    let composed = compose(&store, id).unwrap();
    assert_eq!(composed.draft.to, "Jo Citizen <jo@acme.example>");
    assert_eq!(composed.draft.subject, "Acme Plumbing: $425.00 a month");
    assert_eq!(composed.draft.body, "Hi Jo Citizen");
}

#[test]
fn settings_are_checked_field_by_field() {
    let mut store = Store::open_in_memory().unwrap();
    let passwords = memory();
    let bad = EmailSettingsDraft {
        smtp_host: "smtp://mail.example.com".into(),
        smtp_port: "99999".into(),
        security: SmtpSecurity::None,
        username: "me".into(),
        from_address: "not an address".into(),
        from_name: "Ledger".into(),
        subject_template: "Proposal {{numbr}}".into(),
        body_template: "  ".into(),
    };
    let err = save_settings(&mut store, &bad, Some(PASSWORD), &passwords).unwrap_err();
    let report = err.report();
    assert_eq!(report.code, crate::ErrorCode::Invalid);
    let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "smtp_host",
            "smtp_port",
            "security",
            "from_address",
            "subject_template",
            "body_template"
        ]
    );
    assert!(report.fields[4].message.contains("{{numbr}}"));
    assert_eq!(
        passwords
            .retrieve("smtp:me@smtp://mail.example.com")
            .unwrap(),
        None,
        "nothing kept"
    );

    // Unencrypted is fine to this computer only; a real server needs a from address.
    let mut ok = smtp_settings(2525);
    ok.smtp_host = "localhost".into();
    assert!(validate_settings(&ok, None).is_ok());
    ok.smtp_host = "smtp.example.com".into();
    ok.security = SmtpSecurity::Starttls;
    ok.from_address = String::new();
    let err = validate_settings(&ok, None).unwrap_err().report();
    assert_eq!(err.fields[0].field, "from_address");
    // No server at all is fine (the mail-app route), and the port defaults.
    let none = EmailSettingsDraft {
        smtp_host: String::new(),
        smtp_port: String::new(),
        username: String::new(),
        from_address: String::new(),
        ..ok
    };
    assert_eq!(validate_settings(&none, None).unwrap().1, 587);
    let err = validate_settings(&none, Some("pw")).unwrap_err().report();
    assert_eq!(err.fields[0].field, "username");
}

#[test]
fn the_password_goes_to_the_keychain_only() {
    let mut store = Store::open_in_memory().unwrap();
    let keychain = Arc::new(MemoryKeychain::new());
    let passwords = Secrets::new(keychain.clone(), Namespace::named("com.scopebook.test"));
    let mut draft = smtp_settings(2525);
    let saved = save_settings(&mut store, &draft, Some(PASSWORD), &passwords).unwrap();
    assert!(saved.has_password);
    assert_eq!(saved.smtp_port, 2525);
    assert_eq!(
        passwords.retrieve("smtp:ledger@127.0.0.1").unwrap(),
        Some(password())
    );
    assert_eq!(
        saved_password(&store, &passwords).unwrap(),
        Some(password())
    );
    // Nothing in the database holds it: settings, change log, anything.
    let dump: String = store
        .conn()
        .query_row("SELECT group_concat(detail, ' ') FROM changes", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!dump.contains(PASSWORD));
    let row: String = store
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM email_settings").replace(", ", " || ' ' || "),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!row.contains(PASSWORD));
    assert!(!format!("{saved:?}").contains(PASSWORD));

    // Saving without a password keeps it; changing the username forgets the old one.
    assert!(
        save_settings(&mut store, &draft, None, &passwords)
            .unwrap()
            .has_password
    );
    draft.username = "someone-else".into();
    let saved = save_settings(&mut store, &draft, Some(""), &passwords).unwrap();
    assert!(!saved.has_password);
    assert!(keychain.entries().is_empty());
}

fn outgoing(store: &Store, id: i64) -> Outgoing {
    let settings = stored_settings(store).unwrap();
    let mut draft = compose(store, id).unwrap().draft;
    draft.cc = "Boss <boss@acme.example>; books@acme.example".into();
    prepare(store, &settings, &draft).unwrap()
}

fn assert_is_the_proposal_email(raw: &[u8], number: &str) {
    let message = MessageParser::default().parse(raw).unwrap();
    let from = message.from().and_then(|a| a.first()).unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Ledger & Co"), Some("hello@ledger.example"))
    );
    assert_eq!(
        message.subject(),
        Some(format!("Proposal {number} from Ledger & Co").as_str())
    );
    assert_eq!(
        message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("accounts@acme.example")
    );
    let cc: Vec<_> = message
        .cc()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(cc, ["boss@acme.example", "books@acme.example"]);
    assert!(
        message
            .body_text(0)
            .unwrap()
            .starts_with("Dear Jo Citizen,")
    );
    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 1);
    let pdf = attachments[0];
    let content_type = pdf.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("application", Some("pdf"))
    );
    assert_eq!(
        pdf.attachment_name(),
        Some(format!("{number} Acme Plumbing.pdf").as_str())
    );
    assert!(pdf.contents().starts_with(b"%PDF"));
}

#[test]
fn the_message_has_the_headers_the_body_and_the_pdf() {
    let (store, id) = world();
    let number = get_proposal(&store, id).unwrap().number;
    let message = scopebook_mail::build_message(&outgoing(&store, id).email(), false).unwrap();
    let raw = message.formatted();
    let text = String::from_utf8_lossy(&raw);
    for header in [
        "From: ".to_string(),
        format!("Subject: Proposal {number} from Ledger & Co\r\n"),
        "To: accounts@acme.example\r\n".to_string(),
        "Cc: Boss <boss@acme.example>, books@acme.example\r\n".to_string(),
        "MIME-Version: 1.0\r\n".to_string(),
        "Content-Type: multipart/mixed;".to_string(),
    ] {
        assert!(text.contains(&header), "{header} in {text}");
    }
    assert!(text.contains("Content-Type: application/pdf"), "{text}");
    assert!(!text.contains("X-Unsent"));
    assert_is_the_proposal_email(&raw, &number);
    let envelope: Vec<String> = message
        .envelope()
        .to()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(
        envelope,
        [
            "accounts@acme.example",
            "boss@acme.example",
            "books@acme.example"
        ]
    );
}

#[test]
fn the_draft_is_checked_field_by_field() {
    let (store, id) = world();
    let settings = stored_settings(&store).unwrap();
    let draft = EmailDraft {
        proposal_id: id,
        to: "accounts@acme.example, not-an-address".into(),
        cc: "x@y".into(),
        subject: " ".into(),
        body: String::new(),
    };
    let report = prepare(&store, &settings, &draft).unwrap_err().report();
    let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["to", "cc", "subject", "body"]);
    assert!(report.fields[0].message.contains("not-an-address"));
}

#[test]
fn the_eml_draft_opens_unsent_with_the_pdf_and_marks_nothing() {
    let (mut store, id) = world();
    let number = get_proposal(&store, id).unwrap().number;
    let data_dir = tempfile::tempdir().unwrap();
    let mut draft = compose(&store, id).unwrap().draft;
    draft.cc = "Boss <boss@acme.example>; books@acme.example".into();
    let path = write_eml(&store, &draft, &drafts_dir(data_dir.path())).unwrap();
    assert_eq!(
        path.parent().unwrap(),
        data_dir.path().join("cache").join("email-drafts")
    );
    assert_eq!(
        path.file_name().unwrap().to_string_lossy(),
        format!("{number} Acme Plumbing.eml")
    );
    let raw = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("\r\nX-Unsent: 1\r\n"), "{text}");
    assert_is_the_proposal_email(&raw, &number);
    let message = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(message.header_raw("X-Unsent").map(str::trim), Some("1"));
    assert_eq!(
        get_proposal(&store, id).unwrap().status,
        ProposalStatus::Draft
    );

    // "Did you send it?" — yes: sent, and the log says to whom.
    let proposal = mark_emailed(&mut store, &draft).unwrap();
    assert_eq!(proposal.status, ProposalStatus::Sent);
    let log = history(store.conn(), "proposal", id, 5).unwrap();
    assert_eq!(log[0].action, "emailed");
    assert_eq!(log[0].detail["via"], "mail_app");
    assert_eq!(log[0].detail["to"][0], "accounts@acme.example");
    assert_eq!(log[1].action, "sent");
}

/// Drafts go to the app's own cache folder, readable by this user only — also when the folder
/// was already there with wider permissions.
#[cfg(unix)]
#[test]
fn the_drafts_folder_is_private_to_this_user() {
    use std::os::unix::fs::PermissionsExt;
    let (store, id) = world();
    let data_dir = tempfile::tempdir().unwrap();
    let dir = drafts_dir(data_dir.path());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let draft = compose(&store, id).unwrap().draft;
    write_eml(&store, &draft, &dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(dir.parent().unwrap()), 0o700);

    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    write_eml(&store, &draft, &dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert!(!dir.starts_with(std::env::temp_dir().join("Scopebook email drafts")));
}

/// Bug (issue 7, 1.2): saving SMTP settings in the sandbox wrote, and could delete, the firm's
/// real `smtp:user@host` entry. Each data folder has its own namespace now.
#[test]
fn the_sandbox_never_touches_the_firms_smtp_password() {
    let keychain = Arc::new(MemoryKeychain::new());
    let folders = tempfile::tempdir().unwrap();
    let firm_dir = folders.path().join("firm");
    let demo_dir = firm_dir.join("demo");
    let in_folder = |dir: &std::path::Path| {
        Secrets::new(
            keychain.clone(),
            Namespace::for_data_dir(dir, Some(&firm_dir)),
        )
    };
    let (in_firm, in_demo) = (in_folder(&firm_dir), in_folder(&demo_dir));
    let mut firm = Store::open_in_memory().unwrap();
    let mut demo = Store::open_in_memory().unwrap();
    save_settings(&mut firm, &smtp_settings(2525), Some(PASSWORD), &in_firm).unwrap();

    // The sandbox, same server and user: it doesn't see the firm's password...
    let sandbox = save_settings(&mut demo, &smtp_settings(2525), None, &in_demo).unwrap();
    assert!(!sandbox.has_password);
    assert_eq!(saved_password(&demo, &in_demo).unwrap(), None);
    // ...its own password doesn't overwrite it, and changing user there doesn't delete it.
    save_settings(
        &mut demo,
        &smtp_settings(2525),
        Some("sandbox-pw"),
        &in_demo,
    )
    .unwrap();
    let mut other_user = smtp_settings(2525);
    other_user.username = "someone-else".into();
    save_settings(&mut demo, &other_user, None, &in_demo).unwrap();
    assert_eq!(saved_password(&firm, &in_firm).unwrap(), Some(password()));
    assert_eq!(
        keychain.entries(),
        [(
            "com.scopebook.desktop".to_string(),
            "smtp:ledger@127.0.0.1".to_string()
        )]
    );
}

#[test]
fn closed_proposals_are_not_emailed() {
    let (mut store, id) = world();
    proposals::change_status(&mut store, id, ProposalAction::Withdraw, None, &[]).unwrap();
    let err = compose(&store, id).unwrap_err().report();
    assert_eq!(err.fields[0].field, "status");
}

#[test]
fn file_names_lose_characters_mail_apps_refuse() {
    assert_eq!(
        safe_file_name("P-2026-0001 Smith/Jones: \"Co\"."),
        "P-2026-0001 Smith-Jones- -Co-"
    );
    assert_eq!(safe_file_name(" ... "), "Proposal");
}

// -----------------------------------------------------------------------------------------
// A real SMTP conversation on 127.0.0.1

fn shared_world_with_smtp(port: u16) -> (SharedStore, i64) {
    let (mut store, id) = world();
    save_settings(&mut store, &smtp_settings(port), None, &memory()).unwrap();
    (Arc::new(Mutex::new(store)), id)
}

#[tokio::test]
async fn a_proposal_goes_out_through_a_real_smtp_server_and_is_marked_sent() {
    let (port, server) = smtp_server("235 2.7.0 Authentication successful\r\n")
        .await
        .unwrap();
    let (store, id) = shared_world_with_smtp(port);
    let composed = compose(&lock(&store), id).unwrap();
    assert_eq!(composed.smtp_server, Some(format!("127.0.0.1:{port}")));
    let proposal = send_proposal(&store, &composed.draft, Some(&password()))
        .await
        .unwrap();
    assert_eq!(proposal.status, ProposalStatus::Sent);

    let got = server.await.unwrap().unwrap();
    let credentials = base64::engine::general_purpose::STANDARD
        .decode(&got.auth[0])
        .unwrap();
    assert_eq!(credentials, format!("\0ledger\0{PASSWORD}").as_bytes());
    assert_eq!(got.mail_from, "<proposals@ledger.example>");
    assert_eq!(got.rcpt_to, ["<accounts@acme.example>"]);
    let message = MessageParser::default().parse(&got.data).unwrap();
    assert_eq!(
        message.subject(),
        Some(format!("Proposal {} from Ledger & Co", proposal.number).as_str())
    );
    assert_eq!(
        message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("proposals@ledger.example")
    );
    assert_eq!(
        message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("accounts@acme.example")
    );
    let pdf = message.attachments().next().unwrap();
    assert_eq!(pdf.content_type().unwrap().subtype(), Some("pdf"));
    assert!(pdf.contents().starts_with(b"%PDF"));
    // The wire carries it base64-encoded; decoded by hand too, to be sure.
    let raw = String::from_utf8_lossy(&got.data);
    let encoded: String = raw
        .split("Content-Transfer-Encoding: base64")
        .nth(1)
        .unwrap()
        .trim_start()
        .lines()
        .take_while(|l| !l.is_empty() && !l.starts_with("--"))
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert!(bytes.starts_with(b"%PDF"));

    let store = lock(&store);
    let log = history(store.conn(), "proposal", id, 5).unwrap();
    assert_eq!(log[0].action, "emailed");
    assert_eq!(log[0].detail["via"], "smtp");
    assert_eq!(log[0].detail["to"][0], "accounts@acme.example");
    assert_eq!(log[1].action, "sent");
    assert!(!log[0].detail.to_string().contains(PASSWORD));
}

#[tokio::test]
async fn a_refused_password_is_a_clear_error_and_marks_nothing() {
    let (port, server) = smtp_server("535 5.7.8 Authentication credentials invalid\r\n")
        .await
        .unwrap();
    let (store, id) = shared_world_with_smtp(port);
    let draft = compose(&lock(&store), id).unwrap().draft;
    let err = send_proposal(&store, &draft, Some(&password()))
        .await
        .unwrap_err();
    let report = err.report();
    assert_eq!(report.code, crate::ErrorCode::Email);
    assert!(
        report
            .message
            .starts_with("The mail server refused the password for ledger at 127.0.0.1."),
        "{}",
        report.message
    );
    assert!(!report.message.contains(PASSWORD));
    assert!(!format!("{err:?}").contains(PASSWORD));
    let got = server.await.unwrap().unwrap();
    assert!(got.data.is_empty(), "no message was sent");
    let store = lock(&store);
    assert_eq!(
        get_proposal(&store, id).unwrap().status,
        ProposalStatus::Draft
    );
    let log = history(store.conn(), "proposal", id, 5).unwrap();
    assert!(
        log.iter()
            .all(|c| c.action != "emailed" && c.action != "send")
    );
}

#[tokio::test]
async fn an_unreachable_server_and_a_missing_password_are_clear_errors() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (store, id) = shared_world_with_smtp(port);
    let draft = compose(&lock(&store), id).unwrap().draft;
    let err = send_proposal(&store, &draft, Some(&password()))
        .await
        .unwrap_err()
        .report();
    assert_eq!(err.code, crate::ErrorCode::Email);
    assert!(
        err.message
            .starts_with(&format!("Couldn't reach 127.0.0.1 on port {port}.")),
        "{}",
        err.message
    );
    let err = send_proposal(&store, &draft, None)
        .await
        .unwrap_err()
        .report();
    assert!(
        err.message.contains("no password saved for ledger"),
        "{}",
        err.message
    );
    assert_eq!(
        get_proposal(&lock(&store), id).unwrap().status,
        ProposalStatus::Draft
    );
}

/// The real OS keychain (run inside a keyring session: `tests/test-all.sh`): the sandbox's
/// data folder and the firm's never share the SMTP password.
#[test]
#[ignore = "needs the OS keychain (Secret Service)"]
fn the_keychain_keeps_each_data_folders_smtp_password_apart() {
    let folders = tempfile::tempdir().unwrap();
    let firm_dir = folders.path().join("firm");
    let demo_dir = firm_dir.join("demo");
    let mut firm = Store::open_in(&firm_dir).unwrap();
    let mut demo = Store::open_in(&demo_dir).unwrap();
    let in_firm = crate::secrets_for(&firm_dir);
    let in_demo = crate::secrets_for(&demo_dir);
    assert_ne!(in_firm.namespace(), in_demo.namespace());

    let saved = save_settings(&mut firm, &smtp_settings(2525), Some(PASSWORD), &in_firm).unwrap();
    assert!(saved.has_password);
    // The sandbox saves its own settings for the same user@host: the firm's entry stays.
    let sandbox = save_settings(&mut demo, &smtp_settings(2525), None, &in_demo).unwrap();
    assert!(!sandbox.has_password);
    save_settings(
        &mut demo,
        &smtp_settings(2525),
        Some("sandbox-pw"),
        &in_demo,
    )
    .unwrap();
    let mut other_user = smtp_settings(2525);
    other_user.username = "someone-else".into();
    save_settings(&mut demo, &other_user, None, &in_demo).unwrap();
    assert_eq!(saved_password(&firm, &in_firm).unwrap(), Some(password()));

    save_settings(&mut firm, &other_user, None, &in_firm).unwrap();
    assert_eq!(in_firm.retrieve("smtp:ledger@127.0.0.1").unwrap(), None);
}

/// Several proposals in one action: one sent, one refused by the server, one skipped (no email
/// address), one whose sending was interrupted earlier in the same action (not sent again). The
/// retry with the same key sends only the refused one: nothing goes out twice.
#[tokio::test]
async fn several_proposals_go_out_in_one_action_and_a_retry_sends_none_twice() {
    let inbox = scopebook_mail::test_server::Inbox::start(Some("refused@"))
        .await
        .unwrap();
    let (store, first) = shared_world_with_smtp(inbox.port);
    let another = |email: &str, name: &str| {
        let mut s = lock(&store);
        let client = create_client(
            &mut s,
            &ClientDraft {
                display_name: name.into(),
                email: email.into(),
                ..ClientDraft::blank()
            },
        )
        .unwrap()
        .id;
        let mut draft = get_proposal(&s, first).unwrap().draft();
        draft.client_id = client;
        for line in &mut draft.lines {
            line.line_id = None;
        }
        create_proposal(&mut s, &draft).unwrap().id
    };
    let refused = another("refused@bakery.example", "Bondi Bakery");
    let no_email = another("", "Coogee Cafe");
    let interrupted = another("jo@deli.example", "Darling Deli");
    let key = "bulk-1";
    lock(&store)
        .write(crate::store::Source::User, |tx| {
            tx.log(
                "proposal",
                interrupted,
                "email_sending",
                &serde_json::json!({ "bulk": key }),
            )
        })
        .unwrap();
    let ids = [first, refused, no_email, interrupted];
    let seen = std::sync::Mutex::new(Vec::new());
    let results = send_many(&store, &ids, key, Some(&password()), |p| {
        seen.lock().unwrap().push((p.done, p.total))
    })
    .await
    .unwrap();
    let outcomes: Vec<&str> = results
        .iter()
        .map(|r| match &r.result {
            BulkOutcome::Sent { .. } => "sent",
            BulkOutcome::AlreadySent => "already sent",
            BulkOutcome::Unsure => "unsure",
            BulkOutcome::Skipped { .. } => "skipped",
            BulkOutcome::Failed { .. } => "failed",
        })
        .collect();
    assert_eq!(outcomes, ["sent", "failed", "skipped", "unsure"]);
    assert_eq!(
        *seen.lock().unwrap(),
        [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    );
    match &results[2].result {
        BulkOutcome::Skipped { reason } => assert!(reason.contains("no email address"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(inbox.received().len(), 1);
    assert_eq!(
        get_proposal(&lock(&store), first).unwrap().status,
        ProposalStatus::Sent
    );
    assert_eq!(
        get_proposal(&lock(&store), refused).unwrap().status,
        ProposalStatus::Draft
    );

    let again = send_many(&store, &ids, key, Some(&password()), |_| {})
        .await
        .unwrap();
    let outcomes: Vec<&BulkOutcome> = again.iter().map(|r| &r.result).collect();
    assert_eq!(outcomes[0], &BulkOutcome::AlreadySent);
    assert!(
        matches!(outcomes[1], BulkOutcome::Sent { to } if to.contains("refused@bakery.example"))
    );
    assert_eq!(outcomes[3], &BulkOutcome::Unsure);
    let received = inbox.received();
    assert_eq!(received.len(), 2, "two emails in all: nothing sent twice");
    assert_eq!(received[1].rcpt_to, ["<refused@bakery.example>"]);

    // A new action (another key) may send them again, on purpose.
    let fresh = send_many(&store, &[first], "bulk-2", Some(&password()), |_| {})
        .await
        .unwrap();
    assert!(matches!(fresh[0].result, BulkOutcome::Sent { .. }));
    assert_eq!(inbox.received().len(), 3);
}
