-- The seed file revision a business calendar row came from (re-seed only from a higher revision).
ALTER TABLE "BusinessCalendar" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 1;
