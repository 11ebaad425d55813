import { IConstruct } from 'constructs';

/** What an app lends the extensions below it when their props leave it out. */
export interface ExtensionDefaults {
  readonly stateDir?: string;
  readonly now?: Date;
}

// Keyed by the root construct, so the constructs need not import the app (which imports them).
const defaults = new WeakMap<IConstruct, ExtensionDefaults>();

/** Registers the defaults of a root construct (an AzureMlApp). */
export function setExtensionDefaults(root: IConstruct, value: ExtensionDefaults): void {
  defaults.set(root, value);
}

/** The defaults the root of `scope` lends, if any. */
export function extensionDefaultsOf(scope: IConstruct): ExtensionDefaults {
  return defaults.get(scope.node.root) ?? {};
}
