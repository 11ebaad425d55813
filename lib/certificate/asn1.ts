import type * as Forge from 'node-forge';

/**
 * node-forge's ASN.1 module alone: it reads what Node 20's X509Certificate does not expose (signature algorithm,
 * basic constraints, extended key usage) from the DER of any certificate. Loading all of node-forge costs about 13 ms
 * at start-up; this module about 3 ms (the full library is loaded only to build development certificates).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const asn1: typeof Forge.asn1 = require('node-forge/lib/asn1');

/** One parsed ASN.1 node. */
export type Asn1Node = Forge.asn1.Asn1;
