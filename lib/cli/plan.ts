import { CommandIo } from './commands';

/** STUB: `azureml-tls plan` (issue 11). Parses its own flags; returns the exit code. */
export function runPlanCli(argv: string[], io: CommandIo): number | Promise<number> {
  void argv;
  io.err('error: plan is not implemented yet');
  return 2;
}
