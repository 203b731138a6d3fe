-- Ticket side effects are idempotent per inbound delivery; this index makes the "already handled?"
-- lookup (data->>'deliveryId') an index probe instead of a scan of every ticket event.
CREATE INDEX IF NOT EXISTS "TicketEvent_deliveryId_idx" ON "TicketEvent" ((data->>'deliveryId'));
