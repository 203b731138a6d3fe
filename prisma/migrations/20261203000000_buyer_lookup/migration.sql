-- Staff "查 高浩然": orders by the buyer's name. A hash index: equality is all the search needs, and it costs the
-- order import less than a B-tree on text (no collation comparisons per insert).
CREATE INDEX "Order_buyerName_idx" ON "Order" USING HASH ("buyerName");
