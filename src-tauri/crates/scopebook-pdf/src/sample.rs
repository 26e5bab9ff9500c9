//! A realistic proposal used by the tests, the benchmark and UI previews.

use crate::document::{CalendarDate, FeeGroup, FeeLine, Party, ProposalDocument, ScopeItem, Total};

impl ProposalDocument {
    /// A two-page proposal from an Australian bookkeeping practice: monthly bookkeeping on a
    /// transaction tier, payroll per employee, quarterly BAS, an annual tax return, a one-off set-up
    /// fee and one optional line.
    pub fn sample() -> Self {
        Self {
            practice: Party {
                name: "Harbour Bookkeeping".into(),
                legal_name: "Harbour Bookkeeping Pty Ltd".into(),
                lines: vec![
                    "Level 4, 88 Walker Street".into(),
                    "North Sydney NSW 2060".into(),
                    "hello@harbourbooks.com.au".into(),
                    "(02) 9955 0142".into(),
                    "ABN 51 824 753 556".into(),
                ],
            },
            client: Party {
                name: "Acme Plumbing".into(),
                legal_name: "Acme Plumbing Services Pty Ltd".into(),
                lines: vec![
                    "14 Railway Parade".into(),
                    "Marrickville NSW 2204".into(),
                    "sam@acmeplumbing.com.au".into(),
                    "ABN 87 612 340 981".into(),
                ],
            },
            brand_colour: "#2F6FD6".into(),
            logo: None,
            title: "Proposal and letter of engagement".into(),
            number: "P-2026-0042".into(),
            version: 1,
            date: "22 November 2026".into(),
            issued_on: CalendarDate {
                year: 2026,
                month: 11,
                day: 22,
            },
            valid_until: "22 December 2026".into(),
            introduction: "Dear Sam,\n\n\
                Thank you for talking with us about Acme Plumbing. You want the books kept up to \
                date without giving up your evenings, the quarterly BAS lodged on time, and a \
                clear monthly picture of cash before you take on a second apprentice.\n\n\
                Below are the services we recommend, their fixed fees and our terms. Sign below or \
                accept online before the date shown, and we will start in December."
                .into(),
            scope_in: vec![
                ScopeItem {
                    service: "Monthly bookkeeping".into(),
                    description: "Bank and card reconciliations, transaction coding and a one-page management report by the 10th of each month.".into(),
                    quantity: "Up to 500 transactions".into(),
                    frequency: "Monthly".into(),
                    starts: "From December 2026".into(),
                    price: "$980.00".into(),
                    note: "".into(),
                    optional: false,
                },
                ScopeItem {
                    service: "Payroll".into(),
                    description: "Fortnightly pay runs, Single Touch Payroll reporting and super payments.".into(),
                    quantity: "6 employees".into(),
                    frequency: "Monthly".into(),
                    starts: "From December 2026".into(),
                    price: "$270.00".into(),
                    note: "".into(),
                    optional: false,
                },
                ScopeItem {
                    service: "Business Activity Statement".into(),
                    description: "Quarterly BAS with GST and PAYG withholding reconciliations.".into(),
                    quantity: "".into(),
                    frequency: "Quarterly".into(),
                    starts: "From the Dec 2026 quarter".into(),
                    price: "$405.00".into(),
                    note: "".into(),
                    optional: false,
                },
                ScopeItem {
                    service: "Company tax return".into(),
                    description: "Annual financial statements and the company income tax return.".into(),
                    quantity: "".into(),
                    frequency: "Annually".into(),
                    starts: "Year ending 30 June 2027".into(),
                    price: "$1,650.00".into(),
                    note: "".into(),
                    optional: false,
                },
                ScopeItem {
                    service: "Xero set-up and migration".into(),
                    description: "Chart of accounts, bank feeds and opening balances from your old file.".into(),
                    quantity: "".into(),
                    frequency: "One-off".into(),
                    starts: "December 2026".into(),
                    price: "$450.00".into(),
                    note: "".into(),
                    optional: false,
                },
                ScopeItem {
                    service: "Cash-flow forecast and review".into(),
                    description: "A rolling 13-week cash-flow forecast and a review meeting each quarter.".into(),
                    quantity: "".into(),
                    frequency: "Quarterly".into(),
                    starts: "From March 2027".into(),
                    price: "$300.00".into(),
                    note: "".into(),
                    optional: true,
                },
            ],
            options: Vec::new(),
            scope_out: vec![
                "Audit, assurance or review engagements".into(),
                "Tax planning advice and ATO audits or disputes".into(),
                "Catch-up bookkeeping for periods before December 2026".into(),
                "Personal income tax returns of directors".into(),
            ],
            fee_groups: vec![
                FeeGroup {
                    label: "Monthly".into(),
                    lines: vec![
                        FeeLine {
                            name: "Monthly bookkeeping".into(),
                            amount: "$980.00".into(),
                            note: "Tier 2: 251–500 transactions".into(),
                        },
                        FeeLine {
                            name: "Payroll".into(),
                            amount: "$270.00".into(),
                            note: "6 employees at $45.00".into(),
                        },
                    ],
                    total: "$1,250.00".into(),
                },
                FeeGroup {
                    label: "Quarterly".into(),
                    lines: vec![FeeLine {
                        name: "Business Activity Statement".into(),
                        amount: "$405.00".into(),
                        note: "10% discount".into(),
                    }],
                    total: "$405.00".into(),
                },
                FeeGroup {
                    label: "Annually".into(),
                    lines: vec![FeeLine {
                        name: "Company tax return".into(),
                        amount: "$1,650.00".into(),
                        note: "".into(),
                    }],
                    total: "$1,650.00".into(),
                },
                FeeGroup {
                    label: "One-off".into(),
                    lines: vec![FeeLine {
                        name: "Xero set-up and migration".into(),
                        amount: "$450.00".into(),
                        note: "".into(),
                    }],
                    total: "$450.00".into(),
                },
            ],
            totals: vec![
                Total {
                    label: "Monthly recurring".into(),
                    value: "$1,250.00".into(),
                },
                Total {
                    label: "Annual value".into(),
                    value: "$18,270.00".into(),
                },
                Total {
                    label: "One-off".into(),
                    value: "$450.00".into(),
                },
            ],
            terms: "## Our responsibilities\n\
                We will carry out the services listed in this proposal with reasonable care and \
                skill, in line with the Code of Professional Conduct of the Tax Practitioners \
                Board. We rely on the information you give us and do not audit it.\n\n\
                ## Your responsibilities\n\
                You remain responsible for your records and the decisions made from them. Please \
                send us source documents by the 5th of each month.\n\n\
                ## Fees and payment\n\
                Recurring fees are invoiced on the 1st of each period and paid by direct debit \
                within 7 days. Work outside this scope is quoted before we start. Fees are \
                reviewed each July, with 30 days' notice of any change.\n\n\
                ## Ending the engagement\n\
                Either of us may end this engagement with 30 days' written notice. Fees for work \
                already done remain payable, and we will hand over your records promptly.\n\n\
                ## Privacy\n\
                We keep your information confidential and handle it under the Privacy Act 1988."
                .into(),
            practice_signatory: "Jane Doe, Harbour Bookkeeping".into(),
            client_signatory: "Sam Lee, Acme Plumbing".into(),
            currency_note: "All amounts in AUD, excluding GST.".into(),
        }
    }
}
