-- Pictures the bot links to where a platform takes an image only as a URL: the WeCom 智能机器人's markdown
-- replies through response_url. The token is the unguessable part of the link; a retry of the same message
-- (dedupeKey) gets the same link. Rows are purged after "expiresAt".
CREATE TABLE "SharedPicture" (
    "token" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "png" BYTEA NOT NULL,
    "title" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SharedPicture_pkey" PRIMARY KEY ("token")
);

CREATE UNIQUE INDEX "SharedPicture_dedupeKey_key" ON "SharedPicture"("dedupeKey");
CREATE INDEX "SharedPicture_expiresAt_idx" ON "SharedPicture"("expiresAt");
