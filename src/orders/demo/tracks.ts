import { HUBS, SIGNOFF_TEXT } from './catalog.ts';
import type { Rng } from './rng.ts';

export type SignoffKindName = 'electronic' | 'locker' | 'photo' | 'otp';

/** One logistics event as the demo files carry it. */
export interface DemoEvent {
  at: Date;
  kind: 'pickup' | 'transit' | 'delivering' | 'signed';
  description: string;
  location: string;
  network?: string;
  signoff?: SignoffKindName;
}

export interface TrackSpec {
  carrierName: string;
  origin: { city: string; hub: string };
  dest: { city: string; district: string };
  /** How far the parcel got: 1 = picked up … 5 = out for delivery, 6 = signed. */
  stages: number;
  /** When the last event happened; the earlier ones are spread before it. */
  endAt: Date;
  signoff?: SignoffKindName;
}

const HOUR = 3_600_000;

type Stage = Omit<DemoEvent, 'at'>;

function stageEvents(rng: Rng, s: TrackSpec): Stage[] {
  const destHub = HUBS[s.dest.city] ?? `${s.dest.city.replace(/市$/, '')}转运中心`;
  const network = `${s.dest.city}${s.dest.district}${rng.pick(['营业部', '网点', '站点'])}`;
  const courier = `${rng.pick(['王', '李', '张', '刘', '陈'])}师傅`;
  const signoff = s.signoff ?? 'electronic';
  return [
    { kind: 'pickup', description: `${s.carrierName} 已揽收`, location: s.origin.city },
    { kind: 'transit', description: `快件已到达 ${s.origin.hub}`, location: s.origin.city },
    ...(destHub === s.origin.hub
      ? ([
          // Same city: from the hub straight to the delivering outlet, not "next stop: this hub".
          {
            kind: 'transit',
            description: `快件已从 ${s.origin.hub} 发出，正在发往 ${network}`,
            location: s.origin.city,
          },
          { kind: 'transit', description: `快件已到达 ${network}`, location: s.dest.city, network },
        ] satisfies Stage[])
      : ([
          { kind: 'transit', description: `快件已从 ${s.origin.hub} 发出，下一站 ${destHub}`, location: s.origin.city },
          { kind: 'transit', description: `快件已到达 ${destHub}`, location: s.dest.city },
        ] satisfies Stage[])),
    {
      kind: 'delivering',
      description: `快件正在派送中，派送员：${courier}，电话：1${rng.int(30, 99)}****${rng.digits(4)}`,
      location: s.dest.city,
      network,
    },
    { kind: 'signed', description: rng.pick(SIGNOFF_TEXT[signoff]), location: s.dest.city, network, signoff },
  ];
}

/** A plausible track ending at `endAt`, with 1–30 hours between scans, oldest first. */
export function buildTrack(rng: Rng, spec: TrackSpec): DemoEvent[] {
  const events = stageEvents(rng, spec).slice(0, Math.max(1, Math.min(6, spec.stages)));
  const gaps = [0, rng.int(2, 5), rng.int(1, 3), rng.int(10, 30), rng.int(6, 12), rng.int(1, 6)];
  let at = spec.endAt.getTime();
  const times: number[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    times.unshift(at);
    at -= (gaps[i] ?? 1) * HOUR + rng.int(0, 59) * 60_000;
  }
  return events.map((e, i) => ({ ...e, at: new Date(times[i] ?? spec.endAt.getTime()) }));
}
