// Kept for the tests that import it; the checks live in validators.ts.
export { k8sSchemaErrors } from './validators';
