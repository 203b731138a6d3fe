-- Bulk exports above 100 orders need a manager's approval (product.md, Security and data). One row per request:
-- what was asked (the filter), how many orders it matched, who asked, and the manager's decision.
CREATE TABLE "ExportRequest" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'orders',
    "filter" JSONB NOT NULL,
    "count" INTEGER NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "reason" TEXT,
    "notifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExportRequest_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ExportRequest_status_createdAt_idx" ON "ExportRequest"("status", "createdAt");
