import { lookup } from 'node:dns/promises';
import { Finding, Severity } from '../certificate/findings';

/**
 * The resolve step of `verify --cname NAME` without `--connect`: where does the cname point? Spec section 5
 * (Operations, DNS) has the FQDN point at azureml-fe's external IP, so resolving it and connecting there checks the
 * DNS record and the certificate in one go, as a client would.
 */

/** One address a name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  /** 4 or 6. */
  readonly family: number;
}

/** Resolves a host name to its addresses; rejects (with an error code such as ENOTFOUND) when it does not resolve. */
export type Resolver = (name: string) => Promise<readonly ResolvedAddress[]>;

/**
 * The system resolver (getaddrinfo: /etc/hosts, then DNS), what clients of the endpoint use too, so a record that
 * is not visible here is not visible to them either.
 */
export const systemResolver: Resolver = (name) => lookup(name, { all: true, verbatim: true });

/** The outcome of {@link resolveCname}. */
export type ResolveResult =
  | { readonly addresses: readonly ResolvedAddress[]; readonly finding?: undefined }
  | { readonly addresses?: undefined; readonly finding: Finding };

/** Resolves `cname` with `resolver` within `timeoutMs`; an unresolvable name is one `cname-unresolved` error. */
export async function resolveCname(cname: string, resolver: Resolver, timeoutMs: number): Promise<ResolveResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  try {
    const addresses = await Promise.race([resolver(cname), deadline]);
    if (addresses.length > 0) return { addresses };
    return { finding: unresolved(cname, 'no addresses') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { finding: unresolved(cname, code ?? (e as Error).message) };
  } finally {
    clearTimeout(timer);
  }
}

function unresolved(cname: string, why: string): Finding {
  return {
    severity: Severity.ERROR,
    code: 'cname-unresolved',
    message: `--cname ${cname} does not resolve (${why}): no DNS record points it at azureml-fe yet`,
    fix: `create the record: kubectl get svc azureml-fe -n azureml -o json | azureml-tls dns --cname ${cname} --service -; `
      + 'or, before DNS exists, connect to the load balancer directly: --connect EXTERNAL-IP:443',
  };
}
