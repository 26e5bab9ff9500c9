-- Scopebook schema, version 5: emailing proposals. One row of firm-level settings: the mail
-- server (SMTP) and the email template. The SMTP password is NOT here: it lives in the OS
-- keychain only (service com.scopebook.app, account smtp:<username>@<host>).

CREATE TABLE email_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    -- Empty until sending by SMTP is set up (the mail-app route needs no server).
    smtp_host         TEXT NOT NULL DEFAULT '',
    smtp_port         INTEGER NOT NULL DEFAULT 587 CHECK (smtp_port BETWEEN 1 AND 65535),
    security          TEXT NOT NULL DEFAULT 'starttls' CHECK (security IN ('starttls', 'tls', 'none')),
    username          TEXT NOT NULL DEFAULT '',
    from_address      TEXT NOT NULL DEFAULT '',
    from_name         TEXT NOT NULL DEFAULT '',
    -- {{placeholders}} as in proposal texts: client, client_contact, practice, number, date,
    -- valid_until, monthly_fee, annual_fee, one_off_fee.
    subject_template  TEXT NOT NULL DEFAULT 'Proposal {{number}} from {{practice}}',
    body_template     TEXT NOT NULL DEFAULT 'Dear {{client_contact}},

Thank you for the opportunity to work with {{client}}. Attached is our proposal {{number}}, which sets out the services we''ll provide, what''s included and our fees.

The proposal is valid until {{valid_until}}. To go ahead, simply reply to this email to accept, or sign and return the attached copy. If you have any questions, we''re happy to talk them through.

Kind regards,
{{practice}}',
    updated_at        TEXT NOT NULL
);

INSERT INTO email_settings (id, updated_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
