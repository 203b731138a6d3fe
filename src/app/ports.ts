import type { ChannelId, InboundMessage, OutboundMessage, SendResult } from '../channels/channel.ts';

/** The core's view of the outside world. Prisma implements stores in src/store, BullMQ the queues in src/jobs. */

export interface StoredDelivery extends InboundMessage {
  id: string;
  status: 'received' | 'processing' | 'done' | 'failed';
  attempts: number;
  receivedAt: Date;
}

export interface DeliveryStore {
  /** Insert unless (channel, platformMsgId) exists; `created` false means a duplicate delivery. */
  insert(message: InboundMessage): Promise<{ id: string; created: boolean }>;
  /**
   * `insert` for many messages in one statement, results in input order. A platform id repeated
   * within the batch is created once (its first occurrence) and reported as a duplicate after that.
   */
  insertMany?(messages: InboundMessage[]): Promise<{ id: string; created: boolean }[]>;
  get(id: string): Promise<StoredDelivery | undefined>;
  findByPlatformId(channel: ChannelId, platformMsgId: string): Promise<StoredDelivery | undefined>;
  /** Move to `processing` unless already done; returns the delivery or undefined when there is nothing to do. */
  claim(id: string): Promise<StoredDelivery | undefined>;
  finish(id: string, outcome: { status: 'done' | 'failed'; error?: string }): Promise<void>;
  /** Deliveries stuck in received/processing longer than `olderThanMs` (lost jobs), oldest first. */
  listStale(olderThanMs: number, limit: number): Promise<{ id: string; channel: ChannelId; platformMsgId: string }[]>;
}

/** An {@link InboundMessage} as JSON carries it (queue jobs, the callback inbox): `sentAt` as an ISO string. */
export type WireMessage = Omit<InboundMessage, 'sentAt'> & { sentAt?: string };

export function toWire(message: InboundMessage): WireMessage {
  const { sentAt, ...rest } = message;
  return { ...rest, ...(sentAt ? { sentAt: sentAt.toISOString() } : {}) };
}

export function fromWire(message: WireMessage): InboundMessage {
  const { sentAt, ...rest } = message;
  return { ...rest, ...(sentAt ? { sentAt: new Date(sentAt) } : {}) };
}

export interface InboundJob {
  /** Set when the delivery is stored; absent when it was accepted while the database was down. */
  deliveryId?: string;
  /** The full message, so a job accepted during a database outage can be stored later. */
  message: WireMessage;
}

export interface InboundQueue {
  /** Idempotent on (channel, platformMsgId): the job id is derived from them. */
  enqueue(job: InboundJob): Promise<void>;
  /** `enqueue` for many jobs in one round trip. */
  enqueueMany?(jobs: InboundJob[]): Promise<void>;
}

/** Redis-side dedupe for deliveries accepted while the database is unreachable. */
export interface FallbackDedupe {
  firstSeen(channel: ChannelId, platformMsgId: string): Promise<boolean>;
}

export interface OutboxEntry {
  id: string;
  /** `held`: kept for the customer's next message (SendResult.held); `redelivered`: gone with it. */
  status: 'pending' | 'sent' | 'failed' | 'deferred' | 'merged' | 'withheld' | 'held' | 'redelivered';
}

/** Outbox states in which a message needs nothing more: a retried job skips it. */
export const DONE: ReadonlySet<OutboxEntry['status']> = new Set(['sent', 'merged', 'withheld', 'held', 'redelivered']);

export interface Outbox {
  /** Records the message under its dedupe key; returns the existing row if the key was seen. */
  record(message: OutboundMessage, meta: { deliveryId?: string; ticketId?: number }): Promise<OutboxEntry>;
  mark(id: string, result: SendResult): Promise<void>;
  /** The message recorded under this dedupe key needs nothing more (a status in DONE). */
  isDone(dedupeKey: string): Promise<boolean>;
}

/** Sends a message through the channel that owns it. */
export type Sender = (message: OutboundMessage) => Promise<SendResult>;

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A timer the database already knows about; the queue only wakes the processor at `dueAt`. */
export interface TimerSpec {
  ticketId: number;
  /** first_response | next_update | resolution | escalation-<cause> */
  kind: string;
  /** Policy revision (or escalation step) the deadline was computed from; part of the job id. */
  revision: number;
  dueAt: Date;
  /**
   * When the same job fires once more after `dueAt`: an SLA timer fires at its warning time, then at its
   * deadline — one job per (ticket, timer kind, revision), not one per warning and one per breach.
   */
  thenAt?: Date;
}

export interface TimerScheduler {
  /** Idempotent: the same (ticket, kind, revision) is scheduled once. A due time in the past fires now. */
  schedule(timer: TimerSpec): Promise<void>;
  /** Several timers in one round trip (same idempotency as `schedule`). */
  scheduleMany?(timers: TimerSpec[]): Promise<void>;
  /** Cancel one timer; cancelling a missing timer is fine. */
  cancel(timer: Pick<TimerSpec, 'ticketId' | 'kind' | 'revision'>): Promise<void>;
  /** Whether a timer job exists (a failed job counts as missing). */
  exists(timer: Pick<TimerSpec, 'ticketId' | 'kind' | 'revision'>): Promise<boolean>;
  /** `exists` for many timers in one round trip (the sweep checks a page of tickets at once). */
  existsMany(timers: Pick<TimerSpec, 'ticketId' | 'kind' | 'revision'>[]): Promise<boolean[]>;
}
