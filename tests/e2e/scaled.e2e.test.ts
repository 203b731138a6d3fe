import { afterAll, describe, expect, it } from 'vitest';
import { freshSchemaUrl, randomName } from '../support/db.ts';
import { startTestService, type TestService } from '../support/service.ts';

describe('scaled mode: api and worker roles as separate instances on PostgreSQL + Redis', () => {
  const started: TestService[] = [];
  const schema = freshSchemaUrl();
  afterAll(async () => {
    for (const s of started.reverse()) await s.stop();
    await schema.drop();
  });

  it('two api instances accept, a worker answers, and a delivery sent to both api instances is processed once', async () => {
    const shared = { DATABASE_URL: schema.url, QUEUE_PREFIX: randomName('q') };
    const [api1, api2, worker] = await Promise.all([
      startTestService({ role: 'api', env: shared }),
      startTestService({ role: 'api', env: shared }),
      startTestService({ role: 'worker', env: shared }),
    ]);
    started.push(api1, api2, worker);
    expect(worker.url).toBeUndefined(); // the worker role serves no HTTP

    const msg = { id: 'lb-1', user: 'c-lb', text: '退款什么时候到账' };
    const [a, b] = await Promise.all([
      api1.post('/api/sandbox/messages', msg),
      api2.post('/api/sandbox/messages', msg),
    ]);
    expect([a.json.status, b.json.status].sort()).toEqual(['accepted', 'duplicate']);
    const answered = a.json.status === 'accepted' ? a : b;
    expect(answered.json.replies).toHaveLength(1);

    const inbox = await api2.get('/api/sandbox/inbox?user=c-lb');
    expect(inbox.json.messages).toHaveLength(1);
  });
});
