-- Room for in-page (HOT) updates on the two tables every customer message updates right after writing them.
-- A ticket is updated many times in its life (reminders, first response, status changes) and every push's
-- outbox row once, a millisecond after its insert (sent / failed). With full pages each such UPDATE writes the
-- new row version to another page and a new entry into every index; with free room in the page and no
-- indexed column changed, PostgreSQL keeps it in the page and touches no index. Applies to pages filled from
-- now on.
ALTER TABLE "Ticket" SET (fillfactor = 85);
ALTER TABLE "OutboundMessage" SET (fillfactor = 90);

-- Nothing reads outbox rows by (status, sendAfter) (deferred messages wait in the send-budget store), and the
-- index made the status change of every sent message a non-HOT update.
DROP INDEX IF EXISTS "OutboundMessage_status_sendAfter_idx";
