/**
 * AFSDB (RFC 1183 §1, type 18) support for dns2.
 *
 * dns2 3.1.1 has no codec for AFSDB: a query for it cannot even be encoded,
 * and an AFSDB answer decodes to raw RDATA whose host name may hold a
 * compression pointer into the rest of the message.  dns2 dispatches RDATA
 * codecs by type name (`Packet.TYPE_NAME[code]` → `Packet.Resource[name]`),
 * so registering a codec under the name "AFSDB" makes every reader and writer
 * of the library understand the type: the UDP and TCP clients, the servers of
 * our test fixtures, and `Packet.parse` itself.
 *
 * The decoder is handed a reader over the whole message, so a compressed host
 * name is expanded like any other.  The encoder writes the host name without
 * compression: RFC 3597 §4 forbids compressing names inside RDATA of types
 * that are not "well known" (RFC 1035 types), and AFSDB is one of them.
 */
import dns2 from 'dns2';

const { Packet } = dns2;

export const AFSDB_TYPE = 18;
/** AFSDB subtype of an AFS version 3 volume location server (RFC 1183). */
export const AFSDB_SUBTYPE_AFS3_VLDB = 1;
/** AFSDB subtype of a DCE/NCA authenticated name server: never used here. */
export const AFSDB_SUBTYPE_DCE = 2;

/** The decoded shape of an AFSDB answer (a dns2 Resource with two more fields). */
export interface AfsdbResource extends dns2.Packet.Resource {
  subtype: number;
  hostname: string;
}

interface RdataCodec {
  decode(this: Record<string, unknown>, reader: dns2.Packet.Reader, length: number): unknown;
  encode(record: Record<string, unknown>, writer: dns2.Packet.Writer): void;
}

const afsdbCodec: RdataCodec = {
  decode(this: Record<string, unknown>, reader: dns2.Packet.Reader, length: number): unknown {
    // Two octets of subtype and at least the one octet of the root label.
    if (length < 3) {
      throw new Error(`AFSDB decode: RDLENGTH is ${length}, expected at least 3`);
    }
    this.subtype = reader.read(16);
    this.hostname = Packet.Name.decode(reader);
    return this;
  },
  encode(record: Record<string, unknown>, writer: dns2.Packet.Writer): void {
    const subtype = record.subtype;
    const hostname = record.hostname;
    if (typeof subtype !== 'number' || !Number.isInteger(subtype) || subtype < 0 || subtype > 0xffff) {
      throw new Error(`AFSDB encode: subtype must be a 16-bit integer, got ${String(subtype)}`);
    }
    if (typeof hostname !== 'string') {
      throw new Error('AFSDB encode: hostname must be a string');
    }
    writer.write(subtype, 16);
    // Encoding into a writer of its own (which carries no name table) gives
    // the uncompressed form; copy its octets into the message.
    const name = Packet.Name.encode(hostname);
    for (const octet of name) writer.write(octet, 8);
  },
};

let registered = false;

/**
 * Teaches dns2's Packet the AFSDB type.  Idempotent: later calls do nothing.
 * Every module of ours that sends or parses AFSDB calls it on load.
 */
export function registerAfsdbCodec(): void {
  if (registered) return;
  (Packet.TYPE as unknown as Record<string, number>).AFSDB = AFSDB_TYPE;
  Packet.TYPE_NAME[AFSDB_TYPE] = 'AFSDB';
  (Packet.Resource as unknown as Record<string, unknown>).AFSDB = afsdbCodec;
  registered = true;
}

/** True when the resource is a decoded AFSDB record (type 18 with its fields). */
export function isAfsdbResource(resource: dns2.Packet.Resource): resource is AfsdbResource {
  const r = resource as unknown as Record<string, unknown>;
  return resource.type === AFSDB_TYPE && typeof r.subtype === 'number' && typeof r.hostname === 'string';
}

registerAfsdbCodec();
