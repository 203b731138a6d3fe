import { STATUS_ZH, type TicketStatus, ticketProblemZh } from '../domain/tickets/lifecycle.ts';
import type { OrderTicket } from './order-ports.ts';

/** Every Chinese sentence the order-status answers use, in one place. */
export const ORDER_TEXT = {
  customerAsk:
    '请发送订单号和下单手机号后 4 位，我来帮您查询物流进度，例如：SO20261120000001 尾号 1234（也可以发快递单号）。',
  /** Where a customer finds the order number ("订单号忘了"). */
  whereOrderNo:
    '订单号在您下单的平台（淘宝、天猫、京东、拼多多、抖音等）「我的订单」里：点进这笔订单，复制订单编号发给我，再加上下单手机号后 4 位。也可以直接发快递单号。',
  /** Only a phone number ("手机号是138…"): not proof enough to show orders. */
  phoneOnly: (suffix: string) =>
    `为保护订单隐私，只凭手机号不能查询订单。请发订单号（或快递单号），再加上尾号 ${suffix}，例如：SO20261120000001 尾号 ${suffix}。订单号在下单平台「我的订单」里，点进这笔订单就能复制。`,
  /** Only four digits ("3909"): taken as the phone's last four; the order is still needed. */
  suffixOnly: (suffix: string) =>
    `收到尾号 ${suffix}。还需要订单号（或快递单号）才能核实，请一起发给我，例如：SO20261120000001 尾号 ${suffix}。订单号在下单平台「我的订单」里，点进这笔订单就能复制。`,
  askSuffix: (ref: string) =>
    `为保护您的订单隐私，请再回复下单手机号的后 4 位（例如：尾号 1234），核实后为您查询 ${ref}。`,
  verifyFailed: (left: number) =>
    left > 0
      ? `未能核实该订单，请检查订单号和下单手机号后 4 位是否正确（还可尝试 ${left} 次）。如需帮助可回复“人工”。`
      : '未能核实该订单。尝试次数已用完，请稍后再试或回复“人工”联系客服。',
  throttled: (minutes: number) =>
    `查询过于频繁：为保护订单隐私，请 ${minutes} 分钟后再试，或回复“人工”联系客服核实身份。`,
  boundList: (_total: number, lines: string[]) =>
    [
      `您名下最近的 ${lines.length} 个订单：`,
      ...lines.map((l, i) => `${i + 1}. ${l}`),
      '回复序号（如「2」）或订单号可查看详细进度。',
    ].join('\n'),
  staffHelp: '请提供订单号、快递单号、手机号或手机尾号，例如：查 SO20261120000001 / 查 SF1234567890123 / 查 尾号1234',
  staffNotFound: (what: string) => `没有找到 ${what} 对应的订单，请核对后再试。`,
  staffList: (total: number, lines: string[]) =>
    [
      total > lines.length
        ? `找到 ${lines.length} 个以上订单，显示最近 ${lines.length} 个（手机号、地址已脱敏）：`
        : `找到 ${total} 个订单（手机号、地址已脱敏）：`,
      ...lines.map((l, i) => `${i + 1}. ${l}`),
      '回复序号（如「2」）或订单号可查看完整时间线。',
    ].join('\n'),
  relatedTickets: (tickets: OrderTicket[]) =>
    `相关工单：${tickets
      .map(
        (t) =>
          `#${t.id} ${ticketProblemZh(t.problem)} · ${STATUS_ZH[t.status as TicketStatus] ?? t.status}${t.assigneeName ? ` · ${t.assigneeName}` : ''}`,
      )
      .join('；')}（「工单 #${tickets[0]?.id}」看详情）`,
};
