/**
 * Name rules of Kubernetes that cdk8s does not check itself (spec: toolchain, "cdk8s does not validate names").
 * Each returns `undefined` when the name is valid, otherwise why it is not.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 subdomain (Secret and most object names): lower case, digits, '-' and '.', at most 253 characters. */
export function dns1123SubdomainError(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 253) return `must be at most 253 characters (is ${name.length})`;
  if (!name.split('.').every((l) => DNS1123_LABEL.test(l))) {
    return 'must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit';
  }
  return undefined;
}

/** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    const e = dns1123SubdomainError(prefix);
    if (e) return `its prefix ${e}`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'must be a label key: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, optionally after a DNS prefix and \'/\'';
  }
  return undefined;
}

/** A label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. */
export function labelValueError(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty (the extension\'s settings take non-empty strings)';
  if (value.length > 63 || !QUALIFIED_NAME.test(value)) {
    return 'must be a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit';
  }
  return undefined;
}
