-- 微信客服 reject_customer_msg_switch_change: a 接待人员 rejected (拒收) a customer's messages. While set, the bot
-- neither answers the customer nor sends them window reminders; the messages are still stored.
ALTER TABLE "Identity" ADD COLUMN "rejectedAt" TIMESTAMP(3);
ALTER TABLE "Identity" ADD COLUMN "rejectedBy" TEXT;
