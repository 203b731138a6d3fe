import type { MediaKind } from '../channels/channel.ts';
import type { ReturnPolicy, ReturnPolicyPart } from '../domain/shop/return-policy.ts';

const MEDIA_ZH: Readonly<Record<MediaKind, string>> = { image: '图片', voice: '语音', video: '视频', file: '文件' };
/** "杭州市…售后仓，示例店铺售后仓 收，电话 0571-…": where returns go, as every answer and quick reply says it. */
const addressOf = (p: ReturnPolicy) => `${p.address.address}，${p.address.recipient} 收，电话 ${p.address.phone}`;

/** Every bot reply template in one place (Chinese), as typed functions. */
export const zh = {
  /** The return address alone (the quick replies' {退货地址}). */
  returnAddressLine: addressOf,
  greeting: () =>
    '您好，我是售后助手 🙂 可以帮您查订单和物流、办理退换货，登记破损、少件、发错货等问题。请直接描述您遇到的情况，或发订单号给我。',
  greetingWithTickets: (open: { id: number; problemZh: string; statusZh: string }[]) =>
    `您好，我是售后助手 🙂 您有 ${open.length} 张工单在处理：${open.map((t) => `#${t.id} ${t.problemZh}（${t.statusZh}）`).join('、')}。` +
    '想看进度发「我的工单」；有新的问题直接告诉我。',
  /**
   * The greeting when a customer opens the 微信客服 chat, with answers to tap. Each label is what the tap sends,
   * so it is written the way a customer would ask (the classifier reads it like typed words).
   */
  welcome: {
    head: '您好，我是售后助手 🙂 直接说遇到的问题就行，比如“杯子收到是碎的”“快递到哪了”；也可以点一下：',
    items: [
      { id: 'welcome_logistics', label: '我的快递到哪了' },
      { id: 'welcome_urge', label: '催一下发货' },
      { id: 'welcome_refund', label: '我要退款' },
      { id: 'welcome_quality', label: '商品有质量问题' },
      { id: 'welcome_human', label: '转人工客服' },
    ],
  },
  personJoined: (p: { name?: string }) =>
    `您好，${p.name ? `${p.name}（人工客服）` : '人工客服'}已接入，马上为您处理。`,
  botBack: () => '本次人工服务已结束，感谢您的耐心。之后有问题直接发消息给我（售后助手），我会继续为您登记和跟进。',
  welcomeWithTickets: (open: { id: number; problemZh: string; statusZh: string }[]) =>
    `您好，我是售后助手 🙂 您有 ${open.length} 张工单在处理：${open.map((t) => `#${t.id} ${t.problemZh}（${t.statusZh}）`).join('、')}。` +
    '想看进度点下面第一项；有新的问题直接说，或点一下：',
  welcomeTicketsItem: { id: 'welcome_tickets', label: '我的工单怎么样了' },
  thanks: () => '不客气，有需要随时找我～',
  okay: () => '好的，有需要随时找我～',
  noCustomerContact: '顾客没有可联系的账号',
  recalledLine: '（撤回了一条消息）',
  heldMessages: (texts: string[]) => `您不在的这段时间，客服给您留了言：\n${texts.join('\n')}`,
  customerHeld: (why: string) =>
    `顾客现在收不到：${why}。顾客下次发消息时，机器人会先把这条转告给他；着急的话请换个方式联系（例如电话）。`,
  returnSendLater: (t: { id: number }) => `好的～寄出后把快递单号发给我，我会登记到您的退货工单 #${t.id}。`,
  /** "运费谁出" from a customer whose ticket is the shop's fault: their rule, from the shop's policy. */
  shippingOnUs: (p: { id: number; problemZh: string; rule: string }) =>
    `您的工单 #${p.id}（${p.problemZh}）属于我们的责任，运费按这一条：${p.rule.replace(/[。.]$/u, '')}。`,
  returnUnderWay: (t: { id: number; problemZh: string; statusZh: string }) =>
    `您的工单 #${t.id}（${t.problemZh}）已登记，目前${t.statusZh}，按上面的说明寄回即可。`,
  sendFailed: '发送失败',
  reroutedToStaff: '（内容已转到员工群）',
  toldLater: '会在平台限流允许时发给顾客。',
  kfWindowOpen: ({ until, left }: { until: string; left: number }) =>
    left > 0
      ? `微信客服：${until} 前可以给顾客发消息（还能发 ${left} 条）`
      : '微信客服：顾客上次发言后能发的 5 条已用完，等顾客再发消息才能回复',
  kfWindowClosed: '微信客服：顾客超过 48 小时没有发言，消息发不出去，请电话联系或等顾客再来消息',
  customerMissed: (why: string) => `顾客没有收到：${why}。请换个方式联系顾客（例如电话），或等顾客下次来消息时再说。`,
  okayWithTickets: (open: { id: number; problemZh: string }[]) =>
    `好的～工单 ${open.map((t) => `#${t.id}（${t.problemZh}）`).join('、')}有结果会第一时间告诉您。`,
  /**
   * The reminder before a 微信客服 customer's 48 h window closes while their tickets are under way: one word from
   * them keeps the result able to reach them.
   */
  keepalive: (open: { id: number; problemZh: string; waitingForYou?: boolean }[]) => {
    const list = (ts: typeof open) => ts.map((t) => `#${t.id}（${t.problemZh}）`).join('、');
    const waiting = open.filter((t) => t.waitingForYou);
    const underWay = open.filter((t) => !t.waitingForYou);
    return (
      '您好，' +
      (waiting.length > 0 ? `工单 ${list(waiting)}在等您的回复，客服之前的提问请看上面的消息。` : '') +
      (underWay.length > 0 ? `您的工单 ${list(underWay)}还在处理中。` : '') +
      '按微信客服的规则，您 48 小时没有发消息，我们就不能再在这里联系您了。' +
      '回复任意一句（比如「好的」），处理结果出来就能第一时间告诉您。'
    );
  },
  keepaliveItems: [
    { id: 'keepalive_ok', label: '好的' },
    { id: 'welcome_tickets', label: '我的工单怎么样了' },
  ],
  deliveryPolicy: (text: string) => `配送说明：${text.replace(/[。.]$/u, '')}。`,
  deliveryOrderHint: () => '想看某个订单现在到哪了、由哪家快递送，发订单号给我就行。',
  hotline: (phone: string | undefined) =>
    phone
      ? `客服电话：${phone}，人工客服工作时间接听；在这里留言也一样，客服会在这里回复您。`
      : '我们没有电话客服，人工客服就在这个对话里回复您，不用另外打电话。',
  botAlwaysOn: () => '我（售后助手）24 小时在线，问题可以先告诉我，我会登记好交给上班的同事。',
  askOrder: () => '请发一下订单号（或快递单号），我马上帮您查询。',
  askWhatHappened: () =>
    '抱歉让您不开心了。请问遇到了什么问题？把情况和订单号告诉我，我马上为您登记处理；需要人工客服也可以直接说「转人工」。',
  handoff: () => '好的，正在为您转接人工客服，请稍候；客服接入前您也可以先描述问题，我会一并转交。',
  handoffAfterHours: () =>
    '现在不是人工客服的工作时间，上班后会有客服联系您。在那之前，订单、物流和退换货的问题也可以先问我，我会登记好交给上班的同事。',
  /** No time is promised: the first-response deadline may fall at night, before anyone is in (the hours follow). */
  handoffTicketAfterHours: (p: { id: number }) =>
    `现在不是人工客服的工作时间，已为您登记工单 #${p.id}，上班后会优先联系您。` +
    '在那之前，订单、物流和退换货的问题也可以先问我，我会一并转交。',
  handoffTicket: (p: { id: number; dueText?: string }) =>
    `好的，正在为您转接人工客服（工单 #${p.id}），请稍候` +
    (p.dueText ? `，最晚 ${p.dueText} 前会有客服联系您` : '') +
    '；客服接入前您也可以先描述问题，我会一并转交。',
  ticketCreated: (p: {
    id: number;
    problemZh: string;
    priority: string;
    dueText?: string;
    critical: boolean;
    toManager?: boolean;
    /** The order the ticket is filed against; `orderGuessed` when the customer did not name it. */
    orderNo?: string;
    orderGuessed?: boolean;
    /** No order is known: ask for it (and for a photo of the problem). */
    askOrder?: 'plain' | 'with_photo';
    /** The goods the customer named, in none of their orders: the order asked for is the one they came in. */
    missingGoods?: string;
  }) =>
    `已为您登记售后工单 #${p.id}（${p.problemZh}，优先级 ${p.priority}）` +
    (p.orderNo ? `，订单 ${p.orderNo}` : '') +
    '。' +
    (p.orderGuessed ? '（按您最近的相关订单登记；如果不是这个订单，把订单号发给我就行。）' : '') +
    (p.dueText ? `客服会在 ${p.dueText} 前联系您。` : '客服会尽快联系您。') +
    (p.toManager ? '您的投诉已直接转交经理处理。' : p.critical ? '您的问题已列为加急，主管已同步跟进。' : '') +
    (p.askOrder
      ? `\n${p.missingGoods ? `您名下的订单里没有找到${p.missingGoods}，请发送这件${p.missingGoods}的` : '为了尽快处理，请发送'}订单号和下单手机号后 4 位（例如：SO20261120000001 尾号 1234）${p.askOrder === 'with_photo' ? '，并拍张问题的照片' : ''}。`
      : ''),
  alreadyShipped: (p: {
    orderNo: string;
    atText?: string;
    carrier?: string;
    trackingNo?: string;
    /** The latest tracking event, with its time. */
    latest?: string;
    /** What happens next ("预计 12月3日 送达"). */
    next?: string;
  }) =>
    `订单 ${p.orderNo} 已${p.atText ? `于 ${p.atText} ` : ''}发货` +
    (p.carrier || p.trackingNo ? `（${[p.carrier, p.trackingNo].filter(Boolean).join(' ')}）` : '') +
    '。' +
    (p.latest ? `最新物流：${p.latest}。` : '') +
    (p.next ? `${p.next.replace(/[。.]$/u, '')}。` : '') +
    (p.next?.startsWith('预计')
      ? '到时还没收到的话，再找我，我为您登记催件。'
      : p.latest || p.next
        ? ''
        : '想看物流到哪了，直接问我「到哪了」就行。'),
  alreadyRefunded: (p: { orderNo: string; amountText: string; atText?: string }) =>
    `订单 ${p.orderNo} 已${p.atText ? `于 ${p.atText} ` : ''}退款 ¥${p.amountText}，原路退回，一般 1-3 个工作日到账（银行卡可能稍慢）。` +
    '超过 3 个工作日还没收到，请告诉我，我为您登记核查。',
  inTransitOnTime: (p: { orderNo: string; carrier?: string; trackingNo?: string; latest: string; etaText: string }) =>
    `订单 ${p.orderNo} 正在运输中${p.carrier || p.trackingNo ? `（${[p.carrier, p.trackingNo].filter(Boolean).join(' ')}）` : ''}，` +
    `最新物流：${p.latest}。预计 ${p.etaText} 送达，还在正常时效内。到时还没收到的话，您再找我，我会直接为您登记催件。`,
  shipWithinPromise: (p: { orderNo: string; statusZh: string; dueText: string; promised: boolean }) =>
    `订单 ${p.orderNo} 目前「${p.statusZh}」，${p.promised ? '承诺' : '一般'} ${p.dueText} 前发货，还在时限内，仓库会尽快安排。` +
    '到时还没发出的话，您再找我，我会直接为您登记加急处理。',
  ticketReminder: (p: { id: number; statusZh: string; raised: boolean; dueText?: string }) =>
    `您的工单 #${p.id} 目前状态：${p.statusZh}。已再次提醒负责同事${p.raised ? '，并提高了处理优先级' : ''}，` +
    (p.dueText ? `客服最晚 ${p.dueText} 前联系您。` : '请您稍等。'),
  replacementDone: (p: { id: number; problemZh: string; result?: string }) =>
    `您的工单 #${p.id}（${p.problemZh}）已处理完成` +
    (p.result ? `，处理结果：${p.result}`.replace(/[。.！!]$/u, '') : '') +
    '。如果一直没收到，直接回复我，工单会重新打开并加急处理。',
  customerTicketStatus: (p: {
    id: number;
    problemZh: string;
    statusZh: string;
    status: string;
    dueText?: string;
    owner?: string;
    repliedText?: string;
  }) =>
    `您的工单 #${p.id}（${p.problemZh}）目前「${p.statusZh}」` +
    (p.status === 'resolved'
      ? '，已处理完成。如果问题还没解决，直接回复我，工单会重新打开。'
      : p.status === 'closed'
        ? '。'
        : p.status === 'waiting_customer'
          ? '，客服在等您回复他们的问题，回复后马上继续处理。'
          : (p.owner ? `，${p.owner} 正在处理` : '') +
            (p.repliedText ? `，客服已于 ${p.repliedText} 回复过您` : '') +
            (p.dueText ? `，客服会在 ${p.dueText} 前联系您` : '') +
            '。'),
  customerTicketUnknown: (p: { id: number }) =>
    `没有找到您名下的工单 #${p.id}，请核对工单号；也可以直接告诉我遇到的问题。`,
  customerNoOpenTickets: () => '您目前没有未完成的工单。遇到问题可以直接告诉我，我马上为您登记。',
  returnPolicy: (p: ReturnPolicy) =>
    [
      '退货说明：',
      `· 签收后 ${p.windowDays} 天内可申请无理由退换：${p.conditions}。`,
      `· 寄回地址：${addressOf(p)}`,
      `· 运费：${p.shipping.ourFault}；${p.shipping.noReason}。`,
      `· 退款：${p.refund}。`,
      '寄出后把快递单号发给我，我会登记到您的退货工单。',
    ].join('\n'),
  refuseDelivery: (p: ReturnPolicy) =>
    `可以拒收：派送时告诉快递员拒收，包裹会退回我们仓库。退款说明：${p.refund.replace(/[。.]$/u, '')}。` +
    '想在发货前取消或拦截包裹，把订单号发给我，我帮您登记。',
  refusedNote: (p: ReturnPolicy) =>
    `拒收的包裹退回我们仓库后为您退款，不用另外寄回。退款说明：${p.refund.replace(/[。.]$/u, '')}。`,
  /** One part of the return policy, for a question about only that ("退货地址发我一下", "运费谁出"). */
  returnPolicyPart: (p: ReturnPolicy, part: ReturnPolicyPart) => {
    switch (part) {
      case 'address':
        return `退货寄回地址：${addressOf(p)}。寄出后把快递单号发给我，我会登记到您的退货工单。`;
      case 'shipping':
        return `退货运费：${p.shipping.ourFault}；${p.shipping.noReason}。`;
      case 'window':
        return `签收后 ${p.windowDays} 天内可申请无理由退换：${p.conditions}。`;
      case 'refund':
        return `退款说明：${p.refund}。`;
    }
  },
  orderLeftWarehouseNote: (p: { cancel: boolean; signed: boolean; carrier?: string; trackingNo?: string }) => {
    const parcel = [p.carrier, p.trackingNo].filter(Boolean).join(' ');
    const shipped = `该订单已发货${parcel ? `（${parcel}）` : ''}`;
    if (p.signed)
      return `\n该订单已签收，不能再${p.cancel ? '取消' : '修改'}；不需要的话可以申请退货退款（回复「退货」即可）。`;
    return p.cancel
      ? `\n${shipped}，不能直接取消：客服会尽量联系快递拦截；拦截不成的话，您可以拒收，或签收后申请退货退款。`
      : `\n${shipped}，改地址要请快递改派：客服会联系快递处理，改派可能产生费用，请留意客服的回复。`;
  },
  shipLaterNote: () => '\n还没发货的订单可以晚点发：客服会请仓库先留着这一单，并和您确认哪天发出。',
  shipNowNoted: (p: { id: number }) => `好的，已告诉处理工单 #${p.id} 的同事现在可以发货了，仓库会尽快发出。`,
  shipLaterTooLateNote: (p: { orderNo: string; parcel?: string }) =>
    `\n订单 ${p.orderNo} 已经发出${p.parcel ? `（${p.parcel}）` : ''}，没法再晚点发了；不方便收件的话，可以在快递 App 里预约派送时间，或请快递员放到驿站、快递柜。`,
  mergeNote: () =>
    '\n还没发货的订单可以合并成一个包裹发出（收货地址要相同）：请把要一起发的订单号都发给我，仓库确认后客服会回复您。',
  mergeTooLateNote: (p: { orderNo: string; parcel?: string }) =>
    `\n订单 ${p.orderNo} 已经发出${p.parcel ? `（${p.parcel}）` : ''}，不能再和别的订单合并；还没发货的订单可以合并，请把订单号发给我。`,
  carrierFixedNote: (p: { carrier?: string; trackingNo?: string }) =>
    `\n该订单已${p.carrier ? `由${p.carrier}` : ''}发出${p.trackingNo ? `（单号 ${p.trackingNo}）` : ''}，包裹到了快递手里就不能再换快递了；着急的话，客服可以帮您催快递加快派送。`,
  returnInTransitNote: (p: { exchange: boolean; parcel?: string }) =>
    `\n该订单还在运输中${p.parcel ? `（${p.parcel}）` : ''}，现在还寄不回来：` +
    (p.exchange
      ? '签收后按退货说明寄回，我们收到后给您换；不想要了也可以直接拒收，包裹退回仓库后为您退款。'
      : '不想要的话可以直接拒收，包裹退回仓库后为您退款；也可以签收后再按退货说明寄回。'),
  refundInTransitNote: (p: { parcel?: string }) =>
    `\n该订单已发货${p.parcel ? `（${p.parcel}）` : ''}，包裹还在路上：客服会尽量联系快递拦截退回；拦截不成的话，您可以拒收，包裹退回仓库后为您退款。`,
  refundTiming: (p: ReturnPolicy) => `退款说明：${p.refund}。`,
  invoicePolicy: (rule: string) => `发票说明：${rule.replace(/[。.]$/u, '')}。`,
  /** After the invoice rule, to someone with no invoice ticket who asked how. */
  invoiceDetailsHint: () => '需要我们开的话，直接把订单号和开票信息（抬头、税号、接收邮箱）发给我就行。',
  priceProtection: (rule: string) => `价保说明：${rule.replace(/[。.]$/u, '')}。客服会按您的付款时间和价格核实。`,
  returnAddress: (p: ReturnPolicy) => `退货寄回地址：${addressOf(p)}；寄出后把快递单号发给我。`,
  orderAddedToTicket: (p: { id: number; orderNo: string }) => `已把订单 ${p.orderNo} 补充到您的工单 #${p.id}。`,
  orderChangedOnTicket: (p: { id: number; orderNo: string }) => `好的，您的工单 #${p.id} 已改为订单 ${p.orderNo}。`,
  mediaNoted: (p: { id: number; kind: MediaKind; resumed: boolean }) =>
    `收到您的${MEDIA_ZH[p.kind]}，已补充到工单 #${p.id}${p.resumed ? '，工单已继续处理' : '，处理的同事会看到'}。` +
    (p.kind === 'voice' ? '我暂时听不了语音，方便的话请打字再说一下。' : ''),
  botIntro: () =>
    '我是售后助手（智能机器人）🙂 查订单物流、退换货、登记破损少件等问题都可以直接问我；需要人工客服的话，回复「转人工」就行。',
  presales: () =>
    '商品的尺码、库存、材质、用法洗护、正品防伪和优惠，请以商品详情页为准，也可以咨询店铺的售前客服。我是售后助手，订单、物流、退换货的问题可以直接问我。',
  /** "下单送的赠品是什么": where the gift is told, and what to do when it did not come. */
  giftQuestion: () =>
    '赠品以下单时商品详情页的活动说明为准，会和商品一起寄出。如果收到的包裹里少了赠品，把订单号发给我，我为您登记补发。',
  mediaNotSeen: (p: { ticketId?: number } = {}) =>
    p.ticketId === undefined
      ? '暂时还没看到您发的图片或视频，麻烦直接在这个对话里发送一下，并用文字说说遇到了什么问题（例如：收到时破损、发错货、少件），我马上为您登记。'
      : `暂时还没看到您发的图片或视频，麻烦直接在这个对话里发送一下，会补充到工单 #${p.ticketId}，处理的同事会看到。`,
  /** "要拍照吗": which photos help staff decide, and where they go. */
  photosWanted: (p: { ticketId?: number } = {}) =>
    '需要的：请拍商品有问题的地方（近景、整体各一张）、外包装和快递面单，直接发在这个对话里' +
    (p.ticketId === undefined ? '，再用一句话说说遇到了什么问题。' : `，会补充到工单 #${p.ticketId}。`),
  /** "拍好了": send them here. */
  photosReady: (p: { ticketId?: number } = {}) =>
    `好的，直接把照片发在这个对话里就行${p.ticketId === undefined ? '，我会帮您登记。' : `，会补充到工单 #${p.ticketId}。`}`,
  mediaWithoutTicket: (kind: MediaKind) =>
    kind === 'voice'
      ? '我暂时听不了语音，请打字告诉我遇到了什么问题，或发订单号给我。'
      : `收到您的${MEDIA_ZH[kind]}。我暂时看不了${MEDIA_ZH[kind]}内容，请用文字说一下遇到了什么问题（例如：收到时破损、发错货、少件），或发订单号给我。`,
  /** `problemZh`: the parcel went back for a goods problem's ticket (质量问题 …), not a return ticket. */
  returnParcelNoted: (p: { id: number; trackingNo: string; problemZh?: string }) =>
    `收到寄回的单号 ${p.trackingNo}，已登记到${p.problemZh ? `工单 #${p.id}（${p.problemZh}）` : `退货工单 #${p.id}`}。仓库签收验货后会尽快为您处理。`,
  retractedNothingOpen: () => '好的，那就先不处理了。之后有需要随时告诉我。',
  retractedDone: (p: { id: number; problemZh: string }) =>
    `好的，已为您撤销工单 #${p.id}（${p.problemZh}）。之后有需要随时告诉我。`,
  retractedNoted: (p: { id: number }) => `好的，已告诉处理工单 #${p.id} 的同事您这边不需要了，他们会据此处理。`,
  autoClosed: (days: number) => `解决后 ${days} 天顾客没有再回复，自动关闭`,
  withdrawnToStaff: (p: { id: number; said: string }) => `工单 #${p.id} 顾客撤回了申请（「${p.said}」），已自动关闭。`,
  /** `dueText`: nobody has answered the ticket yet, and must by then. */
  ticketQuestionNoted: (p: { id: number; statusZh: string; dueText?: string }) =>
    `您的工单 #${p.id} 目前状态：${p.statusZh}。您的问题已转给负责的同事，${p.dueText ? `最晚 ${p.dueText} 前联系您。` : '会尽快回复您。'}`,
  ticketNoted: (p: { id: number }) => `收到，已补充到工单 #${p.id}，处理的同事会看到。`,
  /** "钱什么时候退回来" while the order's cancellation is under way. */
  cancelRefund: (p: { id: number; statusZh: string }) =>
    `您的取消订单工单 #${p.id} 目前状态：${p.statusZh}。订单取消后，货款会按原支付方式全额退回，到账时间以支付平台为准；取消结果出来会第一时间告诉您。`,
  /** "好的 稍等 我晚上回家拍" while the ticket waits on the customer: it keeps waiting. */
  waitingKept: (p: { id: number }) => `好的，不着急，准备好了直接发给我就行，工单 #${p.id} 会为您保留。`,
  /** "补发还是退款你们看着办": either will do. */
  eitherNoted: (p: { id: number; options: string }) =>
    `收到，${p.options}您都可以接受，已记到工单 #${p.id}，处理的同事会按实际情况安排，确认后告诉您。`,
  /** "给我重新发一个吧" on the ticket it settles. */
  requestNoted: (p: { id: number; requestZh: string }) =>
    `收到，您希望${p.requestZh}，已记到工单 #${p.id}，处理的同事确认后会告诉您。`,
  /** With a safety ticket (过敏, 吃了吐了, 漏电 …): what to do meanwhile, whoever was hurt. */
  safetyAdvice: () =>
    '请先停止使用这件商品；人或宠物如有不适，请及时就医，并保留好剩余商品、包装和就诊凭证，方便后续处理。',
  sentToManager: (p: { id: number }) => `好的，工单 #${p.id} 已转交经理跟进，经理会尽快联系您。`,
  ticketReopened: (p: { id: number }) => `抱歉问题还没解决！工单 #${p.id} 已重新打开，并已升级给主管跟进。`,
  ticketResumed: (p: { id: number }) => `收到您的回复，工单 #${p.id} 已继续处理。`,
  alsoOnTicket: (p: { id: number; problems: string }) => `\n您说的${p.problems}也记在工单 #${p.id} 里，会一起处理。`,
  linkedNote: (p: { id: number }) => `（与您之前的工单 #${p.id} 关联）`,
  orderNotTheirsNote: (p: { ref: string }) =>
    `\n没有在您名下找到 ${p.ref}，工单已先登记，客服会与您核对订单。如果是用别的账号下的单，可以发送订单号和下单手机号后 4 位（例如：${p.ref} 尾号 1234）核实。`,
  staffUnknownCommand: () =>
    '可用指令：查 <订单号/快递单号/手机尾号/买家姓名>、签收可信率、工单 #123、我的工单、待处理工单、加急工单、未分配工单、收到 #123、受理 #123、接单 #123、回复 #123 <内容或 /话术名>、话术、备注 #123 <内容>（顾客看不到）、转派 #123 <姓名>、今日概况、健康日报、根因周报、超时工单、满意度、客服绩效（主管）、下班 / 上班（暂停或恢复接单）、谁在岗、优先级 #123 P1 [理由] / 加急 #123 / 降级 #123（调低需主管）、设为VIP #123（主管）、导出申请 / 批准导出 3 / 拒绝导出 3 理由（经理）、等待客户 #123 [问顾客的话]、解决 #123 [处理结果]、关闭 #123、重开 #123',
  resolvedToCustomer: (p: { id: number; problemZh: string; result?: string }) =>
    `您的工单 #${p.id}（${p.problemZh}）已处理完成。` +
    (p.result ? `处理结果：${p.result}。`.replace(/[。.！!]。$/u, '。') : '') +
    '如果问题还没有解决，直接回复我，工单会重新打开并加急处理。',
  /** Asked under a resolution notice; each level's label is also what the customer taps. */
  rateAsk: () => '方便的话，请为这次处理打个分：',
  ratingLabels: { good: '满意', okay: '一般', bad: '不满意' } as const,
  rated: (level: 'good' | 'okay' | 'bad') =>
    level === 'good'
      ? '感谢您的评价！有需要随时找我～'
      : level === 'okay'
        ? '感谢您的评价，我们会继续改进。哪里做得不够，直接告诉我就行。'
        : '抱歉这次没让您满意，已转告负责的同事和主管，会尽快联系您。问题还没解决的话，直接回复我，工单会重新打开并加急处理。',
  badRatingToStaff: (p: { id: number; summary: string; comment?: string }) =>
    `顾客对工单 #${p.id} 的处理不满意：${p.summary}\n` +
    (p.comment ? `顾客说：${p.comment}\n请尽快回访。` : '请尽快回访，了解原因。'),
  reassignDone: (p: { id: number; name: string }) => `工单 #${p.id} 已转派给 ${p.name}，已通知对方。`,
  reassignSame: (p: { id: number; name: string }) => `工单 #${p.id} 已经由 ${p.name} 负责。`,
  reassignUnknown: (p: { who: string; names: string[] }) =>
    `没有找到同事「${p.who}」。可转派给：${p.names.join('、') || '（暂无）'}`,
  reassignedToYou: (p: { id: number; priority: string; summary: string; by: string; dueText?: string }) =>
    `${p.by} 把工单 #${p.id}（${p.priority}）转派给您：${p.summary}` +
    (p.dueText ? `\n首次响应截止 ${p.dueText}` : '') +
    `\n回复「受理 #${p.id}」开始处理。`,
  ackDone: (p: { id: number; by: string }) => `已确认工单 #${p.id}（${p.by}），升级提醒已停止。`,
  ackUnknown: (p: { id: number }) => `没有找到工单 #${p.id}，请核对工单号。`,
  transitionDone: (p: { id: number; statusZh: string }) => `工单 #${p.id} 已更新为「${p.statusZh}」。`,
  tierNotAllowed: () => '只有主管或经理可以设置 VIP。',
  dutyNotTicketStaff: () => '新工单只在客服之间轮流分配，主管和经理没有接单状态。',
  dutyAlreadyOn: () => '您已经在岗，新工单会照常分配给您。',
  dutyAlreadyOff: () => '您已经是暂停接单状态。回来后发「上班」恢复。',
  dutyOn: () => '好的，已恢复给您分配新工单。',
  dutyOff: (p: { open: number[]; othersOnDuty: string[] }) => {
    const mine =
      p.open.length > 0
        ? `您名下还有 ${p.open.length} 张未完成：${p.open.map((id) => `#${id}`).join('、')}，需要的话发「转派 #工单号 同事」交出去。`
        : '';
    const left =
      p.othersOnDuty.length > 0
        ? `新工单会分给：${p.othersOnDuty.join('、')}。`
        : '注意：现在没有其他在岗客服，新工单将无人负责，会按超时规则升级给主管。';
    return `好的，已暂停给您分配新工单。${mine}${left}回来后发「上班」恢复。`;
  },
  whoOnDuty: (p: { on: string[]; off: string[] }) =>
    `在岗客服（轮流分配新工单）：${p.on.length > 0 ? p.on.join('、') : '无'}${p.off.length > 0 ? `\n暂停接单：${p.off.join('、')}` : ''}`,
  quickReplies: (list: readonly { name: string; text: string }[]) =>
    list.length === 0
      ? '还没有设置快捷话术（QUICK_REPLIES_FILE）。'
      : [
          '快捷话术（发「回复 #工单号 /名字」或「回复 #工单号 话术2」，后面还可以接着写补充的话）：',
          ...list.map((q, i) => `${i + 1}. ${q.name}：${q.text.length > 40 ? `${q.text.slice(0, 40)}…` : q.text}`),
        ].join('\n'),
  quickReplyUnknown: (p: { asked: string; names: string[] }) =>
    `没有${p.asked}这条话术，这次没有发给顾客。${p.names.length > 0 ? `可用的话术：${p.names.map((n, i) => `${i + 1}. ${n}`).join('  ')}` : ''}`,
  teamNotAllowed: () => '客服工作量只有主管或经理可以查看；看自己的工单发「我的工单」。',
  priorityLowerNotAllowed: () => '只有主管或经理可以调低工单优先级；需要加急可以发「加急 #工单号 理由」。',
  prioritySame: (p: { id: number; priority: string }) =>
    p.priority === 'P1' ? `工单 #${p.id} 已经是最高优先级 P1。` : `工单 #${p.id} 已经是 ${p.priority}。`,
  priorityFinished: (p: { id: number; statusZh: string }) => `工单 #${p.id} ${p.statusZh}，不用再调整优先级。`,
  priorityDone: (p: { id: number; from?: string; to: string; firstDue?: string; resolveDue?: string }) => {
    const due = [
      ...(p.firstDue ? [`首响截止 ${p.firstDue}`] : []),
      ...(p.resolveDue ? [`解决截止 ${p.resolveDue}`] : []),
    ].join('，');
    const change = p.from ? ` ${p.from} → ${p.to}` : `已调为 ${p.to}`;
    return `工单 #${p.id} 优先级${change}${due ? `，${due}` : ''}。之后顾客催促不再自动调整它。`;
  },
  priorityChangedForOwner: (p: { id: number; from?: string; to: string; by: string; why?: string }) =>
    `${p.by} 把您负责的工单 #${p.id} 优先级${p.from ? `从 ${p.from} ` : ''}调为 ${p.to}${p.why ? `：${p.why}` : ''}。发「工单 #${p.id}」看新的截止时间。`,
  tierSame: (p: { name: string; vip: boolean }) => `${p.name} ${p.vip ? '已经是' : '本来就不是'} VIP。`,
  tierDone: (p: { name: string; vip: boolean }) =>
    p.vip
      ? `已将 ${p.name} 设为 VIP：之后的工单优先级提升一级，破损、过敏等问题走 30 分钟紧急通道。`
      : `已取消 ${p.name} 的 VIP。`,
  takenOverNote: (p: { before?: string }) =>
    p.before ? `已由您接手（原负责人 ${p.before}，已通知对方）。` : '已由您接手。',
  takenOverDone: (p: { id: number; before?: string }) =>
    `工单 #${p.id} 已由您接手${p.before ? `（原负责人 ${p.before}，已通知对方）` : ''}。`,
  takenOver: (p: { id: number; by: string }) => `${p.by} 接手了您负责的工单 #${p.id}，后续由 ${p.by} 跟进。`,
  progressToCustomer: (p: { id: number; statusZh: string }) =>
    `进展更新：您的工单 #${p.id} 当前「${p.statusZh}」，我们正在加急处理，有结果第一时间通知您。`,
};
