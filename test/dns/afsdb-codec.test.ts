import t from 'tap';
import dns2 from 'dns2';
import { AFSDB_TYPE, isAfsdbResource, registerAfsdbCodec, type AfsdbResource } from '../../src/dns/afsdb-codec.js';

const { Packet } = dns2;

t.test('registration is idempotent and teaches dns2 the type', async (t) => {
  registerAfsdbCodec();
  registerAfsdbCodec();
  t.equal((Packet.TYPE as unknown as Record<string, number>).AFSDB, 18);
  t.equal(Packet.TYPE_NAME[18], 'AFSDB');
  t.equal(AFSDB_TYPE, 18);
  // A question for AFSDB can be encoded (dns2 alone refuses it).
  const q = Packet.Question.encode(new Packet.Question('afsdb.test', AFSDB_TYPE, 1));
  t.equal(q.readUInt16BE(q.length - 4), 18);
});

t.test('decodes a real AFSDB answer (andrew.cmu.edu capture, upper-case targets)', async (t) => {
  const hex =
    '88d78180000100030000000106616e6472657703636d75036564750000120001c00c0012000100005460001b00010841465344422d30' +
    '3106414e4452455703434d550345445500c00c0012000100005460001b00010841465344422d303206414e4452455703434d5503454455' +
    '00c00c0012000100005460001b00010841465344422d303306414e4452455703434d55034544550000002904d0000000000000';
  const p = Packet.parse(Buffer.from(hex, 'hex'));
  t.same(p.errors, []);
  t.equal(p.answers.length, 3);
  const hosts = p.answers.map((r) => {
    t.ok(isAfsdbResource(r));
    const x = r as AfsdbResource;
    t.equal(x.subtype, 1);
    t.equal(x.ttl, 21600);
    t.equal(x.name, 'andrew.cmu.edu');
    return x.hostname;
  });
  t.same(hosts, ['AFSDB-01.ANDREW.CMU.EDU', 'AFSDB-02.ANDREW.CMU.EDU', 'AFSDB-03.ANDREW.CMU.EDU']);
});

t.test('decodes compressed host names', async (t) => {
  const question = Buffer.from('056166736462047465737400' + '0012' + '0001', 'hex'); // afsdb.test AFSDB IN
  const header = Buffer.from('1234' + '8180' + '0001' + '0002' + '0000' + '0000', 'hex');
  // Answer 1: hostname is a bare pointer to the question name (offset 12).
  const ans1 = Buffer.from('c00c' + '0012' + '0001' + '00000384' + '0004' + '0001' + 'c00c', 'hex');
  // Answer 2: "afs1" then a pointer.
  const ans2 = Buffer.from('c00c' + '0012' + '0001' + '00000384' + '0009' + '0002' + '0461667331' + 'c00c', 'hex');
  const p = Packet.parse(Buffer.concat([header, question, ans1, ans2]));
  t.same(p.errors, []);
  const [r1, r2] = p.answers as AfsdbResource[];
  t.equal(r1?.hostname, 'afsdb.test');
  t.equal(r1?.subtype, 1);
  t.equal(r2?.hostname, 'afs1.afsdb.test');
  t.equal(r2?.subtype, 2);
});

t.test('encodes without compressing the host name, and round-trips', async (t) => {
  const p = new Packet();
  p.header.id = 7;
  p.header.qr = 1;
  p.questions.push(new Packet.Question('afsdb.test', AFSDB_TYPE, 1));
  p.answers.push(
    new Packet.Resource({ name: 'afsdb.test', type: 18, class: 1, ttl: 900, subtype: 1, hostname: 'afsdb.test' } as Partial<
      dns2.Packet.Resource
    >),
  );
  const buf = p.toBuffer();
  // The RDATA is the last 2 + 12 octets: subtype then the whole name, no c0 pointer.
  t.equal(buf.subarray(buf.length - 14).toString('hex'), '0001' + '056166736462047465737400');
  const back = Packet.parse(buf);
  t.same(back.errors, []);
  const r = back.answers[0] as AfsdbResource;
  t.equal(r.hostname, 'afsdb.test');
  t.equal(r.subtype, 1);
  t.equal(r.ttl, 900);
});

t.test('a truncated AFSDB record is reported, not half-decoded', async (t) => {
  const question = Buffer.from('056166736462047465737400' + '0012' + '0001', 'hex');
  const header = Buffer.from('1234' + '8180' + '0001' + '0001' + '0000' + '0000', 'hex');
  const ans = Buffer.from('c00c' + '0012' + '0001' + '00000384' + '0001' + '00', 'hex');
  const p = Packet.parse(Buffer.concat([header, question, ans]));
  t.equal(p.answers.length, 0);
  t.equal(p.errors.length, 1);
  t.equal(p.errors[0]?.section, 'answers');
});

t.test('encode refuses a bad record', async (t) => {
  const p = new Packet();
  p.answers.push(new Packet.Resource({ name: 'x.test', type: 18, class: 1, ttl: 1, subtype: 70000, hostname: 'a.test' } as Partial<
    dns2.Packet.Resource
  >));
  t.throws(() => p.toBuffer(), /subtype/);
  const q = new Packet();
  q.answers.push(new Packet.Resource({ name: 'x.test', type: 18, class: 1, ttl: 1, subtype: 1 } as Partial<dns2.Packet.Resource>));
  t.throws(() => q.toBuffer(), /hostname/);
});
