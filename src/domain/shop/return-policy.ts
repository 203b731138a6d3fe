import { z } from 'zod';

const Text = z.string().trim().min(1).max(300);

/** The shop's return policy, as the bot tells it to customers who ask "退货寄到哪 / 运费谁出". */
export const ReturnPolicySchema = z.strictObject({
  version: z.literal(1),
  /** Days after sign-off within which a return without reason (七天无理由) may be asked for. */
  windowDays: z.number().int().min(0).max(365),
  /** What the goods must be like, and what is excluded. */
  conditions: Text,
  address: z.strictObject({ recipient: Text, phone: Text, address: Text }),
  shipping: z.strictObject({ ourFault: Text, noReason: Text }),
  /** When and how the refund is paid. */
  refund: Text,
  /** The price-protection rule (价保: refunding a price drop), told with a 价保 ticket; optional. */
  priceProtection: Text.optional(),
  /**
   * The shop's customer-service phone, told when a customer asks for one ("你们客服电话多少"); without it they are
   * told the people answer in this chat.
   */
  hotline: Text.optional(),
  /**
   * How parcels go out and are handed over (which carriers, 送货上门 or 驿站), told when a customer asks
   * ("可以送货上门吗", "你们发什么快递"); optional.
   */
  delivery: Text.optional(),
  /**
   * How invoices are had (电子发票 from the order page, 专票 on request …), told with an invoice ticket and when a
   * customer asks how ("发票怎么开"); optional.
   */
  invoice: Text.optional(),
});
export type ReturnPolicy = z.infer<typeof ReturnPolicySchema>;

/** A part of the policy a customer may ask about on its own ("退货地址发我一下", "运费谁出", "几天内能退", "退款多久到账"). */
export type ReturnPolicyPart = 'address' | 'shipping' | 'window' | 'refund';
