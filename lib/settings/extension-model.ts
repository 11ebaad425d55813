import { Finding } from '../certificate/findings';
import { Problem, throwIfProblems } from '../problems';
import { DerivedSettings, deriveSettings } from './derive';
import { checkExtensionInput, ExtensionModelInput, extensionInputWarnings } from './rules';
import { HelmValues, toHelmValues } from './values';

/** The validated extension model: settings as the az CLI would send them, and the Helm values they become. */
export interface ExtensionModel extends DerivedSettings {
  /** The non-protected settings as nested Helm values (spec section 4). Holds no protected value. */
  readonly helmValues: HelmValues;
}

/** The outcome of checking and deriving: a model, or the problems that prevent one. */
export interface ExtensionModelResult {
  /** @default - none when there are problems */
  readonly model?: ExtensionModel;
  /** Every problem found; empty when `model` is set. */
  readonly problems: Problem[];
  /** Settings accepted with a warning, as the az CLI warns about them (also when there are problems). */
  readonly warnings: Finding[];
}

/** Checks every rule of spec sections 2-3 and, when all hold, derives the model. Never throws for bad input. */
export function checkAndBuildExtensionModel(input: ExtensionModelInput): ExtensionModelResult {
  const problems = checkExtensionInput(input);
  const warnings = extensionInputWarnings(input);
  if (problems.length > 0) return { problems, warnings };
  const derived = deriveSettings(input);
  const values = toHelmValues(derived.settings);
  if (values.problems.length > 0) return { problems: values.problems, warnings };
  return { model: { ...derived, helmValues: values.values }, problems: [], warnings };
}

/**
 * Builds the extension model, enforcing every rule of spec sections 2-3.
 * @throws ValidationError listing every problem found, when the input breaks any rule
 */
export function buildExtensionModel(input: ExtensionModelInput): ExtensionModel {
  const result = checkAndBuildExtensionModel(input);
  throwIfProblems(result.problems, 'invalid AzureML extension settings');
  return result.model as ExtensionModel;
}
