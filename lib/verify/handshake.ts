import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { PemKind, scanPem } from '../certificate/pem';

/**
 * One live TLS 1.2 handshake with an endpoint, recording everything `verify` evaluates. The only I/O of `verify`:
 * evaluation is in `verify.ts` and pure.
 */

/** Options of {@link handshake}. */
export interface HandshakeOptions {
  /** The address to connect to: a DNS name, an IPv4 address or an IPv6 address (without brackets). */
  readonly host: string;
  /** The TCP port. */
  readonly port: number;
  /** The name sent as SNI (the sslCname); never an IP address. */
  readonly servername: string;
  /**
   * PEM certificates to trust instead of Node's default CA store.
   * @default - Node's default CA store: its bundled Mozilla roots (`tls.rootCertificates`) plus NODE_EXTRA_CA_CERTS
   */
  readonly ca?: Buffer;
  /** The deadline for the whole exchange (name lookup, TCP connect and TLS handshake), in milliseconds. */
  readonly timeoutMs: number;
}

/** The step at which a handshake failed. */
export enum HandshakeStage {
  /** Name lookup or TCP connect (ECONNREFUSED, ENOTFOUND, EHOSTUNREACH, timeout before the TCP connection). */
  CONNECT = 'connect',
  /** The TCP connection was made but the TLS handshake failed (an alert, not TLS at all, a reset, a timeout). */
  TLS = 'tls',
}

/** Why a handshake did not complete. */
export interface HandshakeError {
  /** Where it failed. */
  readonly stage: HandshakeStage;
  /** The OS or Node error code, e.g. `ECONNREFUSED`, `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION`, or `ETIMEDOUT` for the deadline. */
  readonly code: string;
  /** The error message, one line. */
  readonly message: string;
}

/** One certificate of the peer chain as Node reports it. */
export interface PeerCertificateDer {
  /** The certificate, DER. Evaluated, never printed. */
  readonly der: Buffer;
  /**
   * The certificate is one of the trusted certificates (`ca`, or Node's bundled roots). Node completes the reported
   * chain from the trust store, so such a certificate may not have been sent by the server.
   */
  readonly inTrustStore: boolean;
}

/** What one handshake showed. Never holds key material: the peer has no reason to send any, and none is read. */
export interface HandshakeResult {
  /** The address connected to. */
  readonly host: string;
  /** The port connected to. */
  readonly port: number;
  /** The SNI name sent. */
  readonly servername: string;
  /** Which certificates were trusted: the given `ca`, or Node's default store. */
  readonly trustStore: 'ca' | 'default';
  /**
   * Why the handshake failed.
   * @default - it completed
   */
  readonly error?: HandshakeError;
  /**
   * The chain verified against the trust store. The host name is NOT part of this (it is checked by the evaluation,
   * so that a name mismatch and an untrusted chain are reported separately).
   */
  readonly authorized: boolean;
  /**
   * OpenSSL's verification error code, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `SELF_SIGNED_CERT_IN_CHAIN`.
   * @default - none (authorized, or no handshake)
   */
  readonly authorizationError?: string;
  /** The peer chain, leaf first; empty when the handshake failed. */
  readonly chain: PeerCertificateDer[];
  /**
   * The negotiated protocol, e.g. `TLSv1.2`.
   * @default - no handshake
   */
  readonly protocol?: string;
  /**
   * The negotiated cipher (OpenSSL name), e.g. `ECDHE-RSA-AES128-GCM-SHA256`.
   * @default - no handshake
   */
  readonly cipher?: string;
}

/**
 * Connects to `host:port` with TLS 1.2 only (azureml-fe serves TLS 1.2; TLS 1.3 is documented as unsupported), sending
 * `servername` as SNI, and records the peer chain, its trust status, the protocol and the cipher.
 *
 * The chain is accepted whatever it is (`rejectUnauthorized: false`, no host name check) so that every problem can be
 * reported at once; `authorized` and `authorizationError` say whether it verified against `ca` (or Node's default
 * store). Never rejects: connection errors, TLS alerts and the deadline become {@link HandshakeResult.error}. The
 * socket is always destroyed.
 */
export function handshake(options: HandshakeOptions): Promise<HandshakeResult> {
  const base = {
    host: options.host,
    port: options.port,
    servername: options.servername,
    trustStore: options.ca ? 'ca' as const : 'default' as const,
  };
  return new Promise<HandshakeResult>((resolve) => {
    let settled = false;
    let tcpConnected = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    const fail = (code: string, message: string) => finish({
      ...base,
      authorized: false,
      chain: [],
      error: { stage: tcpConnected ? HandshakeStage.TLS : HandshakeStage.CONNECT, code, message: oneLine(message) },
    });
    const timer = setTimeout(() => fail('ETIMEDOUT', tcpConnected
      ? `no TLS handshake within ${options.timeoutMs} ms after the TCP connection was made`
      : `no TCP connection within ${options.timeoutMs} ms`), options.timeoutMs);

    try {
      socket = tls.connect({
        host: options.host,
        port: options.port,
        servername: options.servername,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        rejectUnauthorized: false,
        // The name is evaluated separately (hostname-mismatch), so `authorized` is about the chain alone.
        checkServerIdentity: () => undefined,
        ca: options.ca,
      });
    } catch (e) {
      fail(errorCode(e), (e as Error).message);
      return;
    }
    const s = socket;
    s.once('connect', () => {
      tcpConnected = true;
    });
    s.once('secureConnect', () => {
      const authorizationError: unknown = s.authorizationError;
      finish({
        ...base,
        authorized: s.authorized,
        authorizationError: authorizationError ? errorCode(authorizationError) : undefined,
        chain: peerChain(s, trustedFingerprints(options.ca)),
        protocol: s.getProtocol() ?? undefined,
        cipher: s.getCipher()?.name,
      });
    });
    s.on('error', (e) => fail(errorCode(e), e.message));
    s.once('close', () => fail('ECONNRESET', 'the connection was closed before the TLS handshake completed'));
  });
}

/** The peer chain, leaf first: `issuerCertificate` links until a certificate is its own issuer (or repeats). */
function peerChain(socket: tls.TLSSocket, trusted: ReadonlySet<string>): PeerCertificateDer[] {
  const chain: PeerCertificateDer[] = [];
  const seen = new Set<string>();
  let current: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current?.raw && current.raw.length > 0) {
    const fingerprint = current.fingerprint256;
    if (seen.has(fingerprint)) break;
    seen.add(fingerprint);
    chain.push({ der: Buffer.from(current.raw), inTrustStore: trusted.has(fingerprint) });
    if (current.issuerCertificate === current) break;
    current = current.issuerCertificate;
  }
  return chain;
}

/** SHA-256 fingerprints of the trusted certificates: the `ca` PEM, or Node's bundled roots. */
function trustedFingerprints(ca: Buffer | undefined): Set<string> {
  const pems = ca
    ? scanPem(ca, 'certificate', 'ca').blocks.filter((b) => b.kind === PemKind.CERTIFICATE).map((b) => b.text)
    : tls.rootCertificates;
  const result = new Set<string>();
  for (const pem of pems) {
    try {
      result.add(new X509Certificate(pem).fingerprint256);
    } catch {
      // an unreadable trusted certificate cannot be in the chain
    }
  }
  return result;
}

/** The `code` of an error (or the string itself: Node reports `authorizationError` as a string code). */
function errorCode(e: unknown): string {
  if (typeof e === 'string') return e;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : 'ERROR';
}

/**
 * One line; OpenSSL's `<hex>:error:<hex>:<library>:<function>:<reason>:<file>:<line>:<detail>` shortened to
 * `<reason> (<detail>)`, e.g. `tlsv1 alert protocol version (SSL alert number 70)`.
 */
function oneLine(message: string): string {
  const line = message.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
  const openssl = /^[0-9A-Fa-f]+:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):[^:]*:\d+:(.*)$/.exec(line);
  return openssl ? `${openssl[1]}${openssl[2] ? ` (${openssl[2]})` : ''}` : line;
}
