import { z } from 'zod';
import { carrier, code, instant, logisticsKind, opt, req, signoffKind, text } from './fields.ts';
import { formatIssues } from './order-row.ts';

/**
 * One logistics event (a carrier scan) as a feed, CSV or the HTTP API sends it. A sign-off carries its kind
 * (electronic scan, locker/驿站, photo, OTP); a sign-off without one is stored as electronic — no proof.
 */
export const LogisticsRowSchema = z.object({
  tracking_no: req(code('运单号'), '缺少运单号'),
  carrier: req(carrier, '缺少快递公司'),
  at: req(instant('物流时间'), '缺少物流时间'),
  description: req(text('物流描述', 500), '缺少物流描述'),
  kind: opt(logisticsKind),
  location: opt(text('地点', 100)),
  signoff_kind: opt(signoffKind),
  network: opt(text('网点', 100)),
  order_no: opt(code('订单号')),
});

export interface LogisticsInput {
  trackingNo: string;
  carrier: string;
  at: Date;
  description: string;
  kind: string;
  location?: string;
  signoffKind?: string;
  network?: string;
  orderNo?: string;
}

/** Validate and normalise one raw event. */
export function toLogisticsInput(raw: unknown): { ok: true; value: LogisticsInput } | { ok: false; errors: string[] } {
  const parsed = LogisticsRowSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues) };
  const r = parsed.data;
  const kind = r.kind ?? (r.signoff_kind ? 'signed' : 'transit');
  if (r.signoff_kind && kind !== 'signed')
    return { ok: false, errors: ['只有签收节点（kind=signed）可以填写签收方式 signoff_kind'] };
  return {
    ok: true,
    value: {
      trackingNo: r.tracking_no,
      carrier: r.carrier,
      at: r.at,
      description: r.description,
      kind,
      location: r.location,
      signoffKind: kind === 'signed' ? (r.signoff_kind ?? 'electronic') : undefined,
      network: r.network,
      orderNo: r.order_no,
    },
  };
}
