-- DropIndex
DROP INDEX "Order_phoneLast4_idx";

-- DropIndex
DROP INDEX "Order_status_updatedAt_idx";

-- DropIndex
DROP INDEX "OrderStatusEvent_orderId_at_idx";

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "lastSignoffKind" TEXT,
ADD COLUMN     "lastTrackingAt" TIMESTAMP(3),
ADD COLUMN     "lastTrackingKind" TEXT,
ADD COLUMN     "orderedAt" TIMESTAMP(3),
ADD COLUMN     "statusAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Order_phoneLast4_orderedAt_idx" ON "Order"("phoneLast4", "orderedAt");

-- CreateIndex
CREATE INDEX "Order_phone_idx" ON "Order"("phone");
