import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1:0: decodes what arrives at /v1/traces, as JSON or as
 * protobuf (decoded here from the OTLP wire format with a small reader of its own, independent of
 * the exporter's encoder), and keeps each span with its attributes.
 */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status: number;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** Raw request bodies, to check nothing (e.g. prompt text) reached the collector. */
  bodies: Buffer[];
  contentTypes: string[];
  /** Answer every export with this status (e.g. 503), or stall it for `stallMs`. */
  behave(b: { status?: number; stallMs?: number }): void;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: Buffer[] = [];
  const contentTypes: string[] = [];
  let behaviour: { status?: number; stallMs?: number } = {};
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (behaviour.stallMs) await new Promise((r) => setTimeout(r, behaviour.stallMs));
    if (behaviour.status) {
      res.writeHead(behaviour.status).end();
      return;
    }
    if (req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    bodies.push(body);
    const ct = String(req.headers['content-type'] ?? '');
    contentTypes.push(ct);
    spans.push(...(ct.includes('json') ? fromJson(body) : fromProtobuf(body)));
    res.writeHead(200, { 'content-type': ct }).end(ct.includes('json') ? '{}' : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    contentTypes,
    behave: (b) => (behaviour = b),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function anyValue(v: any): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  return JSON.stringify(v);
}

function fromJson(body: Buffer): ReceivedSpan[] {
  const doc = JSON.parse(body.toString('utf8'));
  const out: ReceivedSpan[] = [];
  for (const rs of doc.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, anyValue(a.value)])),
          status: s.status?.code ?? 0,
        });
  return out;
}

/** Protobuf wire format: (field << 3 | wire type) keys, varints, length-delimited and fixed fields. */
function* fields(b: Buffer): Generator<{ no: number; type: number; value: Buffer | bigint }> {
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let r = 0n;
    for (;;) {
      const byte = b[i++];
      r |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return r;
      shift += 7n;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const no = key >> 3;
    const type = key & 7;
    if (type === 0) yield { no, type, value: varint() };
    else if (type === 2) {
      const len = Number(varint());
      yield { no, type, value: b.subarray(i, i + len) };
      i += len;
    } else if (type === 1) {
      yield { no, type, value: b.subarray(i, i + 8) };
      i += 8;
    } else if (type === 5) {
      yield { no, type, value: b.subarray(i, i + 4) };
      i += 4;
    } else throw new Error(`unsupported protobuf wire type ${type}`);
  }
}

function pbAnyValue(b: Buffer): string | number | boolean {
  for (const f of fields(b)) {
    if (f.no === 1) return (f.value as Buffer).toString('utf8');
    if (f.no === 2) return (f.value as bigint) !== 0n;
    if (f.no === 3) return Number(BigInt.asIntN(64, f.value as bigint));
    if (f.no === 4) return (f.value as Buffer).readDoubleLE(0);
  }
  return '';
}

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1) continue; // ExportTraceServiceRequest.resource_spans
    for (const ss of fields(rs.value as Buffer)) {
      if (ss.no !== 2) continue; // ResourceSpans.scope_spans
      for (const sp of fields(ss.value as Buffer)) {
        if (sp.no !== 2) continue; // ScopeSpans.spans
        const span: ReceivedSpan = {
          traceId: '',
          spanId: '',
          parentSpanId: '',
          name: '',
          kind: 0,
          attributes: {},
          status: 0,
        };
        for (const f of fields(sp.value as Buffer)) {
          if (f.no === 1) span.traceId = (f.value as Buffer).toString('hex');
          else if (f.no === 2) span.spanId = (f.value as Buffer).toString('hex');
          else if (f.no === 4) span.parentSpanId = (f.value as Buffer).toString('hex');
          else if (f.no === 5) span.name = (f.value as Buffer).toString('utf8');
          else if (f.no === 6) span.kind = Number(f.value);
          else if (f.no === 9) {
            let k = '';
            let v: string | number | boolean = '';
            for (const kv of fields(f.value as Buffer)) {
              if (kv.no === 1) k = (kv.value as Buffer).toString('utf8');
              if (kv.no === 2) v = pbAnyValue(kv.value as Buffer);
            }
            span.attributes[k] = v;
          } else if (f.no === 15) {
            for (const st of fields(f.value as Buffer)) if (st.no === 3) span.status = Number(st.value);
          }
        }
        out.push(span);
      }
    }
  }
  return out;
}
