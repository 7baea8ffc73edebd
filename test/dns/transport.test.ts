import net from 'node:net';
import t from 'tap';
import dns2 from 'dns2';
import { AfsError, isAfsError } from '../../src/errors.js';
import {
  DnsQueryError,
  DnsTransport,
  isDnsQueryError,
  tcpExchange,
} from '../../src/dns/transport.js';
import { parseDnsServer, parseResolvConf } from '../../src/dns/server-address.js';
import { TestDnsServer, a, srv } from '../fixtures/dns-server.js';
import { rejectsWith, throwsWith } from '../fixtures/dns-assert.js';

const { Packet } = dns2;

t.test('parseDnsServer', async (t) => {
  t.same(parseDnsServer('127.0.0.1:5300'), { host: '127.0.0.1', port: 5300 });
  t.same(parseDnsServer('127.0.0.1'), { host: '127.0.0.1', port: 53 });
  t.same(parseDnsServer('[::1]:5300'), { host: '::1', port: 5300 });
  t.same(parseDnsServer('[::1]'), { host: '::1', port: 53 });
  t.same(parseDnsServer('::1'), { host: '::1', port: 53 });
  t.same(parseDnsServer('[2001:DB8:0::53]:53'), { host: '2001:db8::53', port: 53 });
  t.same(parseDnsServer('192.0.2.1:65535'), { host: '192.0.2.1', port: 65535 });
  t.same(parseDnsServer('[::FFFF:7f00:1]:53'), { host: '::ffff:127.0.0.1', port: 53 });
  t.same(parseDnsServer('0:0::1'), { host: '::1', port: 53 });
  for (const bad of [
    '',
    'localhost',
    'localhost:53',
    'ns.example.org',
    '127.0.0.1:',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:53x',
    '127.0.0.1:+53',
    '010.0.0.1',
    '127.1',
    '0x7f.0.0.1',
    '256.0.0.1',
    ' 127.0.0.1',
    '[::1',
    '[::1]:',
    '[::1]5300',
    '[127.0.0.1]:53',
    '::1:5300:zz',
    'fe80::1%eth0',
    '[fe80::1%eth0]:53',
    '::1]:53',
  ]) {
    throwsWith(t, () => parseDnsServer(bad), (err) => isAfsError(err, 'EINVAL'), `rejects ${JSON.stringify(bad)}`);
  }
});

t.test('parseResolvConf (text only; the real file is never read in tests)', async (t) => {
  const text = [
    '# generated',
    'search example.org',
    'nameserver 192.0.2.53',
    'nameserver   2001:DB8::53  # comment',
    'nameserver fe80::1%eth0',
    'nameserver dns.example.org',
    '; nameserver 192.0.2.99',
    'options timeout:1 attempts:2',
    'nameserver 198.51.100.53\r',
  ].join('\n');
  t.same(parseResolvConf(text), [
    { host: '192.0.2.53', port: 53 },
    { host: '2001:db8::53', port: 53 },
    { host: '198.51.100.53', port: 53 },
  ]);
  t.same(parseResolvConf(''), []);
});

t.test('constructor refuses an empty or bad server list', async (t) => {
  t.throws(() => new DnsTransport({ servers: [] }), AfsError);
  t.throws(() => new DnsTransport({ servers: [{ host: 'localhost', port: 53 }] }), AfsError);
  t.throws(() => new DnsTransport({ servers: [{ host: '127.0.0.1', port: 0 }] }), AfsError);
  t.throws(() => new DnsTransport({ servers: [{ host: '127.0.0.1', port: 53 }], maxInFlight: 0 }), AfsError);
});

t.test('UDP query, rcode passed through', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  dns.add('vl1.example.test', a('192.0.2.11', 120));
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 1000 });
  t.teardown(() => tr.close());
  const res = await tr.query('vl1.example.test', 'A');
  t.equal(res.header.rcode, 0);
  t.equal(res.answers[0]?.address, '192.0.2.11');
  t.equal(res.answers[0]?.ttl, 120);
  const nx = await tr.query('nope.example.test', 'A');
  t.equal(nx.header.rcode, 3);
  t.equal(dns.count('vl1.example.test', 'A', 'udp'), 1);
  t.equal(dns.countTransport('tcp'), 0);
  t.equal(tr.stats.queries, 2);
});

for (const host of ['127.0.0.1', '::1'] as const) {
  t.test(`truncated UDP answer is asked again over our TCP client (${host})`, async (t) => {
    const dns = await TestDnsServer.start({ host });
    t.teardown(() => dns.close());
    const name = '_afs3-vlserver._udp.big.test';
    for (let i = 0; i < 70; i++) dns.add(name, srv(i % 3, 10, 7003, `vl${i}.big.test`, 300));
    const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 2000 });
    t.teardown(() => tr.close());
    const res = await tr.query(name, 'SRV');
    t.equal(res.header.tc, 0);
    t.equal(res.answers.length, 70);
    t.equal(dns.count(name, 'SRV', 'udp'), 1, 'one UDP try');
    t.equal(dns.count(name, 'SRV', 'tcp'), 1, 'then one TCP exchange');
    t.equal(tr.stats.tcpExchanges, 1);
  });
}

t.test('IPv6 server given in a non-canonical form still matches its replies', async (t) => {
  const dns = await TestDnsServer.start({ host: '::1' });
  t.teardown(() => dns.close());
  dns.add('v6.test', a('192.0.2.6'));
  const tr = new DnsTransport({ servers: [{ host: '0:0:0::1', port: dns.port }], timeoutMs: 1000 });
  t.teardown(() => tr.close());
  t.equal(tr.servers[0]?.host, '::1');
  const res = await tr.query('v6.test', 'A');
  t.equal(res.answers[0]?.address, '192.0.2.6');
});

t.test('IPv6 server: plain UDP query', async (t) => {
  const dns = await TestDnsServer.start({ host: '::1' });
  t.teardown(() => dns.close());
  dns.add('v6.test', a('192.0.2.6'));
  t.equal(dns.spec, `[::1]:${dns.port}`);
  const tr = new DnsTransport({ servers: [parseDnsServer(dns.spec)], timeoutMs: 1000 });
  t.teardown(() => tr.close());
  const res = await tr.query('v6.test', 'A');
  t.equal(res.answers[0]?.address, '192.0.2.6');
  t.equal(dns.count('v6.test', 'A', 'udp'), 1);
});

t.test('silent server: two tries, then temp-failure', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  dns.fail('*', '*', 'silent');
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 150 });
  t.teardown(() => tr.close());
  await rejectsWith(t, tr.query('quiet.test', 'SRV'), (err: unknown) => isDnsQueryError(err, 'temp-failure'));
  t.equal(dns.count('quiet.test', 'SRV'), 2, 'asked twice');
  t.equal(tr.stats.timeouts, 2);
  t.equal(tr.inFlight, 0);
});

t.test('servers are tried in order; SERVFAIL/REFUSED move on to the next', async (t) => {
  const s1 = await TestDnsServer.start();
  const s2 = await TestDnsServer.start();
  const s3 = await TestDnsServer.start();
  t.teardown(() => Promise.all([s1.close(), s2.close(), s3.close()]));
  s1.fail('*', '*', 'servfail');
  s2.fail('*', '*', 'refused');
  s3.add('ok.test', a('192.0.2.1'));
  const tr = new DnsTransport({ servers: [s1.address, s2.address, s3.address], timeoutMs: 500 });
  t.teardown(() => tr.close());
  const res = await tr.query('ok.test', 'A');
  t.equal(res.header.rcode, 0);
  t.equal(res.answers[0]?.address, '192.0.2.1');
  t.same([s1.count('ok.test'), s2.count('ok.test'), s3.count('ok.test')], [1, 1, 1]);

  // With only failing servers, the last failure answer comes back (each asked once).
  const tr2 = new DnsTransport({ servers: [s1.address, s2.address], timeoutMs: 500 });
  t.teardown(() => tr2.close());
  const bad = await tr2.query('x.test', 'A');
  t.equal(bad.header.rcode, 5);
  t.same([s1.count('x.test'), s2.count('x.test')], [1, 1]);
});

t.test('a delayed answer within the timeout is waited for', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  dns.add('slow.test', a('192.0.2.3'));
  dns.delay('slow.test', 'A', 50);
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 2000 });
  t.teardown(() => tr.close());
  const res = await tr.query('slow.test', 'A');
  t.equal(res.answers[0]?.address, '192.0.2.3');
  t.equal(dns.count('slow.test', 'A'), 1);
});

t.test('a silent first server: the second one answers', async (t) => {
  const s1 = await TestDnsServer.start();
  const s2 = await TestDnsServer.start();
  t.teardown(() => Promise.all([s1.close(), s2.close()]));
  s1.fail('*', '*', 'silent');
  s2.add('ok.test', a('192.0.2.2'));
  const tr = new DnsTransport({ servers: [s1.address, s2.address], timeoutMs: 150 });
  t.teardown(() => tr.close());
  const res = await tr.query('ok.test', 'A');
  t.equal(res.answers[0]?.address, '192.0.2.2');
});

t.test('abort: a running query and a queued one reject with the reason', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  const hold = dns.hold('*');
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 1000, maxInFlight: 1 });
  t.teardown(() => tr.close());
  const ac = new AbortController();
  const running = tr.query('one.test', 'A', ac.signal);
  const queued = tr.query('two.test', 'A', ac.signal);
  await hold.waitForPending(1);
  t.equal(tr.queued, 1);
  const reason = new Error('stop now');
  const checks = [rejectsWith(t, running, (e) => e === reason), rejectsWith(t, queued, (e) => e === reason)];
  ac.abort(reason);
  await Promise.all(checks);
  t.equal(tr.inFlight, 0);
  t.equal(tr.queued, 0);
  t.equal(dns.count('two.test'), 0, 'the queued one never went out');
  // Already aborted: rejects at once.
  await rejectsWith(t, tr.query('three.test', 'A', ac.signal), (e) => e === reason);
  hold.release();
});

t.test('in-flight bound: the third query waits for a slot (FIFO)', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  for (const n of ['q1', 'q2', 'q3', 'q4']) dns.add(`${n}.test`, a('192.0.2.1'));
  const hold = dns.hold('*');
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 5000, maxInFlight: 2 });
  t.teardown(() => tr.close());
  const order: string[] = [];
  const queries = ['q1', 'q2', 'q3', 'q4'].map((n) =>
    tr.query(`${n}.test`, 'A').then((r) => {
      order.push(n);
      return r;
    }),
  );
  await hold.waitForPending(2);
  t.equal(dns.active, 2, 'two at the server');
  t.equal(tr.inFlight, 2);
  t.equal(tr.queued, 2);
  t.equal(dns.count('q3.test'), 0, 'the third has not been sent');
  t.equal(dns.count('q4.test'), 0);
  t.ok(hold.releaseOne());
  await dns.waitForQueries('q3.test', 'A', 1);
  t.equal(dns.count('q4.test'), 0, 'FIFO: q3 before q4');
  hold.release();
  const all = await Promise.all(queries);
  t.equal(all.length, 4);
  t.equal(dns.maxActive, 2, 'never more than two at the server');
  t.equal(order[0], 'q1');
  t.equal(tr.inFlight, 0);
});

t.test('close rejects queued and running queries', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  const hold = dns.hold('*');
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 1000, maxInFlight: 1 });
  const running = tr.query('one.test', 'A');
  const queued = tr.query('two.test', 'A');
  await hold.waitForPending(1);
  const checks = [
    rejectsWith(t, running, (e: unknown) => isAfsError(e, 'ESHUTDOWN')),
    rejectsWith(t, queued, (e: unknown) => isAfsError(e, 'ESHUTDOWN')),
  ];
  await tr.close();
  await Promise.all(checks);
  await rejectsWith(t, tr.query('three.test', 'A'), (e: unknown) => isAfsError(e, 'ESHUTDOWN'));
  hold.release();
});

t.test('a name dns2 cannot encode is a local failure, sent nowhere', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 500 });
  t.teardown(() => tr.close());
  await rejectsWith(t, tr.query(`${'x'.repeat(64)}.test`, 'A'), (e: unknown) => isDnsQueryError(e, 'local-failure'));
  t.equal(dns.queries.length, 0);
});

t.test('a reply for another question is bad', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  dns.respond('asked.test', 'A', (req) => {
    const res = Packet.createResponseFromRequest(req);
    res.questions = [new Packet.Question('other.test', 1, 1)];
    return res;
  });
  const tr = new DnsTransport({ servers: [dns.address], timeoutMs: 500 });
  t.teardown(() => tr.close());
  await rejectsWith(t, tr.query('asked.test', 'A'), (e: unknown) => isDnsQueryError(e, 'bad'));
  t.equal(dns.count('asked.test'), 1, 'not asked again: a bad server is given up');
});

t.test('our TCP client', async (t) => {
  const dns = await TestDnsServer.start({ host: '::1' });
  t.teardown(() => dns.close());
  dns.add('tcp.test', a('192.0.2.7', 77));

  await t.test('works against ::1', async (t) => {
    const res = await tcpExchange(dns.address, 'tcp.test', 1, 1000);
    t.equal(res.answers[0]?.address, '192.0.2.7');
    t.equal(res.answers[0]?.ttl, 77);
    t.equal(dns.count('tcp.test', 'A', 'tcp'), 1);
  });

  await t.test('checks the query id', async (t) => {
    dns.respond('wrongid.test', 'A', (req) => {
      const res = Packet.createResponseFromRequest(req);
      res.header.id = (req.header.id + 1) & 0xffff;
      return res;
    });
    await rejectsWith(t, tcpExchange(dns.address, 'wrongid.test', 1, 1000), (e: unknown) => isDnsQueryError(e, 'bad'));
  });

  await t.test('an undecodable answer is bad', async (t) => {
    dns.respond('garbage.test', 'A', () => Buffer.from('0102', 'hex'));
    await rejectsWith(t, tcpExchange(dns.address, 'garbage.test', 1, 1000), (e: unknown) => isDnsQueryError(e, 'bad'));
  });

  await t.test('times out (dns2 TCPClient would wait forever)', async (t) => {
    const hold = dns.hold('held.test', 'A');
    await rejectsWith(t, tcpExchange(dns.address, 'held.test', 1, 100), (e: unknown) => {
      return isDnsQueryError(e, 'temp-failure') && (e as DnsQueryError & { code?: string }).code === 'ETIMEDOUT';
    });
    hold.release();
  });

  await t.test('aborts', async (t) => {
    const hold = dns.hold('held2.test', 'A');
    const ac = new AbortController();
    const p = tcpExchange(dns.address, 'held2.test', 1, 5000, ac.signal);
    await hold.waitForPending(1);
    const check = rejectsWith(t, p, (e) => e instanceof Error && e.message === 'bye');
    ac.abort(new Error('bye'));
    await check;
    hold.release();
  });

  await t.test('a refused connection is a temporary failure', async (t) => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await rejectsWith(t, tcpExchange({ host: '127.0.0.1', port }, 'x.test', 1, 1000), (e: unknown) =>
      isDnsQueryError(e, 'temp-failure'),
    );
  });
});
