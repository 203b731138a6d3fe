-- Staff "查 高浩然": orders by the buyer's name, newest first.
CREATE INDEX "Order_buyerName_orderedAt_idx" ON "Order"("buyerName", "orderedAt");
