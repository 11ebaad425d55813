import { CommandIo } from './commands';

/** STUB: `azureml-tls triage` (issue 11). Parses its own flags; returns the exit code. */
export function runTriageCli(argv: string[], io: CommandIo): number | Promise<number> {
  void argv;
  io.err('error: triage is not implemented yet');
  return 2;
}
