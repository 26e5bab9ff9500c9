-- Scopebook schema, version 14: a second invoice for a client in a month, added deliberately.
--
-- A line added for a month goes on the month's invoice (1) or on a separate invoice (2, 3, …)
-- posted beside it with its own Reference. The number is taken once, when the first line of the
-- separate invoice is added, past every number the client's month already uses in the outbox
-- (a voided invoice posted again takes the next number too), so no two invoices share one.
ALTER TABLE billing_adjustments ADD COLUMN invoice_seq INTEGER NOT NULL DEFAULT 1
    CHECK (invoice_seq >= 1);
-- Only an added line goes on a separate invoice.
CREATE TRIGGER billing_adjustments_separate_lines_only
BEFORE INSERT ON billing_adjustments
WHEN NEW.invoice_seq <> 1 AND NEW.kind <> 'extra_line'
BEGIN
    SELECT RAISE(ABORT, 'only an added line can go on a separate invoice');
END;

-- Which of the month's planned invoices an outbox row posts: its own number for the month's
-- invoice and separate ones; for a voided invoice posted again, the number of the one it
-- replaces. Until now only the month's invoice (1) and its re-posts were kept.
ALTER TABLE outbox ADD COLUMN plan_seq INTEGER NOT NULL DEFAULT 1 CHECK (plan_seq >= 1);
